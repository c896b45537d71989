"""API fixtures: `client` (a TestClient on the test database, wiped per test) and `headers(role, manager_id)`.

One application (and its lifespan: driver, model) serves the whole session; each test still gets an empty
graph through the `db` fixture. Keys are created per call through `graph.apikeys`, the real code path.
"""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.main import create_app
from graph.apikeys import create_key
from graph.settings import Settings


@pytest.fixture(scope="session")
def _app_client(session_driver: Driver, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def client(db: Driver, _app_client: TestClient) -> TestClient:
    """The API on an empty test graph."""
    return _app_client


@pytest.fixture
def headers(db: Driver) -> Callable[..., dict[str, str]]:
    """`headers("relationship_manager", "rm-001")` -> an Authorization header with a fresh real key."""

    def make(role: str, manager_id: str | None = None) -> dict[str, str]:
        _, plaintext = create_key(db, role=str(role), manager_id=manager_id)
        return {"Authorization": f"Bearer {plaintext}"}

    return make
