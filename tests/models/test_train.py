"""Training on a tiny seeded bank: it learns (beats an untrained model), keeps its best state, never leaks."""

import torch

from models.data import export_graph, temporal_split
from models.fit import split_step
from models.train import TrainConfig, build_model, evaluate, train_model
from tests.models import tinybank


def test_training_beats_random_and_keeps_the_best_validation_state(db, settings):
    tinybank.build(db, customers=60, referrals=240)
    graph = export_graph(db, settings=settings, text=False)
    split = temporal_split(graph)
    torch.manual_seed(0)
    untrained = build_model(graph.spec, TrainConfig()).eval()
    model, history = train_model(graph, split, config=TrainConfig(epochs=40, patience=40), seed=0)
    before, after = evaluate(untrained, graph, split, stage="test"), evaluate(model, graph, split, stage="test")
    assert after["mrr"] > before["mrr"] + 0.1, (before, after)
    assert after["auc"] > 0.8
    best = max(r["val_mrr"] for r in history)
    assert abs(evaluate(model, graph, split, stage="val")["mrr"] - best) < 1e-6


def test_a_step_never_supervises_a_pair_it_can_see():
    # pair (0, 1) three times, the reverse (1, 0) once: all four must fall on the same side in every step
    train = torch.tensor([[0, 0, 1, 2, 3, 0, 4, 5], [1, 1, 0, 3, 2, 1, 5, 4], [1, 0, 1, 1, 0, 1, 1, 1]])
    gen = torch.Generator().manual_seed(3)
    for _ in range(50):
        visible, sup = split_step(train, mp_frac=0.5, gen=gen)
        assert visible.size(1) + sup.size(1) == train.size(1)
        seen = {frozenset(p) for p in visible[:2].T.tolist()}
        asked = {frozenset(p) for p in sup[:2].T.tolist()}
        assert not seen & asked


def test_validation_ranks_are_filtered_and_count_ties_half():
    from models.sampling import ranking_metrics

    candidates = torch.tensor([10, 11, 12, 13])
    # needer 0 made deals with 11 and 10; needer 1 with 12 and with 99, who is no candidate (a miss)
    deals = torch.tensor([[0, 0, 1, 1], [11, 10, 12, 99]])
    scores = torch.tensor([[0.9, 0.5, 0.5, 0.1],
                           [0.2, 0.8, 0.3, 0.3]])
    # 0->11: 10 is a true provider (filtered), 12 ties: rank 1.5; 0->10: rank 1;
    # 1->12: 11 above, 13 ties: rank 2.5; 1->99: never ranked
    got = ranking_metrics(scores, deals, candidates, ks=(1, 2))
    assert abs(got["mrr"] - (1 / 1.5 + 1 + 1 / 2.5) / 4) < 1e-6
    assert got["hits@1"] == 0.25 and got["hits@2"] == 0.5
