"""Cypher lives in `.cypher` files under the top-level `cypher/` folder; this module finds and caches them."""

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from graph.errors import GraphError


def cypher_dir() -> Traversable:
    return files("cypher")


@cache
def query(name: str) -> str:
    """Text of `cypher/queries/<name>.cypher` (or `cypher/<name>.cypher` when `name` holds a folder)."""
    parts = name.split("/") if "/" in name else ["queries", name]
    node = cypher_dir()
    for part in parts[:-1]:
        node = node.joinpath(part)
    node = node.joinpath(parts[-1] + ".cypher")
    if not node.is_file():
        raise GraphError(f"no Cypher file for query {name!r}")
    return node.read_text(encoding="utf-8")


def folder(name: str) -> dict[str, str]:
    """Every `.cypher` file in `cypher/<name>/`, by file name, sorted."""
    d = cypher_dir().joinpath(name)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(d.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".cypher")}


def statements(text: str) -> list[str]:
    """Split a file of several `;`-terminated statements, dropping `//` comment lines."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return [s.strip() for s in body.split(";") if s.strip()]
