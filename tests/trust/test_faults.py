"""Faults on real processes: Neo4j killed mid-load, Neo4j stopped under a live API, a model promoted under load.

Each test runs on a Neo4j of its own (ports 7765/7766, home in a pytest tmp dir) so killing it never touches
the shared test server.
"""

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from neo4j import Driver

from graph import server
from graph.apikeys import create_key
from graph.db import make_driver
from graph.eligibility import eligible_customer_ids
from graph.ingest import write_capabilities, write_customers, write_needs
from graph.loader import load_folder
from graph.migrate import migrate
from graph.records import CapabilityRecord, CustomerRecord, NeedRecord
from graph.settings import PROJECT_ROOT, Settings
from models import artifacts, train
from tests.conftest import wipe
from tests.trust.export_files import ExportCounts, write_export
from tests.trust.live_server import LiveApi, dedicated_neo4j_settings, settings_env

pytestmark = pytest.mark.slow

BOLT, HTTP = 7765, 7766


@pytest.fixture(scope="module")
def own_neo4j(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A dedicated Neo4j for this module: the tests kill and stop it at will."""
    base = tmp_path_factory.mktemp("faults")
    own = dedicated_neo4j_settings(settings, home=base / "neo4j", bolt_port=BOLT, http_port=HTTP).model_copy(
        update={"artifacts_dir": base / "artifacts", "var_dir": base / "var"})
    server.start(own)
    yield own
    server.kill(own)  # a throwaway server: no need to wait for a clean shutdown


def _driver(settings: Settings) -> Driver:
    driver = make_driver(settings)
    migrate(driver)
    return driver




def _counts(driver: Driver) -> dict[str, int]:
    """Rows of each file as the graph holds them, and how many distinct ids they have (duplicates show up)."""
    text = """
    CALL () { MATCH (c:Customer) RETURN count(c) AS customers, count(DISTINCT c.customer_id) AS customer_ids }
    CALL () { MATCH (:Customer)-[:HAS_NEED]->(n:Need) RETURN count(n) AS needs, count(DISTINCT n.need_id) AS need_ids }
    CALL () { MATCH (:Customer)-[:CAN_PROVIDE]->(k:Capability)
              RETURN count(k) AS capabilities, count(DISTINCT k.capability_id) AS capability_ids }
    CALL () { MATCH (:Customer)-[r:REFERRED]->(:Customer)
              RETURN count(r) AS referrals, count(DISTINCT r.referral_id) AS referral_ids }
    CALL () { MATCH (:Customer)-[:HAD_INTERACTION]->(i:Interaction)
              RETURN count(i) AS interactions, count(DISTINCT i.interaction_id) AS interaction_ids }
    CALL () { MATCH (n:Need) RETURN count(n) AS need_nodes }
    CALL () { MATCH (k:Capability) RETURN count(k) AS capability_nodes }
    CALL () { MATCH (i:Interaction) RETURN count(i) AS interaction_nodes }
    CALL () { MATCH (e:ConsentEvent) RETURN count(e) AS consent_events }
    RETURN *
    """
    records, _, _ = driver.execute_query(text)
    return dict(records[0])


def _expected(counts: ExportCounts) -> dict[str, int]:
    exact = {"customers": counts.customers, "needs": counts.needs, "capabilities": counts.capabilities,
             "referrals": counts.referrals, "interactions": counts.interactions}
    out = dict(exact)
    out.update({"customer_ids": counts.customers, "need_ids": counts.needs, "capability_ids": counts.capabilities,
                "referral_ids": counts.referrals, "interaction_ids": counts.interactions,
                "need_nodes": counts.needs, "capability_nodes": counts.capabilities,
                "interaction_nodes": counts.interactions,
                # each customer is new once, so exactly one consent event each; a replayed batch must not add one
                "consent_events": counts.customers})
    return out


def _load_cmd(folder: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "load", str(folder), "--json", *extra]


def _node_count(driver: Driver) -> int:
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
    return int(records[0]["n"])


def test_kill_neo4j_mid_load_then_reload_loses_and_duplicates_nothing(own_neo4j: Settings, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", customers=400)
    assert export.rows == 3600
    driver = _driver(own_neo4j)
    wipe(driver)
    baseline = _node_count(driver)

    # small batches so the load spans many transactions and the kill lands between (or inside) them
    proc = subprocess.Popen(_load_cmd(tmp_path / "export", "--batch-size", "100"), cwd=PROJECT_ROOT,
                            env=settings_env(own_neo4j), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killed_at_nodes = None
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            # the customers and their consent events are in and the needs are on their way
            if (n := _node_count(driver)) >= baseline + 2 * export.customers + 100:
                server.kill(own_neo4j)
                killed_at_nodes = n
                break
            time.sleep(0.05)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        driver.close()
    text = out.decode(errors="replace")
    assert killed_at_nodes is not None, f"the load finished before Neo4j could be killed:\n{text[-2000:]}"
    assert killed_at_nodes - baseline < 3 * export.customers + export.needs + export.capabilities, \
        "the kill must land in the middle of the load"
    assert proc.returncode == 1, f"a load that lost its database must fail (exit 1):\n{text[-2000:]}"
    assert "Traceback" not in text, f"the loader must fail with a clear message, not a stack trace:\n{text[-3000:]}"
    assert "Neo4j" in text, text[-2000:]

    server.start(own_neo4j)
    driver = _driver(own_neo4j)
    try:
        # what survived the crash is whole: every committed batch is there, each node with its customer edge
        after_crash = _counts(driver)
        assert _node_count(driver) >= killed_at_nodes, "a committed batch was lost in the crash"
        assert after_crash["need_nodes"] == after_crash["needs"]
        assert after_crash["capability_nodes"] == after_crash["capabilities"]
        assert after_crash["interaction_nodes"] == after_crash["interactions"]

        again = subprocess.run(_load_cmd(tmp_path / "export"), cwd=PROJECT_ROOT, env=settings_env(own_neo4j),
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
        assert _counts(driver) == _expected(export)
    finally:
        driver.close()


def _small_bank(driver: Driver) -> list[str]:
    """Eight eligible customers whose needs meet each other's capabilities, written through the product's ingest."""
    ids = [f"f{i}" for i in range(8)]
    cats = ["accounting", "legal", "logistics", "construction"]
    write_customers(driver, records=[CustomerRecord(
        customer_id=cid, name=f"Fault Test {cid}", industry="retail", region="north", segment="sme",
        vetted=True, risk_rating="low", consent="opt_in", relationship_manager="rm-001") for cid in ids])
    write_needs(driver, records=[NeedRecord(need_id=f"n-{cid}", customer_id=cid, category=cats[i % 4],
                                            description="needs a partner") for i, cid in enumerate(ids)])
    write_capabilities(driver, records=[CapabilityRecord(capability_id=f"k-{cid}", customer_id=cid,
                                                         category=cats[(i + 1) % 4], description="serves it",
                                                         quality=4.0) for i, cid in enumerate(ids)])
    return ids


def _timed_get(client: httpx.Client, url: str) -> tuple[int, float]:
    t = time.monotonic()
    try:
        status = client.get(url).status_code
    except httpx.TimeoutException:
        status = -1  # no answer within the client's timeout: a hang
    return status, time.monotonic() - t


def test_api_answers_503_quickly_while_neo4j_is_down_and_recovers_by_itself(own_neo4j: Settings,
                                                                              tmp_path: Path) -> None:
    driver = _driver(own_neo4j)
    wipe(driver)
    ids = _small_bank(driver)
    _, key = create_key(driver, role="admin")
    # a valid key the API has never seen: during the outage it must not be turned away as a bad credential
    _, unseen_key = create_key(driver, role="admin")
    driver.close()
    urls = [f"/customers/{ids[0]}/matches?k=5", f"/customers/{ids[1]}", "/ready"]
    with LiveApi(own_neo4j, port=8071, log_path=tmp_path / "api.log") as api, \
            httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        for url in urls[:2]:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:500])

        server.kill(own_neo4j)  # a crash is the harsher case (and a clean stop takes many seconds here)
        outage: list[tuple[str, int, float]] = []
        for _ in range(2):
            for url in urls:
                outage.append((url, *_timed_get(client, url)))
        with httpx.Client(base_url=api.base_url, timeout=30,
                          headers={"Authorization": f"Bearer {unseen_key}"}) as fresh:
            status, took = _timed_get(fresh, urls[0])
        outage.append(("unseen key " + urls[0], status, took))
        bad = [o for o in outage if o[1] != 503 or o[2] > 5.0]
        assert not bad, f"while Neo4j is down every request must get a 503 within 5 s: {bad}\n{api.log_tail()}"

        server.start(own_neo4j)
        back = time.monotonic()
        recovered_after = None
        while time.monotonic() - back < 30:
            statuses = [_timed_get(client, url)[0] for url in urls[:2]]
            assert all(s in (200, 503) for s in statuses), statuses
            if all(s == 200 for s in statuses):
                recovered_after = time.monotonic() - back
                break
            time.sleep(0.5)
        assert recovered_after is not None, f"the API did not recover within 30 s of Neo4j's return\n{api.log_tail()}"
        assert "Traceback" not in api.log_tail(400)


def test_promoting_a_model_under_load_fails_no_request_and_switches_versions(
        own_neo4j: Settings, sample_bank_dir: Path, tmp_path: Path) -> None:
    own = own_neo4j.model_copy(update={"artifacts_dir": tmp_path / "artifacts", "var_dir": tmp_path / "var"})
    driver = _driver(own)
    wipe(driver)
    assert load_folder(driver, folder=sample_bank_dir, report_path=tmp_path / "report.csv").rejected == 0
    # two real versions; the second one trained is promoted first, the other waits to be promoted under load
    waiting = train.run(driver, settings=own, epochs=2, seed=2, force=True, progress=False, text=False).version
    serving = train.run(driver, settings=own, epochs=2, seed=1, force=True, progress=False, text=False).version
    assert artifacts.current_version(own) == serving != waiting
    # no stored suggestions: every match is scored live by the loaded model, so responses name its version
    # (customers with open needs: the only ones the model scores; the others get an empty list unscored)
    records, _, _ = driver.execute_query(
        "MATCH (c:Customer)-[:HAS_NEED]->(:Need {status: 'open'}) WHERE c.customer_id IN $ids "
        "RETURN DISTINCT c.customer_id AS id ORDER BY id LIMIT 25", ids=eligible_customer_ids(driver))
    customers = [r["id"] for r in records]
    assert len(customers) >= 10
    _, key = create_key(driver, role="admin")
    driver.close()

    seen: list[tuple[float, float, int, str | None, str | None]] = []  # start, end, status, source, version
    stop = threading.Event()

    def hammer(offset: int) -> None:
        with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            i = offset
            while not stop.is_set():
                started = time.monotonic()
                try:
                    r = c.get(f"/customers/{customers[i % len(customers)]}/matches", params={"k": 5})
                    body = r.json() if r.status_code == 200 else {}
                    seen.append((started, time.monotonic(), r.status_code, body.get("source"),
                                 body.get("model_version")))
                except httpx.HTTPError:
                    seen.append((started, time.monotonic(), 0, None, None))
                i += 7

    with LiveApi(own, port=8072, log_path=tmp_path / "api.log") as api:
        workers = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
        for w in workers:
            w.start()
        try:
            time.sleep(3)
            promoted_at = time.monotonic()
            artifacts.promote(own, waiting)
            deadline = promoted_at + 30
            while time.monotonic() < deadline and not any(s[4] == waiting for s in seen):
                time.sleep(0.2)
            time.sleep(2)  # keep the load on after the switch
        finally:
            stop.set()
            for w in workers:
                w.join(30)
        log = api.log_tail(200)

    failed = [s for s in seen if s[2] != 200]
    assert not failed, f"{len(failed)} of {len(seen)} requests failed during the promotion: {failed[:5]}\n{log}"
    fallbacks = [(round(s[0] - promoted_at, 2), s[3]) for s in seen if s[3] != "inductive_model"]
    assert not fallbacks, f"the loaded model must score every request (no rule fallback): {fallbacks[:10]}\n{log}"
    before = [s for s in seen if s[1] < promoted_at]
    assert before and {s[4] for s in before} == {serving}
    switched = [s for s in seen if s[4] == waiting]
    assert switched, f"responses never switched to the promoted version within 30 s\n{log}"
    first_new = min(s[1] for s in switched)
    later = {s[4] for s in seen if s[0] > first_new}
    assert later == {waiting}, "once the new version answered, no request may be served by the old one"
