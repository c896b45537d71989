"""GET /matches answers from memory only while the graph is unchanged: any write, by anyone, is seen at once."""

import asyncio

from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from app.fresh_reads import FreshnessGate
from graph.settings import Settings
from tests.app.bank import small_bank


def ids(body: dict) -> list[str]:
    return [m["customer"]["customer_id"] for m in body["matches"]]


def test_repeated_request_is_served_from_memory_until_the_graph_changes(client: TestClient, headers, db,
                                                                         settings: Settings) -> None:
    small_bank(db)
    h = headers("admin")
    cache = client.app.state.match_cache  # type: ignore[attr-defined]
    first = client.get("/customers/c1/matches", headers=h)
    hits = cache.hits
    again = client.get("/customers/c1/matches", headers=h)
    assert again.status_code == 200 and again.content == first.content
    assert cache.hits == hits + 1, "an unchanged graph should not be asked twice"
    assert ids(first.json()) == ["p1", "p2", "p3", "p4"]

    # another process (an analyst in Browser, `icrm load`, a second API worker) changes the graph: its own
    # connection, nothing this API process could have been told about
    with GraphDatabase.driver(settings.neo4j_uri, auth=settings.neo4j_auth) as other:
        other.execute_query("MATCH (c:Customer {customer_id:'p2'}) SET c.consent = 'opt_out'")
    assert ids(client.get("/customers/c1/matches", headers=h).json()) == ["p1", "p3", "p4"]

    # the asking customer's own consent, withdrawn the same way: no stale answer either
    with GraphDatabase.driver(settings.neo4j_uri, auth=settings.neo4j_auth) as other:
        other.execute_query("MATCH (c:Customer {customer_id:'c1'}) SET c.consent = 'opt_out'")
    body = client.get("/customers/c1/matches", headers=h).json()
    assert body["eligible"] is False and body["matches"] == []


def test_erasure_through_the_api_is_seen_by_the_next_request(client: TestClient, headers, db) -> None:
    small_bank(db)
    h = headers("admin")
    assert ids(client.get("/customers/c1/matches", headers=h).json()) == ["p1", "p2", "p3", "p4"]
    assert client.delete("/customers/p1", headers=h).status_code == 204
    body = client.get("/customers/c1/matches", headers=h).json()
    assert ids(body) == ["p2", "p3", "p4"] and [m["rank"] for m in body["matches"]] == [1, 2, 3]


def test_a_remembered_answer_still_checks_who_asks(client: TestClient, headers, db) -> None:
    small_bank(db)  # c1 belongs to rm-1
    owner, stranger, service = (headers("relationship_manager", "rm-1"), headers("relationship_manager", "rm-2"),
                                headers("service"))
    assert client.get("/customers/c1/matches", headers=owner).status_code == 200
    r = client.get("/customers/c1/matches", headers=stranger)
    assert r.status_code == 403 and "p1" not in r.text
    assert client.get("/customers/c1/matches", headers=service).status_code == 403
    assert client.get("/customers/nobody/matches", headers=owner).status_code == 404


def test_gate_never_answers_a_request_from_a_check_that_began_before_it() -> None:
    async def scenario() -> tuple[list[int], int]:
        started: list[asyncio.Event] = []
        release = asyncio.Event()

        async def check() -> str:
            started.append(asyncio.Event())
            await release.wait()
            return str(len(started))  # the stamp names the check that produced it

        gate = FreshnessGate(check)
        early = asyncio.create_task(gate.stamp())
        await asyncio.sleep(0)  # check 1 is now running
        late = [asyncio.create_task(gate.stamp()) for _ in range(5)]  # arrive during check 1
        await asyncio.sleep(0)
        release.set()
        results = [int(await t) for t in [early, *late]]
        return results, len(started)

    results, checks = asyncio.run(scenario())
    assert results[0] == 1
    assert results[1:] == [2] * 5, "requests that arrived during a check must wait for the next one"
    assert checks == 2, "the five late requests share one check"


def test_gate_passes_a_failed_check_to_its_waiters_and_recovers() -> None:
    async def scenario() -> list[str]:
        calls = 0

        async def check() -> str:
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.01)
            if calls == 1:
                raise ConnectionError("database down")
            return "ok"

        gate = FreshnessGate(check)
        # the first request starts the failing check; the two arriving while it runs wait for the next one
        outcomes = await asyncio.gather(*(gate.stamp() for _ in range(3)), return_exceptions=True)
        after = await gate.stamp()
        return [type(o).__name__ if isinstance(o, Exception) else o for o in outcomes] + [after, str(calls)]

    assert asyncio.run(scenario()) == ["ConnectionError", "ok", "ok", "ok", "3"]
