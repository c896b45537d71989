"""Customers, needs and capabilities through the API: the loader's validation, ownership, private fields, batches."""

from fastapi.testclient import TestClient

from tests.app.bank import CUSTOMER, customer


def test_create_read_patch_customer(client: TestClient, headers) -> None:
    rm = headers("relationship_manager", "rm-1")
    r = client.post("/customers", json=CUSTOMER, headers=rm)
    assert r.status_code == 201, r.text
    assert r.json()["relationship_manager"] == "rm-1" and r.json()["contact_email"] == "ops@harbour.example"
    assert client.post("/customers", json=CUSTOMER, headers=rm).status_code == 409
    r = client.patch("/customers/c-42", json={"vetted": True, "risk_rating": "low"}, headers=rm)
    assert r.status_code == 200 and r.json()["vetted"] is True and r.json()["name"] == CUSTOMER["name"]
    # the analyst reads without contact details or private notes, and cannot write
    an = headers("analyst")
    seen = client.get("/customers/c-42", headers=an).json()
    assert seen["name"] == CUSTOMER["name"] and seen["contact_email"] is None and seen["private_notes"] is None
    assert client.patch("/customers/c-42", json={"vetted": False}, headers=an).status_code == 403


def test_validation_is_the_loaders_and_never_echoes_values(client: TestClient, headers) -> None:
    bad = {**CUSTOMER, "customer_id": "bad id with spaces", "risk_rating": "SECRET-VALUE-123"}
    r = client.post("/customers", json=bad, headers=headers("admin"))
    assert r.status_code == 422
    body = r.json()
    assert {tuple(e["loc"]) for e in body["errors"]} >= {("body", "customer_id"), ("body", "risk_rating")}
    assert "SECRET-VALUE-123" not in r.text and "bad id with spaces" not in r.text
    r = client.patch("/customers/nobody", json={"vetted": True}, headers=headers("admin"))
    assert r.status_code == 404


def test_relationship_manager_owns_their_book(client: TestClient, headers, db) -> None:
    customer(db, "mine", manager="rm-1")
    customer(db, "theirs", manager="rm-2")
    rm = headers("relationship_manager", "rm-1")
    assert client.get("/customers/mine", headers=rm).json()["private_notes"] == "prefers mornings"
    assert client.get("/customers/theirs", headers=rm).status_code == 403
    assert client.patch("/customers/theirs", json={"vetted": False}, headers=rm).status_code == 403
    assert client.patch("/customers/mine", json={"relationship_manager": "rm-2"}, headers=rm).status_code == 403
    assert client.post("/customers", json={**CUSTOMER, "relationship_manager": "rm-2"}, headers=rm).status_code == 403
    assert client.post("/customers/theirs/needs", json={"category": "logistics"}, headers=rm).status_code == 403


def test_needs_and_capabilities(client: TestClient, headers, db) -> None:
    customer(db, "a")
    customer(db, "b")
    h = headers("admin")
    r = client.post("/customers/a/needs", json={"category": "logistics", "description": "ship to Lyon"}, headers=h)
    assert r.status_code == 201 and r.json()["source"] == "api" and r.json()["status"] == "open"
    need_id = r.json()["need_id"]
    r = client.put(f"/customers/a/needs/{need_id}", json={"category": "logistics", "status": "fulfilled"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "fulfilled"
    assert client.put(f"/customers/b/needs/{need_id}", json={"category": "x"}, headers=h).status_code == 409
    assert client.post("/customers/a/needs", json={"category": "x", "status": "maybe"}, headers=h).status_code == 422
    r = client.post("/customers/b/capabilities", json={"category": "logistics", "quality": 4.5}, headers=h)
    assert r.status_code == 201 and r.json()["quality"] == 4.5
    assert client.post("/customers/b/capabilities", json={"category": "x", "quality": 9}, headers=h).status_code == 422
    got = client.get("/customers/a", headers=h).json()
    assert [n["need_id"] for n in got["needs"]] == [need_id]


def test_batch_ingestion_for_the_service_role(client: TestClient, headers, settings) -> None:
    svc = headers("service")
    rows = [{**CUSTOMER, "customer_id": f"b-{i}", "relationship_manager": "rm-9"} for i in range(3)]
    r = client.post("/customers/batch", json={"rows": rows}, headers=svc)
    assert r.status_code == 200 and r.json()["written"] == 3
    needs = [{"need_id": "bn-1", "customer_id": "b-1", "category": "logistics"}]
    assert client.post("/needs/batch", json={"rows": needs}, headers=svc).json()["written"] == 1
    unknown = [{"need_id": "bn-2", "customer_id": "nobody", "category": "logistics"}]
    assert client.post("/needs/batch", json={"rows": unknown}, headers=svc).status_code == 422
    too_many = [{**CUSTOMER, "customer_id": f"m-{i}"} for i in range(settings.max_batch_rows + 1)]
    r = client.post("/customers/batch", json={"rows": too_many}, headers=svc)
    assert r.status_code in (413, 422)
    assert client.get("/customers/b-1", headers=svc).status_code == 403  # ingestion only


def test_erased_id_cannot_come_back(client: TestClient, headers, db) -> None:
    customer(db, "gone")
    h = headers("admin")
    assert client.delete("/customers/gone", headers=h).status_code == 204
    assert client.get("/customers/gone", headers=h).status_code == 404
    assert client.post("/customers", json={**CUSTOMER, "customer_id": "gone"}, headers=h).status_code == 409
