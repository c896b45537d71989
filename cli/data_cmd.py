"""`icrm seed` (write a synthetic sample bank as CSV) and `icrm load` (ingest a CRM export folder)."""

import json
from pathlib import Path
from typing import Annotated

import typer
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.db import driver_session
from graph.errors import GraphError
from graph.ingest import DEFAULT_BATCH_SIZE, RecordKind
from graph.load_report import default_report_path
from graph.loader import load_folder
from graph.migrate import migrate
from graph.settings import get_settings

console = Console()
err_console = Console(stderr=True)


def seed(
    customers: Annotated[int, typer.Option("--customers", min=10, help="How many customers the bank has.")] = 1000,
    seed_value: Annotated[int, typer.Option("--seed", help="Random seed: the same seed writes the same bytes.")] = 7,
    out: Annotated[Path, typer.Option("--out", help="Folder for the five CSV files.")] = Path("var/sample-bank"),
    bad_rows: Annotated[bool, typer.Option("--bad-rows", help="Also plant a known set of bad rows (demos).")] = False,
) -> None:
    """Write a synthetic bank (customers, needs, capabilities, referrals, interactions) in the CSV contract."""
    from graph.seed import generate_bank  # numpy is only needed here

    try:
        stats = generate_bank(customers=customers, seed=seed_value, out=out, bad_rows=bad_rows)
    except (GraphError, OSError, ValueError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    table = Table(title=f"sample bank in {out}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, n in stats.rows.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    if stats.planted:
        console.print(f"planted {len(stats.planted)} bad rows (listed in {out / 'planted_bad_rows.json'})")


def load(
    folder: Annotated[Path, typer.Argument(help="Folder with customers.csv, needs.csv, capabilities.csv, "
                                                "referrals.csv and interactions.csv.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary, not a table.")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Where to list rejected rows (.csv or .jsonl); "
                                                "default var/load-report-<time>.csv.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per transaction.")] = DEFAULT_BATCH_SIZE,
) -> None:
    """Load a CRM export folder. Exit 0 when every row loaded, 2 when rows were rejected, 1 on a fatal error."""
    settings = get_settings()
    report_path = report or default_report_path(settings.var_dir)
    try:
        with driver_session(settings) as driver:
            migrate(driver)
            with Progress(TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err_console, disable=as_json, transient=False) as bar:
                tasks: dict[RecordKind, TaskID] = {}

                def on_progress(kind: RecordKind, done: int, total: int) -> None:
                    if kind not in tasks:
                        tasks[kind] = bar.add_task(kind.value, total=total)
                    bar.update(tasks[kind], completed=done, total=total)

                result = load_folder(driver, folder=folder, report_path=report_path, batch_size=batch_size,
                                     progress=on_progress)
    except (GraphError, ServiceUnavailable, SessionExpired) as exc:
        if not isinstance(exc, GraphError):  # the server went away mid-load: committed batches stay
            exc = GraphError(f"lost the connection to Neo4j during the load ({type(exc).__name__}); batches "
                             "already committed stay. Start Neo4j and run the same load again: it is idempotent.")
        if as_json:
            print(json.dumps({"error": str(exc)}))
        else:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(result.as_json()))
    else:
        for warning in result.warnings:
            err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        table = Table(title=f"loaded {folder}")
        for col in ("file", "rows", "loaded", "rejected"):
            table.add_column(col, justify="left" if col == "file" else "right")
        for f in result.files.values():
            table.add_row(f.file, f"{f.rows:,}", f"{f.loaded:,}", f"{f.rejected:,}")
        console.print(table)
        console.print(f"rejected rows: {result.rejected:,} (report: {result.report_path})", highlight=False)
    raise typer.Exit(2 if result.rejected else 0)


def register(app: typer.Typer) -> None:
    app.command("seed")(seed)
    app.command("load")(load)
