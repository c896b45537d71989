"""Link-prediction metrics shared by the Cora check and `icrm evaluate`: AUC, AP, MRR and Hits@k."""

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def auc_ap(*, pos_scores: np.ndarray, neg_scores: np.ndarray) -> tuple[float, float]:
    """ROC AUC and average precision of positives against negatives (higher score = more likely a link)."""
    pos, neg = np.asarray(pos_scores, dtype=float), np.asarray(neg_scores, dtype=float)
    if pos.size == 0 or neg.size == 0:
        raise ValueError("AUC needs at least one positive and one negative score")
    y = np.concatenate([np.ones(pos.size), np.zeros(neg.size)])
    s = np.concatenate([pos, neg])
    return float(roc_auc_score(y, s)), float(average_precision_score(y, s))


def rank_of_positive(*, pos_score: float, neg_scores: np.ndarray) -> float:
    """1-based rank of one positive among its negatives; ties count half, so a constant scorer is not rewarded."""
    neg = np.asarray(neg_scores, dtype=float)
    higher = float(np.sum(neg > pos_score))
    tied = float(np.sum(neg == pos_score))
    return 1.0 + higher + tied / 2.0


def ranking_summary(ranks: list[float], *, hits_at: tuple[int, ...] = (10, 50)) -> dict[str, float]:
    """MRR and Hits@k over the ranks of the true providers."""
    if not ranks:
        raise ValueError("no ranked positives to summarise")
    r = np.asarray(ranks, dtype=float)
    out = {"mrr": float(np.mean(1.0 / r))}
    for k in hits_at:
        out[f"hits@{k}"] = float(np.mean(r <= k))
    return out


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and population std (0 for a single seed)."""
    a = np.asarray(values, dtype=float)
    return float(a.mean()), float(a.std())
