"""Problem details everywhere, 503 when Neo4j is unreachable, body cap (chunked too), rate limit, 500 shape."""

import time

from fastapi.testclient import TestClient

from app.main import create_app
from graph.apikeys import create_key

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def _key(db, role: str = "admin") -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(db, role=role)[1]}"}


def test_problem_shape_for_404_and_422(client: TestClient, headers) -> None:
    h = headers("admin")
    r = client.get("/customers/nope", headers=h)
    assert r.status_code == 404 and PROBLEM_KEYS <= set(r.json())
    r = client.post("/customers", content=b"{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"] and "not json" not in r.text
    assert client.get("/customers/bad%20id", headers=h).status_code == 422


def test_database_unreachable_gives_503_quickly_and_health_stays_up(settings) -> None:
    down = settings.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:7739"})  # nothing listens there
    with TestClient(create_app(down)) as client:
        assert client.get("/health").status_code == 200
        started = time.monotonic()
        r = client.get("/customers/c1/matches", headers={"Authorization": "Bearer icrm_x_y"})
        assert r.status_code == 503 and time.monotonic() - started < 8
        body = r.json()
        assert PROBLEM_KEYS <= set(body) and "unreachable" in body["detail"] and r.headers["retry-after"]
        assert client.get("/ready", headers={"Authorization": "Bearer icrm_x_y"}).status_code == 503


def test_body_cap_counts_bytes_read_including_chunked(db, settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 1000})
    with TestClient(create_app(small)) as client:
        h = {**_key(db), "Content-Type": "application/json"}
        big = b'{"rows": [' + b'{"a": 1},' * 200 + b'{"a": 1}]}'
        assert client.post("/customers/batch", content=big, headers=h).status_code == 413

        def chunks():
            for _ in range(40):
                yield b" " * 100
            yield b"{}"

        r = client.post("/customers/batch", content=chunks(), headers=h)  # no Content-Length: chunked
        assert r.status_code == 413 and r.json()["status"] == 413
        assert client.post("/customers/batch", content=b'{"rows": []}', headers=h).status_code == 422


def test_rate_limit_per_credential(db, settings) -> None:
    strict = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(strict)) as client:
        a, b = _key(db), _key(db)
        assert [client.get("/whoami", headers=a).status_code for _ in range(3)] == [200, 200, 200]
        r = client.get("/whoami", headers=a)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and r.json()["status"] == 429
        assert client.get("/whoami", headers=b).status_code == 200  # another credential is not affected


def test_uncaught_error_is_a_500_problem_without_details(db, settings, caplog) -> None:
    app = create_app(settings)

    def explode() -> None:
        personal = "".join(["jane", ".doe@example.test"])  # built at run time: only the value could leak
        raise RuntimeError(personal)

    app.add_api_route("/explode", explode)
    with TestClient(app) as client:
        r = client.get("/explode")
    assert r.status_code == 500 and r.json()["status"] == 500
    assert "jane.doe" not in r.text and "Traceback" not in r.text
    assert "jane.doe" not in caplog.text and "RuntimeError" in caplog.text


def test_access_log_paths_carry_no_ids() -> None:
    import logging

    from app.logs import ACCESS_LOGGER, RedactPaths, install_access_log_redaction

    install_access_log_redaction(["/customers/{customer_id}/matches", "/review-items/{review_id}/confirm"])
    f = next(x for x in logging.getLogger(ACCESS_LOGGER).filters if isinstance(x, RedactPaths))
    record = logging.LogRecord(ACCESS_LOGGER, logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/customers/canary-77/matches?k=3", "1.1", 200), None)
    f.filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /customers/:id/matches HTTP/1.1" 200'
