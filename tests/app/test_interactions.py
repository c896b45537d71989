"""POST /customers/{id}/interactions: needs found in free text, confident ones written, the rest reviewed."""

from fastapi.testclient import TestClient

from graph.categories import CATEGORIES
from tests.app.bank import capability, customer

NOTE = ("Met the owner at the branch. They are planning an extension to the warehouse and need a builder. "
        "Also our bookkeeping is a mess and the tax filing is late.")


def vocabulary(db) -> None:
    customer(db, "prov")
    for i, name in enumerate(CATEGORIES):
        capability(db, "prov", f"cap-{i}", name)


def test_text_reveals_needs(client: TestClient, headers, db) -> None:
    vocabulary(db)
    customer(db, "c1")
    r = client.post("/customers/c1/interactions", json={"text": NOTE}, headers=headers("relationship_manager", "rm-1"))
    assert r.status_code == 201, r.text
    body = r.json()
    found = {f["category"]: f for f in body["needs"] + body["review_items"]}
    assert "commercial_construction" in found and "accounting" in found
    builder = found["commercial_construction"]
    assert NOTE[builder["start"]:builder["end"]] == builder["evidence"] and "builder" in builder["evidence"]
    assert 0 < builder["confidence"] <= 1
    # confident needs are in the graph, linked to the interaction
    written = db.execute_query("""MATCH (:Customer {customer_id:'c1'})-[:HAD_INTERACTION]->(i)-[:REVEALED]->(n:Need)
                                  RETURN n.category AS c, n.source AS s""").records
    assert {r["c"] for r in written} == {f["category"] for f in body["needs"]}
    assert all(r["s"] == "interaction" for r in written)
    # an interaction id is never reused (it would rewrite someone else's note)
    again = {"text": "other text", "interaction_id": body["interaction_id"]}
    assert client.post("/customers/c1/interactions", json=again, headers=headers("admin")).status_code == 409
    # "Met the owner at the branch." is not a need of any kind
    assert all("Met the owner" not in f["evidence"] for f in found.values())


def test_review_queue_confirm_and_drop(client: TestClient, headers, db, settings) -> None:
    vocabulary(db)
    customer(db, "c1")
    customer(db, "c2", manager="rm-2")
    h = headers("admin")
    old = settings.need_confidence
    settings.need_confidence = 0.99  # everything goes to review
    try:
        body = client.post("/customers/c1/interactions", json={"text": NOTE}, headers=h).json()
        client.post("/customers/c2/interactions", json={"text": NOTE}, headers=h)
    finally:
        settings.need_confidence = old
    assert body["needs"] == [] and len(body["review_items"]) >= 2
    rm1 = headers("relationship_manager", "rm-1")
    queue = client.get("/review-items?limit=10", headers=rm1).json()
    assert {i["customer_id"] for i in queue} == {"c1"}  # an RM sees only their customers' items
    first, second = queue[0]["review_id"], queue[1]["review_id"]
    r = client.post(f"/review-items/{first}/confirm", headers=rm1)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert client.post(f"/review-items/{first}/drop", headers=rm1).status_code == 409
    assert client.post(f"/review-items/{second}/drop", headers=rm1).json()["status"] == "dropped"
    needs = client.get("/customers/c1", headers=rm1).json()["needs"]
    assert [n["category"] for n in needs] == [queue[0]["category"]] and needs[0]["source"] == "interaction"
    other = client.get("/review-items", headers=headers("relationship_manager", "rm-2")).json()[0]["review_id"]
    assert client.post(f"/review-items/{other}/confirm", headers=rm1).status_code == 403
    assert client.get(f"/review-items?limit={settings.max_page_size + 1}", headers=h).status_code == 422
