"""`icrm evaluate` (the GNN against the baselines) and `icrm bench planetoid` (the Cora paper check)."""

import json
from pathlib import Path
from typing import Annotated

import typer
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from rich.console import Console
from rich.table import Table

from graph.db import driver_session
from graph.errors import GraphError
from graph.settings import get_settings
from models import ModelError

console = Console()
err_console = Console(stderr=True)
bench_app = typer.Typer(help="Benchmarks of the model code on public data.", no_args_is_help=True)


def _fail(message: object) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(1)


def _pm(mean: float, std: float, *, scale: float = 1.0, digits: int = 3) -> str:
    # no spaces around ±: five columns must fit an 80-column terminal without wrapping
    return f"{mean * scale:.{digits}f}±{std * scale:.{digits}f}"


def evaluate(
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Training seeds (the GNN is retrained per seed).")] = 5,
    epochs: Annotated[int | None, typer.Option("--epochs", min=1, help="Maximum training epochs per seed.")] = None,
    text: Annotated[bool, typer.Option("--text/--no-text", help="Use the sentence-embedding text features.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON.")] = False,
) -> None:
    """Rank every eligible provider for each test-period deal: GNN vs popularity, Adamic-Adar, category match."""
    from models.evaluate import GNN, METRICS, TARGET_RATIO, run

    settings = get_settings()

    def progress(seed: int, row: dict) -> None:
        if not as_json:
            console.print(f"seed {seed}: GNN MRR {row[GNN]['mrr']:.3f}, "
                          + ", ".join(f"{m} {v['mrr']:.3f}" for m, v in row.items() if m != GNN))

    try:
        with driver_session(settings) as driver:
            report = run(driver, settings=settings, seeds=seeds, epochs=epochs, text=text, on_seed=progress)
    except (GraphError, ModelError, ServiceUnavailable, SessionExpired) as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
        return
    out = report.to_json()
    table = Table(title=f"test period: {out['test_deals']} deals of {out['needers']} customers, ranked among "
                        f"{out['candidates']} eligible providers; mean ± std over {len(report.seeds)} seed(s)")
    table.add_column("method")
    for m in METRICS:
        table.add_column(m.upper() if m in ("mrr", "auc") else m.capitalize(), justify="right")
    for method, metrics in report.table().items():
        table.add_row(method, *(_pm(*metrics[m]) for m in METRICS))
    console.print(table)
    ratio = out["gnn_mrr_over_best_baseline"]
    verdict = "[green]meets[/]" if out["meets_target"] else "[red]misses[/]"
    console.print(f"GNN MRR / best baseline ({out['best_baseline']}) = "
                  f"{'inf' if ratio is None else f'{ratio:.2f}'}x: {verdict} the {TARGET_RATIO}x target")


@bench_app.command("planetoid")
def bench_planetoid(
    root: Annotated[Path, typer.Option("--root", help="Folder holding NAME/raw/ind.name.* (Planetoid format).")],
    name: Annotated[str, typer.Option("--name", help="Cora, CiteSeer or PubMed.")] = "Cora",
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Runs with seeds 0..n-1.")] = 5,
    epochs: Annotated[int | None, typer.Option("--epochs", min=1, help="Maximum epochs per run.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Train the product's encoder/decoder under the GAE protocol (85/5/10 edges) and report test AUC and AP."""
    import torch

    from models.planetoid import GaeConfig, PlanetoidError, SeedResult, run_benchmark

    torch.set_num_threads(max(1, get_settings().torch_threads))
    config = GaeConfig() if epochs is None else GaeConfig(epochs=epochs)

    def progress(r: SeedResult) -> None:
        if not as_json:
            console.print(f"seed {r.seed}: test AUC {r.test_auc * 100:.2f}, AP {r.test_ap * 100:.2f} "
                          f"(best epoch {r.best_epoch})")

    try:
        report = run_benchmark(root=root, name=name, seeds=seeds, config=config, on_seed=progress)
    except (PlanetoidError, ModelError, OSError) as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
        return
    s = report.summary()
    table = Table(title=f"{report.dataset} link prediction, GAE protocol, {len(report.runs)} seed(s) "
                        f"({report.nodes:,} nodes, {report.edges:,} edges)")
    for col in ("model", "test AUC (%)", "test AP (%)"):
        table.add_column(col, justify="right" if col != "model" else "left")
    table.add_row(f"ICRM encoder ({report.config.conv}) + {report.config.decoder} decoder",
                  _pm(s["auc_mean"], s["auc_std"], scale=100, digits=2), _pm(s["ap_mean"], s["ap_std"], scale=100, digits=2))
    table.add_row("GAE (Kipf & Welling 2016)", "91.0 ± 0.02", "92.0 ± 0.03")
    table.add_row("VGAE (Kipf & Welling 2016)", "91.4 ± 0.01", "92.6 ± 0.01")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)
    app.add_typer(bench_app, name="bench")
