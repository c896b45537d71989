"""Three baselines a sceptic would try first, each scoring (needing customer, candidate provider) pairs.

All of them see only the training-period graph: referrals and needs created before the cut-off of the period
being evaluated. `popularity` = the provider's past deal count; `adamic_adar` = Adamic-Adar on the undirected
referral graph (every referral before the cut-off, whatever its outcome); `category_match` = for each category
the customer needs, the best quality of the provider's capabilities in that category, summed.

Needs are cut off separately (`needs_until`): the evaluation gives the baselines every need the GNN sees, since a
need is what a customer asks to be served for, not an outcome; only referral history is cut at the test period.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from models.data import TrainingGraph

BASELINES = ("popularity", "adamic_adar", "category_match")


@dataclass(frozen=True)
class History:
    """What the baselines may know: customers by index, past referrals, past needs and capabilities."""

    num_customers: int
    referrals: np.ndarray     # [3, R] needer, provider, label (1 deal, 0 no_deal/declined, -1 pending)
    need_owner: np.ndarray    # [N] customer index of each need the baselines may see
    need_category: np.ndarray  # [N] category index
    cap_owner: np.ndarray     # [K] customer index of each capability
    cap_category: np.ndarray  # [K] category index
    cap_quality: np.ndarray   # [K] quality 0..5
    num_categories: int

    @classmethod
    def from_graph(cls, graph: TrainingGraph, *, cutoff: float, needs_until: float | None = None) -> "History":
        """Referrals created before `cutoff` (epoch seconds) and needs created before `needs_until` (None: all)."""
        need_cutoff = np.inf if needs_until is None else needs_until
        cust = graph.index("customer")
        t = np.nan_to_num(graph.referral_time.numpy(), nan=-np.inf)
        refs = graph.referrals.numpy()[:, t < cutoff]
        categories = {name: i for i, name in enumerate(graph.id_maps["category"])}
        needs = [n for n in graph.raw.needs if n.customer_id in cust and n.category in categories
                 and (n.created_at is None or n.created_at.timestamp() < need_cutoff)]
        caps = [k for k in graph.raw.capabilities if k.customer_id in cust and k.category in categories]
        return cls(num_customers=graph.num_customers, referrals=refs,
                   need_owner=np.array([cust[n.customer_id] for n in needs], dtype=np.int64),
                   need_category=np.array([categories[n.category] for n in needs], dtype=np.int64),
                   cap_owner=np.array([cust[k.customer_id] for k in caps], dtype=np.int64),
                   cap_category=np.array([categories[k.category] for k in caps], dtype=np.int64),
                   cap_quality=np.array([k.quality for k in caps], dtype=np.float64),
                   num_categories=len(categories))


Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""scores(needers [U], candidates [C]) -> [U, C]; higher = more likely to end in a deal."""


def popularity(history: History) -> Scorer:
    """The provider's number of past deals, the same for every needer."""
    deals = history.referrals[:, history.referrals[2] == 1]
    count = np.bincount(deals[1], minlength=history.num_customers).astype(np.float64)

    def score(needers: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        return np.broadcast_to(count[candidates], (len(needers), len(candidates))).copy()

    return score


def adamic_adar(history: History) -> Scorer:
    """Sum over common referral-graph neighbours w of 1 / log(degree(w))."""
    n = history.num_customers
    src, dst = history.referrals[0], history.referrals[1]
    keep = src != dst
    a = sp.coo_matrix((np.ones(int(keep.sum())), (src[keep], dst[keep])), shape=(n, n)).tocsr()
    a = ((a + a.T) > 0).astype(np.float64).tocsr()  # undirected, one edge per pair however many referrals
    deg = np.asarray(a.sum(axis=1)).ravel()
    # a common neighbour has degree >= 2, so log(degree) > 0 wherever the weight is used
    inv_log = np.where(deg > 1, 1.0 / np.log(np.maximum(deg, 2.0)), 0.0)
    weighted = a.multiply(inv_log[None, :]).tocsr()   # row u: 1/log(deg w) for each neighbour w of u

    def score(needers: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        return np.asarray((weighted[needers] @ a[:, candidates]).todense(), dtype=np.float64)

    return score


def category_match(history: History) -> Scorer:
    """For each category the needer needed, the provider's best capability quality there, summed."""
    n, c = history.num_customers, history.num_categories
    needs = np.zeros((n, c), dtype=np.float64)
    needs[history.need_owner, history.need_category] = 1.0
    best = np.zeros((n, c), dtype=np.float64)
    # a capability of quality 0 still offers the category: count it a little rather than not at all
    np.maximum.at(best, (history.cap_owner, history.cap_category), np.maximum(history.cap_quality, 1e-3))

    def score(needers: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        return needs[needers] @ best[candidates].T

    return score


def build_baselines(history: History) -> dict[str, Scorer]:
    return {"popularity": popularity(history), "adamic_adar": adamic_adar(history),
            "category_match": category_match(history)}


def _check_finite(scores: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(scores)):
        bad = int((~np.isfinite(scores)).sum())
        raise ValueError(f"baseline produced {bad} non-finite scores")
    return scores


def score_all(scorers: dict[str, Scorer], needers: np.ndarray, candidates: np.ndarray) -> dict[str, np.ndarray]:
    """Every baseline's [U, C] score matrix for the same needers and candidates."""
    return {name: _check_finite(f(needers, candidates)) for name, f in scorers.items()}


__all__ = ["BASELINES", "History", "Scorer", "adamic_adar", "build_baselines", "category_match", "popularity",
           "score_all"]
