"""`icrm evaluate`: filtered ranking over eligible providers, and the GNN next to three baselines on a tiny bank."""

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from graph.eligibility import eligible_customer_ids
from models.baselines import History
from models.data import export_graph, temporal_split
from models.evaluate import GNN, Task, evaluate_split, rank_metrics
from models.train import TrainConfig


def small_task() -> Task:
    # two needers x four candidates; needer 0 has two true providers (cols 0 and 2), needer 1 one (col 3)
    allowed = np.array([[True, True, True, False], [True, True, True, True]])
    return Task(needers=np.array([10, 11]), candidates=np.array([20, 21, 22, 23]), allowed=allowed,
                positives=np.array([[0, 0], [0, 2], [1, 3]]), hard_negatives=np.zeros((0, 2), dtype=np.int64))


def test_rank_is_filtered_and_ignores_disallowed_candidates() -> None:
    scores = np.array([[0.5, 0.9, 0.7, 5.0],    # col 3 scores highest but may not be offered to needer 0
                       [0.1, 0.2, 0.3, 0.25]])
    m = rank_metrics(scores, small_task())
    # needer 0: col 0 is beaten by col 1 only (col 2, another true provider, is left out) -> rank 2;
    # col 2 is beaten by col 1 -> rank 2; needer 1: col 3 beaten by col 2 -> rank 2
    assert m["mrr"] == pytest.approx(0.5)
    assert m["hits@10"] == 1.0


def test_ties_count_half_so_a_constant_scorer_is_not_rewarded() -> None:
    m = rank_metrics(np.zeros((2, 4)), small_task())
    # needer 0: one competitor tied -> rank 1.5; needer 1: three tied -> rank 2.5
    assert m["mrr"] == pytest.approx((1 / 1.5 + 1 / 1.5 + 1 / 2.5) / 3)


@pytest.mark.slow
def test_gnn_and_three_baselines_on_the_same_split(sample_bank, settings) -> None:
    graph = export_graph(sample_bank, settings=settings, text=False)
    split = temporal_split(graph)
    # the baselines see only referrals from before the test period
    history = History.from_graph(graph, cutoff=split.test_cutoff)
    before = int((torch.nan_to_num(graph.referral_time, nan=-float("inf")) < split.test_cutoff).sum())
    assert history.referrals.shape[1] == before < graph.referrals.size(1)
    report = evaluate_split(graph, split, eligible_ids=set(eligible_customer_ids(sample_bank)), seeds=2,
                            config=TrainConfig(epochs=3, patience=3, hidden=16, out=16))
    table = report.table()
    assert set(table) == {GNN, "popularity", "adamic_adar", "category_match"}
    for method, metrics in table.items():
        for name, (mean, std) in metrics.items():
            assert 0.0 <= mean <= 1.0, (method, name, mean)
            assert std >= 0.0
    # the baselines are deterministic: the same ranks for every seed
    for method in ("popularity", "adamic_adar", "category_match"):
        assert table[method]["mrr"][1] == 0.0
    out = report.to_json()
    assert out["test_deals"] > 0 and out["candidates"] > 0
    assert json.loads(json.dumps(out))["methods"][GNN]["mrr"]["mean"] == pytest.approx(table[GNN]["mrr"][0])


@pytest.mark.slow
def test_evaluate_cli_prints_json_table(sample_bank, settings, monkeypatch) -> None:
    from cli.main import app

    result = CliRunner().invoke(app, ["evaluate", "--seeds", "1", "--epochs", "2", "--no-text", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out["methods"]) == {GNN, "popularity", "adamic_adar", "category_match"}
    assert {"mrr", "hits@10", "hits@50", "auc"} <= set(out["methods"][GNN])
    assert isinstance(out["meets_target"], bool)


def test_evaluate_on_an_empty_graph_is_a_clear_error(db) -> None:
    from cli.main import app

    result = CliRunner().invoke(app, ["evaluate", "--seeds", "1", "--epochs", "1", "--no-text"])
    assert result.exit_code == 1
    assert "error" in result.output.lower() and "Traceback" not in result.output
