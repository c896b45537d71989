"""Numbered, idempotent schema migrations (`cypher/migrations/V0001__name.cypher`), applied by `icrm db migrate`."""

import re

from neo4j import Driver

from graph.cypher import folder, statements

_NAME = re.compile(r"^V(\d{4})__[a-z0-9_]+\.cypher$")


def migration_files() -> list[tuple[int, str, str]]:
    out = []
    for name, text in folder("migrations").items():
        m = _NAME.match(name)
        if not m:
            raise ValueError(f"migration file {name!r} is not named V0000__lower_snake.cypher")
        out.append((int(m.group(1)), name, text))
    return sorted(out)


def migrate(driver: Driver, *, database: str | None = None) -> list[str]:
    """Apply every migration; each statement is `IF NOT EXISTS`, so running twice changes nothing.

    Returns the names of the migrations that were not yet recorded as applied.
    """
    applied: list[str] = []
    with driver.session(database=database) as session:
        done = {r["name"] for r in session.run("MATCH (m:_Migration) RETURN m.name AS name")}
        for _version, name, text in migration_files():
            for stmt in statements(text):
                session.run(stmt).consume()
            if name not in done:
                session.run("MERGE (m:_Migration {name: $name}) ON CREATE SET m.applied_at = datetime()",
                            name=name).consume()
                applied.append(name)
    return applied
