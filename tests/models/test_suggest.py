"""`icrm suggest`: top-K with reasons, only between eligible customers, replacing the previous run."""

import json

from graph.suggestions import suggestions_for
from models import artifacts
from models.suggest import run as suggest
from models.train import TrainConfig
from models.train import run as train
from tests.models import tinybank

EDGES = """MATCH (a:Customer)-[s:SUGGESTED_INTRO]->(b:Customer)
RETURN a.customer_id AS needer, b.customer_id AS provider, s.rank AS rank, s.score AS score,
       s.reasons AS reasons, s.reason_text AS reason_text, s.model_version AS version, s.run_id AS run_id,
       a.vetted AND a.consent = 'opt_in' AND a.risk_rating <> 'high' AS needer_ok,
       b.vetted AND b.consent = 'opt_in' AND b.risk_rating <> 'high' AS provider_ok,
       EXISTS { (a)-[:REFERRED]-(b) } AS referred"""
OPEN_NEED = "MATCH (:Customer {customer_id: $c})-[:HAS_NEED]->(n:Need {need_id: $n}) RETURN n.status AS s, n.category AS cat"


def test_suggest_writes_explained_top_k_for_eligible_customers_and_replaces_the_last_run(db, settings, tmp_path):
    s = tinybank.scratch_settings(settings, tmp_path)
    tinybank.build(db, customers=45, referrals=180)
    trained = train(db, settings=s, config=TrainConfig(epochs=10), progress=False, text=False)

    first = suggest(db, settings=s, k=3, progress=False)
    rows = [r.data() for r in db.execute_query(EDGES)[0]]
    assert first.version == trained.version == artifacts.current_version(s)
    assert rows and len(rows) == first.suggestions and first.with_suggestions > 5
    per_needer: dict[str, list[int]] = {}
    for r in rows:
        assert r["needer_ok"] and r["provider_ok"] and not r["referred"] and r["needer"] != r["provider"]
        reasons = json.loads(r["reasons"])
        assert reasons and r["reason_text"] and r["version"] == trained.version
        for reason in reasons:
            need = db.execute_query(OPEN_NEED, c=r["needer"], n=reason["need_id"])[0][0]
            assert need["s"] == "open" and need["cat"] == reason["capability_category"] == reason["need_category"]
        per_needer.setdefault(r["needer"], []).append(r["rank"])
    assert all(sorted(ranks) == list(range(1, len(ranks) + 1)) and len(ranks) <= 3 for ranks in per_needer.values())
    needer = next(iter(per_needer))
    stored = suggestions_for(db, customer_id=needer, k=10)
    assert [x.rank for x in stored] == sorted(per_needer[needer]) and stored[0].reasons

    # a customer who opts out disappears from the next run, on both sides; the old run is gone
    gone = rows[0]["provider"]
    db.execute_query("MATCH (c:Customer {customer_id: $id}) SET c.consent = 'opt_out'", id=gone)
    second = suggest(db, settings=s, k=3, progress=False)
    rows = [r.data() for r in db.execute_query(EDGES)[0]]
    assert {r["run_id"] for r in rows} == {second.run_id} != {first.run_id}
    assert gone not in {r["needer"] for r in rows} | {r["provider"] for r in rows}
    assert db.execute_query("MATCH (r:SuggestionRun) RETURN count(r) AS n")[0][0]["n"] == 1
