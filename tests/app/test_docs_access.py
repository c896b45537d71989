"""The API description: open in development for reading in a browser, behind a key everywhere else."""

from fastapi.testclient import TestClient

from app.main import create_app
from graph.settings import Settings


def test_outside_development_the_description_needs_a_key(settings: Settings, headers, db) -> None:
    guarded = settings.model_copy(update={"environment": "production", "public_docs": None})
    with TestClient(create_app(guarded)) as client:
        assert client.get("/openapi.json").status_code == 401
        assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
        r = client.get("/openapi.json", headers=headers("relationship_manager", "rm-1"))
        assert r.status_code == 200 and "/customers/{customer_id}/matches" in r.json()["paths"]


def test_in_development_the_docs_open_in_a_browser(settings: Settings, db) -> None:
    assert settings.environment == "development"
    with TestClient(create_app(settings)) as client:
        assert client.get("/docs").status_code == 200
        assert "/customers/{customer_id}/matches" in client.get("/openapi.json").json()["paths"]
