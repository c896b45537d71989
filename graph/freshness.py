"""The database's newest committed transaction, as Neo4j reports it: the stamp the API's read caches key on.

A read transaction's bookmark names the newest transaction committed in the database when it ran, so the stamp
changes with every write, whoever makes it (the API, `icrm load`, `icrm suggest`, an analyst in Browser).
"""

from neo4j import READ_ACCESS, Driver

from graph.cypher import query


def last_commit(driver: Driver, *, database: str) -> str:
    """An opaque stamp of the newest committed write: equal stamps mean the graph has not changed in between."""
    # an auto-commit read is one round-trip (RUN + PULL); a managed transaction would add BEGIN and COMMIT
    with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
        session.run(query("ping")).consume()
        return ",".join(sorted(session.last_bookmarks().raw_values))
