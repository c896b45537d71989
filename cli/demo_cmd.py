"""`icrm demo`: the main job on a fresh machine — Neo4j, a sample bank, a trained model, suggestions, the API.

Each step runs the same `icrm` command a person would type, so the demo shows exactly the documented path.
"""

import json
import subprocess
import sys
import threading
import time
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.rule import Rule

from graph.apikeys import create_key
from graph.db import driver_session
from graph.settings import get_settings

console = Console()


def _icrm(*args: str, ok: tuple[int, ...] = (0,)) -> None:
    console.print(Rule(f"icrm {' '.join(args)}"))
    proc = subprocess.run([sys.executable, "-m", "cli.main", *args], check=False)
    if proc.returncode not in ok:
        console.print(f"[bold red]`icrm {' '.join(args)}` failed (exit {proc.returncode}); the demo stops here.[/]")
        raise typer.Exit(proc.returncode or 1)


def _example_customer(driver) -> str | None:  # noqa: ANN001 - a neo4j Driver
    records, _, _ = driver.execute_query(
        "MATCH (c:Customer)-[s:SUGGESTED_INTRO]->() RETURN c.customer_id AS id, count(s) AS n "
        "ORDER BY n DESC, id LIMIT 1")
    return records[0]["id"] if records else None


def _call_example(url: str, key: str) -> None:
    """Wait for the API, then make the printed example call and show its first match."""
    deadline = time.monotonic() + 120
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url.split("/customers")[0] + "/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        resp = client.get(url, headers={"Authorization": f"Bearer {key}"})
    console.print(Rule("the example call"))
    console.print(f"HTTP {resp.status_code}", highlight=False)
    try:
        body = resp.json()
    except ValueError:
        console.print(resp.text[:500], highlight=False)
        return
    matches = body.get("matches", [])
    console.print(f"{len(matches)} matches from {body.get('source')} (model {body.get('model_version')})")
    if matches:
        console.print_json(json.dumps(matches[0], default=str))
    console.print(Rule("ICRM is up — Ctrl-C stops the API (Neo4j keeps running: `icrm neo4j stop`)"))


def demo(
    customers: Annotated[int, typer.Option("--customers", help="Size of the sample bank.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample bank and the training.")] = 7,
    epochs: Annotated[int | None, typer.Option("--epochs", help="Training epochs (default: the model's).")] = None,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="End by serving the API.")] = True,
) -> None:
    """Start Neo4j, seed and load a sample bank, train, suggest, then serve the API with a working example."""
    settings = get_settings()
    bank = settings.var_dir / f"sample-bank-{customers}-{seed}"
    _icrm("neo4j", "start")
    if not (bank / "customers.csv").exists():
        _icrm("seed", "--customers", str(customers), "--seed", str(seed), "--out", str(bank))
    _icrm("load", str(bank), ok=(0, 2))  # 2: some rows were rejected and reported; the rest loaded
    train_args = ["train", "--seed", str(seed)] + (["--epochs", str(epochs)] if epochs else [])
    _icrm(*train_args)
    _icrm("suggest")
    with driver_session(settings) as driver:
        _key_id, key = create_key(driver, role="admin")
        example = _example_customer(driver)
    host, port = settings.api_host, settings.api_port
    base = f"http://{host}:{port}"
    url = f"{base}/customers/{example}/matches?k=5"
    console.print(Rule("try it"))
    console.print(f"Neo4j Browser: http://localhost:{settings.neo4j_http_port}/browser/ "
                  f"(user {settings.neo4j_user}, password from NEO4J_PASSWORD); analyst queries in cypher/analyst/",
                  highlight=False)
    console.print(f"API docs:      {base}/docs", highlight=False)
    console.print(f"An admin key (shown once): {key}", highlight=False, soft_wrap=True)
    console.print(f"curl -H 'Authorization: Bearer {key}' '{url}'", highlight=False, soft_wrap=True)
    if not serve:
        return
    threading.Thread(target=_call_example, args=(url, key), daemon=True).start()
    import uvicorn

    uvicorn.run("app.main:app", host=host, port=port, access_log=False, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


if __name__ == "__main__":  # pragma: no cover
    typer.run(demo)
