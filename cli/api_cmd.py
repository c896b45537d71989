"""`icrm serve` (the API under uvicorn) and `icrm apikey create|list|revoke` (credentials, stored only hashed)."""

import typer
from rich.console import Console
from rich.table import Table

from graph.apikeys import ROLES, create_key, list_keys, revoke_key
from graph.db import driver_session
from graph.errors import GraphError
from graph.migrate import migrate
from graph.settings import get_settings

console = Console()
err_console = Console(stderr=True)
apikey_app = typer.Typer(help="API keys (Authorization: Bearer <key>).", no_args_is_help=True)


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(1)


def serve(
    host: str | None = typer.Option(None, "--host", help="Interface to bind (default ICRM_API_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default ICRM_API_PORT, 8000)."),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
) -> None:
    """Run the API; docs at http://HOST:PORT/docs. It starts even when Neo4j is down (503 until it is up)."""
    import uvicorn

    settings = get_settings()
    host = host or settings.api_host
    port = port or settings.api_port
    console.print(f"ICRM API on http://{host}:{port}  (docs: http://{host}:{port}/docs)", highlight=False)
    # access logs carry paths (customer ids): off, so erased customers leave no trace in logs
    uvicorn.run("app.main:app", host=host, port=port, reload=reload, workers=None if reload else workers,
                access_log=False, log_level="info")


@apikey_app.command("create")
def create_apikey(
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(ROLES)}."),
    manager: str | None = typer.Option(None, "--manager", help="The relationship manager's id (role relationship_manager)."),
) -> None:
    """Issue a key and print it once (only its hash is stored)."""
    try:
        with driver_session() as driver:
            migrate(driver)
            key_id, plaintext = create_key(driver, role=role, manager_id=manager)
    except GraphError as exc:
        raise _fail(exc) from None
    err_console.print(f"key id {key_id} ({role}{', manager ' + manager if manager else ''}); "
                      "store the key now, it is not shown again:", highlight=False)
    print(plaintext)


@apikey_app.command("list")
def list_apikeys() -> None:
    """List keys (id, role, manager, created, revoked); never the key itself."""
    try:
        with driver_session() as driver:
            keys = list_keys(driver)
    except GraphError as exc:
        raise _fail(exc) from None
    table = Table("key id", "role", "manager", "created", "revoked")
    for k in keys:
        table.add_row(k.key_id, k.role, k.manager_id or "", k.created_at, "yes" if k.revoked else "")
    console.print(table)


@apikey_app.command("revoke")
def revoke_apikey(key_id: str = typer.Argument(..., help="The key id shown by `create` or `list`.")) -> None:
    """Revoke a key; running APIs stop accepting it within a few seconds."""
    try:
        with driver_session() as driver:
            revoke_key(driver, key_id=key_id)
    except GraphError as exc:
        raise _fail(exc) from None
    console.print(f"revoked {key_id}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(apikey_app, name="apikey")
