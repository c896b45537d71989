"""The introduction workflow through the API: a relationship manager's day, 409s with `allowed`, roles and levels."""

import pytest

from graph.ingest import write_customers
from tests.graph.test_introductions import bank, customer

BODIES = {"approve": {}, "reject": {"reason_code": "other"}, "offer": {}, "accept": {"party": "needer"},
          "decline": {"party": "needer"}, "met": {}, "outcome": {"outcome": "no_deal"},
          "feedback": {"party": "needer", "rating": 3}}


@pytest.fixture
def two_books(db):
    """Customer a (rm1's) needs what b (rm2's) provides; c is rm1's too."""
    bank(db, customer("a", relationship_manager="rm1"), customer("b", relationship_manager="rm2"),
         customer("c", relationship_manager="rm1"))


def key_id(client, h) -> str:
    return client.get("/whoami", headers=h).json()["key_id"]


def propose(client, h, needer="a", provider="b"):
    return client.post("/introductions", headers=h, json={
        "needer_id": needer, "provider_id": provider, "need_id": f"need-{needer}", "capability_id": f"cap-{provider}",
        "score": 0.91, "model_version": "v-test"})


def act(client, h, intro_id, action, **body):
    return client.post(f"/introductions/{intro_id}/{action}", headers=h, json=body or BODIES[action])


def test_a_relationship_managers_whole_day(client, headers, db, two_books):
    rm1, rm2, analyst = headers("relationship_manager", "rm1"), headers("relationship_manager", "rm2"), headers("analyst")
    created = propose(client, rm1)
    assert created.status_code == 201, created.text
    intro = created.json()
    iid = intro["introduction_id"]
    assert (intro["state"], intro["needer_id"], intro["provider_id"]) == ("proposed", "a", "b")
    assert intro["allowed_actions"] == ["approve", "reject"]
    assert act(client, rm1, iid, "approve").json()["state"] == "approved"
    assert act(client, rm1, iid, "offer").json()["state"] == "offered"
    one = act(client, rm1, iid, "accept", party="needer").json()
    assert (one["state"], one["needer_response"], one["contacts"]) == ("offered", "accepted", [])
    assert "b@example.test" not in client.get(f"/introductions/{iid}", headers=rm1).text
    both = act(client, rm2, iid, "accept", party="provider").json()
    assert both["state"] == "accepted"
    seen = client.get(f"/introductions/{iid}", headers=rm1, params={"as_party": "needer"}).json()
    assert [(c["customer_id"], c["contact_email"]) for c in seen["contacts"]] == [("b", "b@example.test")]
    assert "private_notes" not in client.get(f"/introductions/{iid}", headers=rm1).text
    assert client.get(f"/introductions/{iid}", headers=analyst).json()["contacts"] == []
    assert act(client, rm1, iid, "met").json()["state"] == "met"
    done = act(client, rm1, iid, "outcome", outcome="deal", value=25000).json()
    assert (done["state"], done["outcome"], done["value"]) == ("completed", "deal", 25000.0)
    assert act(client, rm1, iid, "feedback", party="needer", rating=5, comment="great fit", visibility="shared").status_code == 200
    assert act(client, rm2, iid, "feedback", party="provider", rating=3, comment="internal only").status_code == 200
    assert client.get(f"/introductions/{iid}", headers=rm1).json()["allowed_actions"] == []

    rows, _, _ = db.execute_query("MATCH (:Customer {customer_id:'a'})-[r:REFERRED]->(:Customer {customer_id:'b'}) "
                                  "RETURN r {.*} AS r")
    assert [(r["r"]["referral_id"], r["r"]["outcome"], r["r"]["value"], r["r"]["rating"]) for r in rows] == [
        (iid, "deal", 25000.0, 5)]
    events = client.get(f"/introductions/{iid}/events", headers=analyst).json()
    k1, k2 = key_id(client, rm1), key_id(client, rm2)
    assert [(e["action"], e["actor"], e["party"]) for e in events] == [
        ("propose", k1, None), ("approve", k1, None), ("offer", k1, None), ("accept", k1, "needer"),
        ("accept", k2, "provider"), ("met", k1, None), ("outcome", k1, None), ("feedback", k1, "needer"),
        ("feedback", k2, "provider")]
    assert all(e["role"] == "relationship_manager" and e["at"] for e in events)
    metrics = client.get("/program/metrics", headers=analyst).json()["overall"]
    assert (metrics["proposed"], metrics["accepted"], metrics["met"], metrics["deals"], metrics["deal_value"]) == (
        1, 1, 1, 1, 25000.0)


def test_every_invalid_transition_is_409_with_the_allowed_ones(client, headers, two_books):
    admin = headers("admin")
    iid = propose(client, admin).json()["introduction_id"]
    path = [("approve", {}), ("offer", {}), ("accept", {"party": "needer"}), ("accept", {"party": "provider"}),
            ("met", {}), ("outcome", {"outcome": "deal", "value": 10}), ("feedback", {"party": "needer", "rating": 4}),
            ("feedback", {"party": "provider", "rating": 4})]
    refused = 0
    for step, body in [*path, (None, None)]:
        now = client.get(f"/introductions/{iid}", headers=admin).json()
        for action in set(BODIES) - set(now["allowed_actions"]):
            response = act(client, admin, iid, action)
            assert response.status_code == 409, (now["state"], action, response.text)
            assert response.json()["allowed"] == now["allowed_actions"]
            refused += 1
        if step:
            assert act(client, admin, iid, step, **body).status_code == 200
    assert refused >= 45
    assert len(client.get(f"/introductions/{iid}/events", headers=admin).json()) == 1 + len(path)


def test_rejection_needs_a_reason_code_and_ends_the_pair(client, headers, two_books):
    rm1 = headers("relationship_manager", "rm1")
    iid = propose(client, rm1).json()["introduction_id"]
    for body in ({}, {"reason_code": "because"}, {"note": "no"}):
        missing = client.post(f"/introductions/{iid}/reject", headers=rm1, json=body)
        assert missing.status_code == 422 and missing.json()["errors"]
    assert client.get(f"/introductions/{iid}", headers=rm1).json()["state"] == "proposed"
    assert act(client, rm1, iid, "reject", reason_code="conflict_of_interest").json()["state"] == "rejected"
    assert client.get(f"/introductions/{iid}/events", headers=rm1).json()[-1]["reason_code"] == "conflict_of_interest"
    again = propose(client, rm1)
    assert again.status_code == 409 and "never proposed again" in again.json()["detail"]


def test_a_declined_pair_is_never_proposable_again(client, headers, two_books):
    rm1, rm2 = headers("relationship_manager", "rm1"), headers("relationship_manager", "rm2")
    iid = propose(client, rm1).json()["introduction_id"]
    act(client, rm1, iid, "approve")
    act(client, rm1, iid, "offer")
    declined = act(client, rm2, iid, "decline", party="provider")
    assert declined.json()["state"] == "declined" and declined.json()["provider_response"] == "declined"
    assert propose(client, rm1).status_code == 409
    assert propose(client, rm2, needer="b", provider="a").status_code == 409
    assert propose(client, rm1, needer="a", provider="c").status_code == 201  # other pairs are unaffected


def test_consent_withdrawn_after_approval_is_never_offered(client, headers, db, two_books):
    rm1 = headers("relationship_manager", "rm1")
    iid = propose(client, rm1).json()["introduction_id"]
    act(client, rm1, iid, "approve")
    write_customers(db, records=[customer("b", relationship_manager="rm2", consent="opt_out")], basis="crm", actor="crm")
    refused = act(client, rm1, iid, "offer")
    assert refused.status_code == 409 and "withdrawn" in refused.json()["detail"]
    after = client.get(f"/introductions/{iid}", headers=rm1).json()
    assert (after["state"], after["offered_at"], after["allowed_actions"]) == ("withdrawn", None, [])
    last = client.get(f"/introductions/{iid}/events", headers=rm1).json()[-1]
    assert (last["action"], last["actor"], last["reason_code"]) == ("withdraw", "system", "eligibility_lost")


def test_a_relationship_manager_cannot_see_or_act_on_another_book(client, headers, two_books):
    rm1, rm2, rm3 = (headers("relationship_manager", m) for m in ("rm1", "rm2", "rm3"))
    analyst, service = headers("analyst"), headers("service")
    iid = propose(client, rm1, needer="a", provider="c").json()["introduction_id"]
    assert client.get(f"/introductions/{iid}", headers=rm2).status_code == 403
    assert client.get(f"/introductions/{iid}/events", headers=rm2).status_code == 403
    assert client.get("/introductions", headers=rm2).json()["items"] == []
    assert [i["introduction_id"] for i in client.get("/introductions", headers=rm1).json()["items"]] == [iid]
    for action in ("approve", "reject", "offer"):
        assert act(client, rm2, iid, action).status_code == 403
    assert propose(client, rm3, needer="a", provider="b").status_code == 403
    assert act(client, analyst, iid, "approve").status_code == 403
    assert client.get(f"/introductions/{iid}", headers=analyst).status_code == 200
    assert client.get("/introductions", headers=service).status_code == 403
    assert client.get("/introductions").status_code == 401
    # a party's answer goes through that party's own RM only
    other = propose(client, rm1).json()["introduction_id"]
    act(client, rm1, other, "approve")
    act(client, rm1, other, "offer")
    assert act(client, rm1, other, "accept", party="provider").status_code == 403
    assert client.get(f"/introductions/{other}", headers=rm1).json()["provider_response"] == "pending"


@pytest.mark.parametrize("level", ["suggest_only", "rm_approval", "manager_approval", "automatic_offer"])
def test_automation_levels(client, headers, settings, monkeypatch, two_books, level):
    monkeypatch.setattr(settings, "automation_levels", {"sme": level})
    rm1, admin, admin2 = headers("relationship_manager", "rm1"), headers("admin"), headers("admin")
    created = propose(client, rm1)
    if level == "suggest_only":
        assert created.status_code == 409 and "suggest_only" in created.json()["detail"]
        assert client.get("/introductions", headers=admin).json()["items"] == []
        return
    intro = created.json()
    iid = intro["introduction_id"]
    if level == "automatic_offer":
        assert intro["state"] == "offered"
        assert [(e["action"], e["actor"]) for e in client.get(f"/introductions/{iid}/events", headers=rm1).json()][1:] == [
            ("approve", "system"), ("offer", "system")]
        return
    first = act(client, rm1, iid, "approve").json()
    if level == "rm_approval":
        assert first["state"] == "approved"
        return
    assert first["state"] == "awaiting_manager"
    assert act(client, rm1, iid, "offer").status_code == 409
    assert act(client, rm1, iid, "approve").status_code == 403
    assert act(client, admin, iid, "approve").json()["state"] == "approved"
    # four eyes: one admin key cannot give both approvals
    other = propose(client, rm1, needer="a", provider="c").json()["introduction_id"]
    act(client, admin2, other, "approve")
    assert act(client, admin2, other, "approve").status_code == 409


def test_pages_are_capped_and_filtered_by_state(client, headers, db, settings, two_books):
    bank(db, customer("d", relationship_manager="rm1"))
    admin = headers("admin")
    ids = [propose(client, admin, needer=n, provider=p).json()["introduction_id"] for n, p in (("a", "b"), ("a", "c"), ("a", "d"))]
    act(client, admin, ids[0], "approve")
    first = client.get("/introductions", headers=admin, params={"limit": 2}).json()
    second = client.get("/introductions", headers=admin, params={"limit": 2, "offset": first["next_offset"]}).json()
    assert len(first["items"]) == 2 and second["next_offset"] is None
    assert {i["introduction_id"] for i in first["items"] + second["items"]} == set(ids)
    approved = client.get("/introductions", headers=admin, params={"state": "approved"}).json()["items"]
    assert [i["introduction_id"] for i in approved] == [ids[0]]
    assert client.get("/introductions", headers=admin, params={"limit": settings.max_page_size + 1}).status_code == 422
    assert client.get("/introductions", headers=admin, params={"state": "nonsense"}).status_code == 422
    assert client.get("/introductions/no such id", headers=admin).status_code == 422
    assert client.get("/introductions/intro-missing", headers=admin).status_code == 404


def test_an_erased_party_leaves_a_tombstone_that_still_counts(client, headers, db):
    bank(db, customer("c-000101", name="Canary Bakery Ltd", relationship_manager="rm1"),
         customer("c-000202", name="Harbour Freight plc", relationship_manager="rm1"))
    admin, rm1 = headers("admin"), headers("relationship_manager", "rm1")
    iid = propose(client, rm1, needer="c-000101", provider="c-000202").json()["introduction_id"]
    for action, body in (("approve", {}), ("offer", {}), ("accept", {"party": "needer"}),
                         ("accept", {"party": "provider"}), ("met", {}), ("outcome", {"outcome": "deal", "value": 700})):
        assert act(client, rm1, iid, action, **body).status_code == 200
    act(client, rm1, iid, "feedback", party="needer", rating=5, comment="Canary Bakery Ltd loved it")
    assert client.delete("/customers/c-000101", headers=admin).status_code == 204

    tomb = client.get(f"/introductions/{iid}", headers=admin)
    assert tomb.status_code == 200 and "Canary" not in tomb.text and "c-000101" not in tomb.text
    body = tomb.json()
    assert (body["state"], body["needer_id"], body["needer"], body["value"]) == ("completed", None, None, 700.0)
    events = client.get(f"/introductions/{iid}/events", headers=admin)
    assert events.status_code == 200 and "Canary" not in events.text
    listed = client.get("/introductions", headers=admin)
    assert listed.status_code == 200 and [i["introduction_id"] for i in listed.json()["items"]] == [iid]
    overall = client.get("/program/metrics", headers=admin).json()["overall"]
    assert (overall["proposed"], overall["deals"], overall["deal_value"]) == (1, 1, 700.0)
