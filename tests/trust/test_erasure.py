"""Erasure: a canary customer with a unique id and name is erased, then searched for everywhere: zero traces.

The canary gets needs, capabilities, an interaction (with a review item), consent history, a past referral,
stored suggestions on both sides, introductions (one through the whole day, with notes and feedback naming
them), and a trained model that knows them. After `DELETE /customers/{id}` nothing the project writes may
hold their id, name or texts: not Neo4j, not a suggestion reason, not the model artifacts, caches or var
files, not Neo4j's logs, not the API's log.
"""

import csv
import json
import logging
import shutil
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.main import create_app
from graph.apikeys import create_key
from graph.eligibility import eligible_customer_ids
from graph.ingest import write_referrals
from graph.loader import load_folder
from graph.records import ReferralRecord
from graph.settings import Settings
from models import suggest, train
from models.data import export_graph
from models.text import text_key

pytestmark = pytest.mark.slow


def _auth(driver: Driver, role: str, manager_id: str | None = None) -> dict[str, str]:
    _, key = create_key(driver, role=role, manager_id=manager_id)
    return {"Authorization": f"Bearer {key}"}


def _top_category(driver: Driver, pattern: str) -> str:
    """The category most eligible customers need (or offer): the canary then has partners on both sides."""
    text = {"need": "MATCH (c:Customer)-[:HAS_NEED]->(x:Need {status: 'open'}) ",
            "capability": "MATCH (c:Customer)-[:CAN_PROVIDE]->(x:Capability) "}[pattern]
    records, _, _ = driver.execute_query(
        text + "WHERE c.customer_id IN $ids RETURN x.category AS category, count(*) AS n ORDER BY n DESC, category LIMIT 1",
        ids=eligible_customer_ids(driver))
    return str(records[0]["category"])


def _graph_dump(driver: Driver) -> str:
    """Every node's labels and properties and every relationship's type and properties, as one text."""
    nodes, _, _ = driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, properties(r) AS p")
    return json.dumps([[r["l"], r["p"]] for r in nodes] + [[r["t"], r["p"]] for r in rels], default=str,
                      ensure_ascii=False)


def _files_with(folders: list[Path], needles: list[str]) -> list[str]:
    """Files under these folders whose path or bytes contain any needle (utf-8, also the json-escaped form)."""
    hits = []
    raw = [n.encode("utf-8") for n in needles] + [json.dumps(n).strip('"').encode() for n in needles]
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            found = [n for n in needles if n in str(path)] + [r.decode() for r in raw if r in data]
            if found:
                hits.append(f"{path}: {sorted(set(found))}")
    return hits


def test_erased_canary_leaves_no_trace(sample_bank: Driver, sample_bank_dir: Path, settings: Settings,
                                       tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    driver = sample_bank
    token = uuid.uuid4().hex[:12]
    cid, name = f"canary-{token}", f"Zebulon Quillfeather {token}"
    own = settings.model_copy(update={
        "artifacts_dir": tmp_path / "artifacts", "var_dir": tmp_path / "var",
        # every need found in the canary's note waits for review, so a review item surely exists
        "need_confidence": 1.01, "need_review_floor": 0.0,
        "automation_levels": {}, "default_automation_level": "rm_approval"})
    admin = _auth(driver, "admin")
    need_cat, cap_cat = _top_category(driver, "capability"), _top_category(driver, "need")
    partners = eligible_customer_ids(driver)
    texts = [f"{name} needs help with {need_cat}", f"{name} offers {cap_cat} services",
             f"Met {name} at the branch. They are planning an extension and need a builder."]

    with TestClient(create_app(own)) as client:
        r = client.post("/customers", headers=admin, json={
            "customer_id": cid, "name": name, "industry": "retail", "region": "north", "segment": "sme",
            "vetted": True, "risk_rating": "low", "consent": "unknown", "relationship_manager": "rm-canary",
            "contact_email": f"{token}@example.org", "contact_phone": f"+44 {token}",
            "private_notes": f"private notes about {name}"})
        assert r.status_code == 201, r.text
        for consent in ("opt_in", "opt_out", "opt_in"):  # a consent history of several events
            r = client.put(f"/customers/{cid}/consent", headers=admin, json={"consent": consent, "basis": f"call with {name}"})
            assert r.status_code == 200, r.text
        r = client.post(f"/customers/{cid}/needs", headers=admin, json={"category": need_cat, "description": texts[0]})
        assert r.status_code == 201, r.text
        r = client.post(f"/customers/{cid}/capabilities", headers=admin,
                        json={"category": cap_cat, "description": texts[1], "quality": 4.5})
        assert r.status_code == 201, r.text
        r = client.post(f"/customers/{cid}/interactions", headers=admin, json={"text": texts[2]})
        assert r.status_code == 201, r.text
        assert r.json()["review_items"], "the canary's note must leave a review item"
        write_referrals(driver, records=[ReferralRecord(
            referral_id=f"ref-{cid}", from_customer_id=cid, to_customer_id=partners[-1],
            created_at="2024-01-15T10:00:00Z", outcome="deal", value=1200.0, rating=5)])

        # a model that has seen the canary, and stored suggestions with the canary on both sides
        result = train.run(driver, settings=own, epochs=2, seed=1, force=True, progress=False, text=True)
        assert cid in json.loads((result.artifact_dir / "id_map.json").read_text())["customer"]
        suggest.run(driver, settings=own, k=10, progress=False)
        records, _, _ = driver.execute_query(
            "MATCH (c:Customer {customer_id: $cid}) RETURN COUNT { (c)-[:SUGGESTED_INTRO]->() } AS out, "
            "COUNT { (c)<-[:SUGGESTED_INTRO]-() } AS inc", cid=cid)
        assert records[0]["out"] > 0 and records[0]["inc"] > 0, dict(records[0])
        assert client.get(f"/customers/{cid}/matches", headers=admin).status_code == 200

        # one introduction through the whole day (notes and feedback naming the canary), one only proposed
        providers = [m["customer"]["customer_id"] for m in
                     client.get(f"/customers/{cid}/matches", headers=admin).json()["matches"]]
        assert providers, "the canary must have matches to introduce"
        r = client.post("/introductions", headers=admin, json={"needer_id": cid, "provider_id": providers[0]})
        assert r.status_code == 201, r.text
        day = r.json()["introduction_id"]
        for action, body in [("approve", {"note": f"{name} is keen"}), ("offer", {}),
                             ("accept", {"party": "needer", "note": f"{name} said yes"}),
                             ("accept", {"party": "provider"}), ("met", {}),
                             ("outcome", {"outcome": "deal", "value": 5000.0}),
                             ("feedback", {"party": "provider", "rating": 5, "comment": f"{name} was great",
                                           "visibility": "shared"}),
                             ("feedback", {"party": "needer", "rating": 4, "comment": "good partner"})]:
            r = client.post(f"/introductions/{day}/{action}", headers=admin, json=body)
            assert r.status_code == 200, (action, r.text)
        needers = [c for c in partners if c not in providers[:1] and c != partners[-1]]
        second = None
        for needer in needers:
            r = client.post("/introductions", headers=admin, json={"needer_id": needer, "provider_id": cid})
            if r.status_code == 201:
                second = r.json()["introduction_id"]
                break
        assert second is not None, "the canary must also be proposed as a provider"
        before = client.get("/program/metrics", headers=admin).json()["overall"]
        # controls: the searches below do find the canary while it exists (so "no hit" later means something)
        assert cid in _graph_dump(driver) and name in _graph_dump(driver)
        assert _files_with([own.artifacts_dir], [cid]), "the model artifacts should know the canary before erasure"
        assert _files_with([own.var_dir], [text_key(texts[0])]), "the text cache should hold the canary's need"

        # only an admin may erase
        for role, manager in (("analyst", None), ("relationship_manager", "rm-canary"), ("service", None)):
            assert client.delete(f"/customers/{cid}", headers=_auth(driver, role, manager)).status_code == 403
        assert client.delete(f"/customers/{cid}").status_code == 401
        r = client.delete(f"/customers/{cid}", headers=admin)
        assert r.status_code == 204, r.text
        assert client.get(f"/customers/{cid}", headers=admin).status_code == 404
        assert client.delete(f"/customers/{cid}", headers=admin).status_code == 404

        # the introductions survive as tombstones and still count in the program metrics
        after = client.get("/program/metrics", headers=admin).json()["overall"]
        assert after == before
        for intro in (day, second):
            r = client.get(f"/introductions/{intro}", headers=admin)
            assert r.status_code == 200, r.text

    needles = [cid, name, token] + [text_key(t) for t in texts]
    dump = _graph_dump(driver)
    assert not [n for n in needles if n in dump], "the graph still holds a trace of the erased customer"
    records, _, _ = driver.execute_query("MATCH (i:Introduction) WHERE i.introduction_id IN $ids "
                                         "RETURN i.introduction_id AS id, i.tombstone AS t, i.needer_id AS needer, "
                                         "i.provider_id AS provider", ids=[day, second])
    tombstones = {r["id"]: r for r in records}
    assert len(tombstones) == 2 and all(r["t"] for r in records)
    # the erased side is blank; the other party's side of the record stays
    assert tombstones[day]["needer"] is None and tombstones[day]["provider"] == providers[0]
    assert tombstones[second]["provider"] is None and tombstones[second]["needer"] in needers
    records, _, _ = driver.execute_query("MATCH (e:Erasure) RETURN count(e) AS n")
    assert records[0]["n"] == 1

    neo4j_logs = settings.neo4j_home / "logs"
    assert not _files_with([own.artifacts_dir, own.var_dir, neo4j_logs], needles)
    # the product's own log records (the test's HTTP client logs its request URLs; uvicorn's access log is off)
    product_log = "\n".join(f"{r.name}: {r.getMessage()}" for r in caplog.records if not r.name.startswith("httpx"))
    assert not [n for n in needles if n in product_log], "the API's log names the erased customer"

    # the next training export cannot see them
    graph = export_graph(driver, settings=own, text=False)
    assert cid not in graph.id_maps["customer"]
    assert not [n for n in needles if n in repr(graph.raw)]

    # an old export that still holds the canary is refused for that customer (and only for them)
    old = tmp_path / "old-export"
    shutil.copytree(sample_bank_dir, old)
    with (old / "customers.csv").open("a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow([cid, name, "business", "retail", "north", "sme", "true", "low", "opt_in",
                                "2024-01-01T00:00:00Z", "rm-canary", "2023-01-01T00:00:00Z"])
    report = tmp_path / "reload-report.csv"
    reloaded = load_folder(driver, folder=old, report_path=report)
    assert reloaded.rejected == 1
    assert "erased" in report.read_text(encoding="utf-8")
    records, _, _ = driver.execute_query("MATCH (c:Customer {customer_id: $cid}) RETURN count(c) AS n", cid=cid)
    assert records[0]["n"] == 0
    with TestClient(create_app(own)) as client:
        r = client.post("/customers", headers=_auth(driver, "admin"), json={
            "customer_id": cid, "name": name, "industry": "retail", "region": "north", "segment": "sme"})
        assert r.status_code == 409, r.text
