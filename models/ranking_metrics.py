"""Metrics shared by the Cora check and `icrm evaluate`: AUC and AP of scores, mean and std over seeds."""

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


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and population std (0 for a single seed)."""
    a = np.asarray(values, dtype=float)
    return float(a.mean()), float(a.std())
