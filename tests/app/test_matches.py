"""GET /customers/{id}/matches: stored suggestions with reasons, filtered at request time, cold start, bounds."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.app.bank import capability, customer, need, small_bank


def ids(body: dict) -> list[str]:
    return [m["customer"]["customer_id"] for m in body["matches"]]


def test_batch_matches_with_reasons_and_version(client: TestClient, headers, db) -> None:
    small_bank(db)
    # p1 and p2 both served x; x shares them as a connection with c1? only p1 has a common referral partner
    db.execute_query("""MATCH (c:Customer {customer_id:'c1'}), (p:Customer {customer_id:'p1'})
                        CREATE (x:Customer {customer_id:'x', consent:'opt_in', vetted:true, risk_rating:'low'})
                        CREATE (c)-[:REFERRED {referral_id:'r1', outcome:'deal'}]->(x)
                        CREATE (x)-[:REFERRED {referral_id:'r2', outcome:'deal'}]->(p)""")
    r = client.get("/customers/c1/matches?k=3", headers=headers("relationship_manager", "rm-1"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "batch" and body["model_version"] == "v-test" and body["eligible"]
    assert ids(body) == ["p1", "p2", "p3"]
    first = body["matches"][0]
    assert first["rank"] == 1 and first["model_version"] == "v-test" and first["shared_connections"] == 1
    assert first["reasons"][0]["need_category"] == "logistics" and first["reasons"][0]["capability_id"] == "p-p1"
    assert set(first["customer"]) == {"customer_id", "name", "industry", "region"}  # no contact, no notes
    assert "p1@example.test" not in r.text and "prefers mornings" not in r.text


def test_request_time_filters(client: TestClient, headers, db) -> None:
    small_bank(db)
    h = headers("admin")
    assert ids(client.get("/customers/c1/matches", headers=h).json()) == ["p1", "p2", "p3", "p4"]
    # p1 withdraws consent through the API: gone at once
    assert client.put("/customers/p1/consent", json={"consent": "opt_out", "basis": "phone call"},
                      headers=h).status_code == 200
    # p2 loses vetting and p3 becomes high risk behind the API's back (a direct graph edit: the stored
    # suggestions stay, so only the request-time filter can keep them out)
    db.execute_query("MATCH (c:Customer {customer_id:'p2'}) SET c.vetted = false")
    db.execute_query("MATCH (c:Customer {customer_id:'p3'}) SET c.risk_rating = 'high'")
    assert db.execute_query("MATCH (:Customer {customer_id:'c1'})-[s:SUGGESTED_INTRO]->() RETURN count(s) AS n").records[0]["n"] == 3
    # p4 and c1 already have an introduction (declined): never again
    db.execute_query("""MATCH (a:Customer {customer_id:'c1'}), (b:Customer {customer_id:'p4'})
                        CREATE (a)-[:NEEDER_IN]->(:Introduction {introduction_id:'i1', state:'declined'})<-[:PROVIDER_IN]-(b)""")
    body = client.get("/customers/c1/matches", headers=h).json()
    assert ids(body) == [] or body["source"] != "batch"
    assert not {"p1", "p2", "p3", "p4"} & set(ids(body))


def test_erased_a_second_ago_is_never_returned(client: TestClient, headers, db) -> None:
    small_bank(db)
    h = headers("admin")
    assert client.delete("/customers/p1", headers=h).status_code == 204
    body = client.get("/customers/c1/matches", headers=h).json()
    assert ids(body) == ["p2", "p3", "p4"] and [m["rank"] for m in body["matches"]] == [1, 2, 3]


def test_not_eligible_customer_gets_empty_list_with_reasons(client: TestClient, headers, db) -> None:
    small_bank(db)
    customer(db, "c2", consent="unknown", vetted=False)
    body = client.get("/customers/c2/matches", headers=headers("admin")).json()
    assert body["eligible"] is False and body["matches"] == []
    assert any("opted in" in r for r in body["not_eligible_reasons"])
    assert any("vetted" in r for r in body["not_eligible_reasons"])


def test_unknown_customer_404_and_k_bound(client: TestClient, headers, db, settings) -> None:
    h = headers("admin")
    r = client.get("/customers/nobody/matches", headers=h)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    small_bank(db)
    r = client.get(f"/customers/c1/matches?k={settings.max_k + 1}", headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "k"]
    assert client.get("/customers/c1/matches?k=0", headers=h).status_code == 422


def test_relationship_manager_sees_only_own_customers(client: TestClient, headers, db) -> None:
    small_bank(db)
    assert client.get("/customers/c1/matches", headers=headers("relationship_manager", "rm-2")).status_code == 403
    assert client.get("/customers/c1/matches", headers=headers("service")).status_code == 403
    assert client.get("/customers/c1/matches", headers=headers("analyst")).status_code == 200


@pytest.fixture
def no_model_client(db, settings, tmp_path: Path) -> Iterator[TestClient]:
    """The API with an empty artifacts folder: no model promoted."""
    with TestClient(create_app(settings.model_copy(update={"artifacts_dir": tmp_path}))) as client:
        yield client


def test_cold_start_new_customer_without_model_uses_category_rules(no_model_client: TestClient, headers, db) -> None:
    small_bank(db)
    customer(db, "new")
    need(db, "new", "n-new", "logistics", created_at=datetime.now(UTC))
    body = no_model_client.get("/customers/new/matches", headers=headers("admin")).json()
    assert body["source"] == "category_rules" and body["model_version"] is None
    assert ids(body)[0] == "p1"  # best quality first
    assert body["matches"][0]["reasons"][0]["capability_id"] == "p-p1"


def test_new_needs_since_the_batch_are_scored_live(no_model_client: TestClient, headers, db) -> None:
    small_bank(db)
    customer(db, "q1", manager="rm-3")
    capability(db, "q1", "p-q1", "cybersecurity", quality=5.0)
    need(db, "c1", "n-c1-new", "cybersecurity", created_at=datetime.now(UTC))
    body = no_model_client.get("/customers/c1/matches", headers=headers("admin")).json()
    assert body["source"] == "category_rules"
    assert "q1" in ids(body)


def test_customer_without_open_needs_gets_an_empty_answer_without_live_scoring(client: TestClient, headers,
                                                                               db) -> None:
    small_bank(db)
    customer(db, "quiet")  # eligible, no needs: the batch had nothing to suggest and neither would cold start
    body = client.get("/customers/quiet/matches", headers=headers("admin")).json()
    assert body["eligible"] and body["matches"] == []
    assert body["source"] == "batch" and body["model_version"] == "v-test"
