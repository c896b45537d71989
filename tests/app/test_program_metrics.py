"""`GET /program/metrics`: who may read it, the time window and the filters, over introductions made through the API."""

from datetime import UTC, datetime, timedelta

from tests.graph.test_introductions import bank, customer


def _deal(client, h, needer: str, provider: str, value: float) -> str:
    iid = client.post("/introductions", headers=h, json={"needer_id": needer, "provider_id": provider}).json()[
        "introduction_id"]
    for action, body in (("approve", {}), ("offer", {}), ("accept", {"party": "needer"}),
                         ("accept", {"party": "provider"}), ("met", {}), ("outcome", {"outcome": "deal", "value": value})):
        assert client.post(f"/introductions/{iid}/{action}", headers=h, json=body).status_code == 200
    return iid


def test_admin_and_analyst_only(client, headers):
    assert client.get("/program/metrics").status_code == 401
    for role, status in (("admin", 200), ("analyst", 200), ("relationship_manager", 403), ("service", 403)):
        assert client.get("/program/metrics", headers=headers(role, "rm1")).status_code == status


def test_funnel_by_segment_and_region_over_a_window(client, headers, db):
    bank(db, customer("a"), customer("b"), customer("w", region="west", segment="corporate"),
         customer("v", region="west", segment="corporate"))
    admin, analyst = headers("admin"), headers("analyst")
    _deal(client, admin, "a", "b", 1200.0)
    _deal(client, admin, "w", "v", 800.0)
    client.post("/introductions", headers=admin, json={"needer_id": "w", "provider_id": "a"})

    body = client.get("/program/metrics", headers=analyst).json()
    assert (body["overall"]["proposed"], body["overall"]["deals"], body["overall"]["deal_value"]) == (3, 2, 2000.0)
    assert body["overall"]["conversion_rate"] == round(2 / 3, 4) and body["overall"]["acceptance_rate"] == 1.0
    assert {s["segment"]: s["deal_value"] for s in body["by_segment"]} == {"corporate": 800.0, "sme": 1200.0}
    assert {r["region"]: r["proposed"] for r in body["by_region"]} == {"north": 1, "west": 2}

    west = client.get("/program/metrics", headers=analyst, params={"region": "west", "segment": "corporate"}).json()
    assert (west["overall"]["proposed"], west["overall"]["deals"], west["overall"]["approved"]) == (2, 1, 1)

    now = datetime.now(UTC)
    window = {"from": (now - timedelta(minutes=10)).isoformat(), "to": (now + timedelta(minutes=10)).isoformat()}
    assert client.get("/program/metrics", headers=analyst, params=window).json()["overall"]["proposed"] == 3
    future = {"from": (now + timedelta(days=1)).isoformat()}
    assert client.get("/program/metrics", headers=analyst, params=future).json()["overall"]["proposed"] == 0
    # a time without a zone is read as UTC
    naive = {"to": (now + timedelta(minutes=10)).replace(tzinfo=None).isoformat()}
    assert client.get("/program/metrics", headers=analyst, params=naive).json()["overall"]["proposed"] == 3


def test_bad_windows_are_422(client, headers):
    analyst = headers("analyst")
    assert client.get("/program/metrics", headers=analyst, params={"from": "yesterday"}).status_code == 422
    # a valid ISO time whose UTC equivalent falls before year 1 is refused, not a server error
    assert client.get("/program/metrics", headers=analyst, params={"from": "0001-01-01T00:00:00+05:00"}).status_code == 422
    backwards = client.get("/program/metrics", headers=analyst,
                           params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"})
    assert backwards.status_code == 422 and backwards.json()["errors"]
