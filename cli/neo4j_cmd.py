"""`icrm neo4j start|stop|status` and `icrm db migrate`."""

import typer
from rich.console import Console

from graph import server
from graph.db import driver_session
from graph.errors import GraphError
from graph.migrate import migrate
from graph.settings import get_settings

neo4j_app = typer.Typer(help="Run the local Neo4j 5.26 Community server (no Docker needed).", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
console = Console()


def fail(exc: Exception) -> typer.Exit:
    console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
    return typer.Exit(1)


@neo4j_app.command("start")
def start_server(migrate_schema: bool = typer.Option(True, "--migrate/--no-migrate", help="Apply migrations after start.")) -> None:
    """Start Neo4j (resolving its jars on first use) and wait until Bolt answers."""
    settings = get_settings()
    try:
        with console.status("Starting Neo4j (the first start resolves the jars from Maven Central)…"):
            st = server.start(settings)
        console.print(st.describe())
        if migrate_schema:
            with driver_session(settings) as driver:
                applied = migrate(driver)
            console.print(f"schema migrations applied: {', '.join(applied) or 'none new'}")
    except GraphError as exc:
        raise fail(exc) from None


@neo4j_app.command("stop")
def stop_server() -> None:
    """Stop the Neo4j server this project started."""
    settings = get_settings()
    was = server.stop(settings)
    console.print("Neo4j stopped" if was else "Neo4j was not running")


@neo4j_app.command("status")
def server_status() -> None:
    """Say whether Neo4j runs, and where. Exit 0 when running, 3 when not."""
    st = server.status(get_settings())
    console.print(st.describe())
    raise typer.Exit(0 if st.running else 3)


@db_app.command("migrate")
def migrate_db() -> None:
    """Apply the numbered schema migrations in cypher/migrations (idempotent)."""
    try:
        with driver_session() as driver:
            applied = migrate(driver)
    except GraphError as exc:
        raise fail(exc) from None
    console.print(f"schema migrations applied: {', '.join(applied) or 'none new (schema is current)'}")
