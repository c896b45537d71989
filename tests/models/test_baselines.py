"""Each baseline ranks a tiny hand-built bank exactly as worked out by hand."""

import math

import numpy as np

from models.baselines import History, adamic_adar, build_baselines, category_match, popularity

# customers 0..5; referrals (needer, provider, label): 1 deal, 0 declined / no_deal, -1 pending
REFERRALS = [(0, 2, 1), (1, 2, 1), (3, 2, 1), (0, 4, 1), (3, 4, 1), (1, 5, 1), (5, 3, 0), (1, 3, -1)]
# customer 0 needs categories 0 and 1; 1 needs 2
NEEDS = [(0, 0), (0, 1), (0, 1), (1, 2)]
# capabilities (owner, category, quality)
CAPS = [(2, 0, 5.0), (3, 0, 2.0), (3, 1, 4.0), (4, 1, 1.0), (4, 1, 3.0), (5, 2, 5.0)]


def history() -> History:
    r = np.array(REFERRALS, dtype=np.int64).T
    n = np.array(NEEDS, dtype=np.int64).reshape(-1, 2)
    k = np.array(CAPS, dtype=np.float64)
    return History(num_customers=6, referrals=r, need_owner=n[:, 0], need_category=n[:, 1],
                   cap_owner=k[:, 0].astype(np.int64), cap_category=k[:, 1].astype(np.int64), cap_quality=k[:, 2],
                   num_categories=3)


def order(scores: np.ndarray, candidates: list[int]) -> list[int]:
    return [candidates[i] for i in np.argsort(-scores, kind="stable")]


def test_popularity_ranks_providers_by_past_deals_only() -> None:
    cands = [3, 5, 4, 2]
    s = popularity(history())(np.array([0, 1]), np.array(cands))
    # deals as provider: 2 -> 3, 4 -> 2, 5 -> 1, 3 -> 0 (its declined and pending referrals do not count)
    assert order(s[0], cands) == [2, 4, 5, 3]
    assert s[0].tolist() == s[1].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_adamic_adar_on_the_undirected_referral_graph() -> None:
    # neighbours of 0: {2, 4}; degrees: 2 -> 3 (0, 1, 3), 4 -> 2 (0, 3)
    cands = [1, 3, 5]
    s = adamic_adar(history())(np.array([0]), np.array(cands))[0]
    assert order(s, cands) == [3, 1, 5]
    assert math.isclose(s[1], 1 / math.log(3) + 1 / math.log(2))  # 3 shares both 2 and 4 with 0
    assert math.isclose(s[0], 1 / math.log(3))                    # 1 shares only 2
    assert s[2] == 0.0


def test_category_match_sums_best_quality_per_needed_category() -> None:
    cands = [2, 3, 4, 5]
    s = category_match(history())(np.array([0, 1]), np.array(cands))
    # customer 0 needs 0 and 1: 3 offers both (2 + 4), 2 offers 0 at 5, 4 offers 1 at best 3, 5 neither
    assert order(s[0], cands) == [3, 2, 4, 5]
    assert s[0].tolist() == [5.0, 6.0, 3.0, 0.0]
    # customer 1 needs 2: only 5 offers it
    assert s[1].tolist() == [0.0, 0.0, 0.0, 5.0]


def test_every_baseline_scores_the_same_shape_with_finite_values() -> None:
    needers, cands = np.array([0, 1, 5]), np.arange(6)
    for name, f in build_baselines(history()).items():
        s = f(needers, cands)
        assert s.shape == (3, 6), name
        assert np.isfinite(s).all(), name


def test_adamic_adar_agrees_with_networkx_on_a_random_referral_graph() -> None:
    import networkx as nx

    rng = np.random.default_rng(5)
    n = 40
    pairs = rng.integers(0, n, size=(2, 120))
    labels = rng.choice([-1, 0, 1], size=120)
    h = History(num_customers=n, referrals=np.vstack([pairs, labels]), need_owner=np.zeros(0, dtype=np.int64),
                need_category=np.zeros(0, dtype=np.int64), cap_owner=np.zeros(0, dtype=np.int64),
                cap_category=np.zeros(0, dtype=np.int64), cap_quality=np.zeros(0), num_categories=1)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(a), int(b)) for a, b in pairs.T if a != b)
    needers, cands = np.arange(n), np.arange(n)
    ours = adamic_adar(h)(needers, cands)
    theirs = np.zeros((n, n))
    for u, v, p in nx.adamic_adar_index(g, [(u, v) for u in range(n) for v in range(n) if u != v]):
        theirs[u, v] = p
    off_diagonal = ~np.eye(n, dtype=bool)
    assert np.allclose(ours[off_diagonal], theirs[off_diagonal])
