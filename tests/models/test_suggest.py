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


def test_batch_ranking_keeps_what_the_per_customer_path_keeps_even_from_a_stale_base(db, settings):
    # the bulk pre-filters are read before the ranking; the pair rule, checked live, has the last word
    import torch

    from graph.eligibility import eligible_customer_ids
    from models.data import export_graph
    from models.fit import build_model
    from models.serve import Scorer
    from models.suggest import rank_all

    ids = tinybank.build(db, customers=45, referrals=180)["customers"]
    graph = export_graph(db, settings=settings, text=False)
    torch.manual_seed(0)
    config = TrainConfig()
    scorer = Scorer(version="t", model=build_model(graph.spec, config).eval(), spec=graph.spec, config=config,
                    settings=settings)
    base = scorer.build_base(graph)
    customers = eligible_customer_ids(db)
    before = rank_all(db, scorer=scorer, customer_ids=customers, k=3, base=base)
    needer = next(c for c in customers if len(before[c]) == 3)
    introduced, second = before[needer][0].customer_id, before[needer][1].customer_id
    db.execute_query("""MATCH (a:Customer {customer_id: $a}), (b:Customer {customer_id: $b})
                        CREATE (a)-[:NEEDER_IN]->(:Introduction {introduction_id: 't1', state: 'declined'})
                               <-[:PROVIDER_IN]-(b)""", a=needer, b=introduced)
    # after the base was read: most providers opt out, so spares and full rankings have to fill the places
    providers = {x.customer_id for xs in before.values() for x in xs} - {needer, second}
    gone = sorted(providers)[: 2 * len(providers) // 3]
    db.execute_query("UNWIND $ids AS id MATCH (c:Customer {customer_id: id}) SET c.consent = 'opt_out'", ids=gone)

    after = rank_all(db, scorer=scorer, customer_ids=customers, k=3, base=base)
    index = base.customer_index
    for cid in customers:
        wanted = {x.category for x in graph.raw.needs if x.customer_id == cid and x.status == "open"}
        one = scorer.top(db, base=base, customer_id=cid, z_src=base.z_src[index[cid]], wanted=wanted,
                         exclude={cid}, k=3)
        assert [x.customer_id for x in after[cid]] == [x.customer_id for x in one], cid
        assert all(abs(a.score - b.score) < 1e-5 for a, b in zip(after[cid], one, strict=True))
    assert introduced not in [x.customer_id for x in after[needer]]
    assert after[needer][0].customer_id == second
    assert not {x.customer_id for xs in after.values() for x in xs} & set(gone)
    assert sum(len(xs) == 3 for xs in after.values()) > 5
    assert set(ids) >= set(after) and not after.get("nobody")
