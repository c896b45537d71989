"""`icrm train` (export, train, save a versioned artifact, promote if better) and `icrm suggest` (write top-K)."""

import json
import math
import warnings
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph.db import driver_session
from graph.errors import GraphError
from graph.settings import get_settings
from models import ModelError

# torch_geometric still calls the deprecated torch.jit.script when imported; not the user's concern
warnings.filterwarnings("ignore", message=".*torch.jit.script.*", category=FutureWarning)
console = Console()
err_console = Console(stderr=True)


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(1)


def _fmt(value: object) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.4f}"


def train(
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Most epochs (early stopping may end sooner).")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Promote even if it does not beat the current model.")] = False,
    text: Annotated[bool, typer.Option("--text/--no-text", help="MiniLM text features (off is faster).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Train the link-prediction GNN on the graph; promote it only if it beats the current model on validation."""
    from models.train import run  # torch loads only for model commands

    settings = get_settings()
    try:
        with driver_session(settings) as driver:
            result = run(driver, settings=settings, epochs=epochs, seed=seed, force=force, progress=not as_json,
                         text=text)
    except (GraphError, ModelError) as exc:
        raise _fail(exc) from None
    m = result.metrics
    if as_json:
        out = {"version": result.version, "promoted": result.promoted, "reason": result.reason,
               "artifact_dir": str(result.artifact_dir), "val": m["val"], "test": m["test"],
               "current_val": m["current_val"], "epochs_run": m["epochs_run"]}
        console.print_json(json.dumps(out, default=str))
        return
    table = Table(title=f"model {result.version}")
    for col in ("split", "MRR", "Hits@10", "AUC", "positives"):
        table.add_column(col)
    for split in ("val", "test"):
        r = m[split]
        table.add_row(split, _fmt(r["mrr"]), _fmt(r["hits@10"]), _fmt(r["auc"]), str(int(r["positives"])))
    if m["current_val"]:
        r = m["current_val"]
        table.add_row(f"val, current ({r['version']})", _fmt(r.get("mrr")), _fmt(r.get("hits@10")),
                      _fmt(r.get("auc")), str(int(r.get("positives", 0))))
    console.print(table)
    status = "[green]promoted[/]" if result.promoted else "[yellow]not promoted[/]"
    console.print(f"{status}: {result.reason}. Artifact: {result.artifact_dir}")


def suggest(
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Suggestions per customer.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Score every eligible customer with the promoted model and store its top K with reasons."""
    from models.suggest import run

    settings = get_settings()
    try:
        with driver_session(settings) as driver:
            result = run(driver, settings=settings, k=k, progress=not as_json)
    except (GraphError, ModelError) as exc:
        raise _fail(exc) from None
    if as_json:
        console.print_json(json.dumps(result.__dict__))
        return
    console.print(f"model {result.version}: {result.suggestions} suggestions for {result.with_suggestions} of "
                  f"{result.customers} eligible customers in {result.seconds:.1f}s (run {result.run_id})")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("suggest")(suggest)
