"""The Neo4j driver, made once per process (lifespan for the API, a context manager for the CLI)."""

from collections.abc import Iterator
from contextlib import contextmanager

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.errors import DatabaseUnavailable
from graph.settings import Settings, get_settings


def make_driver(settings: Settings | None = None, *, verify: bool = True, fail_fast: bool = False) -> Driver:
    """`fail_fast` (the API) gives up within about two seconds instead of retrying for ten, so a request
    answers 503 quickly while Neo4j is down."""
    settings = settings or get_settings()
    driver = GraphDatabase.driver(
        settings.neo4j_uri,
        auth=settings.neo4j_auth,
        connection_timeout=2.0 if fail_fast else 5.0,
        connection_acquisition_timeout=3.0 if fail_fast else 10.0,
        max_transaction_retry_time=1.0 if fail_fast else 10.0,
        notifications_min_severity="OFF",
    )
    if verify:
        try:
            driver.verify_connectivity()
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            driver.close()
            raise DatabaseUnavailable(
                f"cannot reach Neo4j at {settings.neo4j_uri}: {exc}. Start it with `icrm neo4j start`."
            ) from exc
    return driver


@contextmanager
def driver_session(settings: Settings | None = None) -> Iterator[Driver]:
    """`with driver_session() as driver:` for scripts, the CLI and notebooks."""
    driver = make_driver(settings)
    try:
        yield driver
    finally:
        driver.close()
