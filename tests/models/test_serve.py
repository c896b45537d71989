"""Serving: inductive scores for a customer created after training, only matching and eligible providers."""

import pytest
import torch

from graph.errors import NotFound
from models.data import export_graph
from models.serve import load_current
from models.train import TrainConfig, embed_all, run
from tests.models import tinybank


@pytest.fixture
def scorer(db, settings, tmp_path):
    s = tinybank.scratch_settings(settings, tmp_path)
    bank = tinybank.build(db, customers=45, referrals=180)
    assert load_current(s) is None  # nothing promoted yet: callers fall back to the category rule
    run(db, settings=s, config=TrainConfig(epochs=15), progress=False, text=False)
    scorer = load_current(s)
    scorer.base(db)
    return scorer, bank


def _offers(db, provider: str) -> set[str]:
    records, _, _ = db.execute_query(
        "MATCH (:Customer {customer_id: $id})-[:CAN_PROVIDE]->(k:Capability) RETURN k.category AS c", id=provider)
    return {r["c"] for r in records}


def test_a_customer_created_after_training_gets_scores_without_retraining(db, scorer):
    scorer, _ = scorer
    tinybank.add_customer(db, "NEWCO", region="north", needs=["accounting", "marketing"])
    ranked = scorer.rank(db, customer_id="NEWCO", k=5)
    assert 0 < len(ranked) <= 5
    assert all(0.0 <= c.score <= 1.0 for c in ranked)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(_offers(db, c.customer_id) & {"accounting", "marketing"} for c in ranked)
    # the live embedding is the one a full re-export with the same weights gives
    live = scorer.embed(db, customer_id="NEWCO")
    graph = export_graph(db, settings=scorer.settings, spec=scorer.spec)
    full = embed_all(scorer.model, graph)["customer"][graph.index("customer")["NEWCO"]]
    assert torch.allclose(live, full, atol=1e-4)


def test_rank_returns_only_eligible_providers_right_now(db, scorer):
    scorer, bank = scorer
    needer = next(c for c in bank["customers"] if scorer.rank(db, customer_id=c, k=3))
    top = scorer.rank(db, customer_id=needer, k=3)[0].customer_id
    db.execute_query("MATCH (c:Customer {customer_id: $id}) SET c.consent = 'opt_out'", id=top)
    after = scorer.rank(db, customer_id=needer, k=50)
    assert top not in {c.customer_id for c in after}
    assert needer not in {c.customer_id for c in after}
    with pytest.raises(NotFound):
        scorer.rank(db, customer_id="nobody-here", k=3)
