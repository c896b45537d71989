"""The suite runs against a real Neo4j 5.26 server that it starts itself (on test ports, in `.neo4j-test/`).

Set ICRM_NEO4J_BOLT_PORT / ICRM_NEO4J_HTTP_PORT / ICRM_NEO4J_HOME / NEO4J_URI to run it on other ports.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
_bolt = os.environ.setdefault("ICRM_NEO4J_BOLT_PORT", "7688")
os.environ.setdefault("ICRM_NEO4J_HTTP_PORT", "7475")
os.environ.setdefault("ICRM_NEO4J_HOME", str(_ROOT / ".neo4j-test"))
os.environ.setdefault("NEO4J_URI", f"bolt://localhost:{_bolt}")
os.environ.setdefault("ICRM_NEO4J_HEAP", "768m")
os.environ.setdefault("ICRM_NEO4J_PAGECACHE", "128m")
_scratch = Path(tempfile.mkdtemp(prefix="icrm-test-"))
os.environ.setdefault("ICRM_ARTIFACTS_DIR", str(_scratch / "artifacts"))
os.environ.setdefault("ICRM_VAR_DIR", str(_scratch / "var"))

from neo4j import Driver  # noqa: E402

from graph import server  # noqa: E402
from graph.db import make_driver  # noqa: E402
from graph.migrate import migrate  # noqa: E402
from graph.settings import Settings, get_settings  # noqa: E402

get_settings.cache_clear()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def neo4j_server(settings: Settings) -> Iterator[Settings]:
    """A running Neo4j (started once per test session). Locally it is left running for the next run; under
    CI a server this session started is stopped at the end, so the run leaves nothing behind."""
    was_running = server.status(settings).running
    server.start(settings)
    yield settings
    if os.environ.get("CI") and not was_running:
        server.stop(settings)


@pytest.fixture(scope="session")
def session_driver(neo4j_server: Settings) -> Iterator[Driver]:
    driver = make_driver(neo4j_server)
    migrate(driver)
    yield driver
    driver.close()


def wipe(driver: Driver) -> None:
    """Delete every data node; the schema (constraints, indexes, migration records) stays."""
    with driver.session() as session:
        session.run("MATCH (n) WHERE NOT n:_Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


@pytest.fixture
def db(session_driver: Driver) -> Driver:
    """A driver onto an empty graph."""
    wipe(session_driver)
    return session_driver


SAMPLE_BANK_CUSTOMERS = 120
SAMPLE_BANK_SEED = 11


@pytest.fixture(scope="session")
def sample_bank_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CSV files of a tiny seeded bank (written once per session; read-only for tests)."""
    from graph.seed import generate_bank

    out = tmp_path_factory.mktemp("sample-bank")
    generate_bank(customers=SAMPLE_BANK_CUSTOMERS, seed=SAMPLE_BANK_SEED, out=out)
    return out


@pytest.fixture
def sample_bank(db: Driver, sample_bank_dir: Path, tmp_path: Path) -> Driver:
    """A driver onto a graph holding a realistic tiny bank (~120 customers, fixed seed) loaded by `icrm load`."""
    from graph.loader import load_folder

    result = load_folder(db, folder=sample_bank_dir, report_path=tmp_path / "sample-bank-report.csv")
    assert result.rejected == 0, f"the sample bank must load cleanly: {result.report_path}"
    return db
