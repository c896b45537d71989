"""The `icrm` command: one entry point for neo4j, db, seed, load, train, evaluate, suggest, serve, demo, bench."""

import typer

from cli.neo4j_cmd import db_app, neo4j_app

app = typer.Typer(help="ICRM: vetted, explained introductions between a bank's customers.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(db_app, name="db")

# Each area registers its own commands; a module that is not there yet simply adds nothing.
for _module in ("cli.data_cmd", "cli.model_cmd", "cli.eval_cmd", "cli.api_cmd", "cli.demo_cmd"):
    try:
        _mod = __import__(_module, fromlist=["register"])
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise
        continue
    _mod.register(app)

if __name__ == "__main__":
    app()
