"""PUT/GET /customers/{id}/consent: every change kept with basis, actor and time; the current state follows."""

from fastapi.testclient import TestClient

from tests.app.bank import customer


def test_consent_history(client: TestClient, headers, db) -> None:
    customer(db, "c1", consent="unknown")
    rm = headers("relationship_manager", "rm-1")
    key_id = client.get("/whoami", headers=rm).json()["key_id"]
    r = client.put("/customers/c1/consent", json={"consent": "opt_in", "basis": "signed form"}, headers=rm)
    assert r.status_code == 200 and r.json()["consent"] == "opt_in"
    client.put("/customers/c1/consent", json={"consent": "opt_out", "basis": "phone call"}, headers=rm)
    hist = client.get("/customers/c1/consent", headers=headers("analyst")).json()
    assert hist["consent"] == "opt_out"
    events = hist["events"]
    # the loader's event for the initial state, then ours in order
    assert [e["consent"] for e in events][-2:] == ["opt_in", "opt_out"]
    assert [e["basis"] for e in events][-2:] == ["signed form", "phone call"]
    assert all(key_id in e["actor"] for e in events[-2:]) and all(e["at"] for e in events)
    assert client.get("/customers/c1", headers=rm).json()["consent"] == "opt_out"


def test_consent_input_is_checked(client: TestClient, headers, db) -> None:
    customer(db, "c1")
    h = headers("admin")
    assert client.put("/customers/c1/consent", json={"consent": "maybe", "basis": "x"}, headers=h).status_code == 422
    assert client.put("/customers/c1/consent", json={"consent": "opt_in"}, headers=h).status_code == 422
    assert client.put("/customers/none/consent", json={"consent": "opt_in", "basis": "x"}, headers=h).status_code == 404
    assert client.put("/customers/c1/consent", json={"consent": "opt_in", "basis": "x"},
                      headers=headers("analyst")).status_code == 403
