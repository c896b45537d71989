"""The sample bank's referral history: which provider each need was referred to, and how it ended.

Needs are replayed quarter by quarter. For each need, candidates of the need's category are drawn near the needer
(town by town) and from the needer's circle (random walks needer -> past provider -> its other client -> that
client's provider, over the deals so far); the two best by Gumbel-perturbed weight become the first and the
(optional) second referral. The parameters live in `graph.seed`.
"""

import numpy as np
from scipy import sparse

from graph import seed as P
from graph.categories import CATEGORY_NAMES

Graph = tuple[np.ndarray, np.ndarray]  # CSR (indptr, indices)


class _Proposal:
    """Draws candidate capabilities of a need's category, town by town near the needer."""

    def __init__(self, c: dict, caps: dict, region_xy: np.ndarray) -> None:
        n_cat = len(CATEGORY_NAMES)
        self.order = np.lexsort((c["region"][caps["customer"]], caps["category"]))  # by category, then town
        key = caps["category"][self.order] * P.N_REGIONS + c["region"][caps["customer"][self.order]]
        self.counts = np.bincount(key, minlength=n_cat * P.N_REGIONS).reshape(n_cat, P.N_REGIONS)
        self.offsets = np.concatenate([[0], np.cumsum(self.counts.ravel())[:-1]]).reshape(n_cat, P.N_REGIONS)
        d_town = np.linalg.norm(region_xy[:, None] - region_xy[None], axis=-1)
        kernel = np.exp(-d_town / (2 * P.DIST_SCALE))  # half the distance preference here, the rest per pair
        prop = kernel[None] * self.counts[:, None, :]  # [category, needer town, provider town]
        self.total = prop.sum(-1)
        self.cum = np.cumsum(prop / np.where(self.total > 0, self.total, 1)[..., None], axis=-1)
        self.cum[..., -1] = 1.0
        # (customer, category) -> one capability index, for candidates found by walking the deal graph
        self.cap_keys = caps["customer"] * n_cat + caps["category"]
        self.cap_sort = np.argsort(self.cap_keys, kind="stable")

    def draw(self, rng: np.random.Generator, cat: np.ndarray, town: np.ndarray) -> np.ndarray:
        """CANDIDATES_PER_NEED capability indices per need (-1 where the category has no provider at all)."""
        m = P.CANDIDATES_PER_NEED
        u = rng.random((len(cat), m))
        pick_town = (self.cum[cat, town][:, None, :] < u[..., None]).sum(-1)
        within = (rng.random((len(cat), m)) * self.counts[cat[:, None], pick_town]).astype(np.int64)
        idx = self.order[np.minimum(self.offsets[cat[:, None], pick_town] + within, len(self.order) - 1)]
        return np.where((self.total[cat, town] > 0)[:, None], idx, -1)

    def capability_of(self, who: np.ndarray, cat: np.ndarray) -> np.ndarray:
        """A capability of customer `who` in category `cat`, or -1."""
        key = np.where(who >= 0, who * len(CATEGORY_NAMES) + cat, -1)
        sorted_keys = self.cap_keys[self.cap_sort]
        pos = np.minimum(np.searchsorted(sorted_keys, key), len(sorted_keys) - 1)
        return np.where(sorted_keys[pos] == key, self.cap_sort[pos], -1)


def _step(rng: np.random.Generator, g: Graph, x: np.ndarray) -> np.ndarray:
    """One random-walk step along CSR graph `g` from each node in `x` (-1 stays -1, and so does a dead end)."""
    indptr, indices = g
    if len(indices) == 0:
        return np.full(len(x), -1)
    xs = np.maximum(x, 0)
    deg = indptr[xs + 1] - indptr[xs]
    pos = indptr[xs] + (rng.random(len(x)) * np.maximum(deg, 1)).astype(np.int64)
    return np.where((x >= 0) & (deg > 0), indices[np.minimum(pos, len(indices) - 1)], -1)


def _csr(src: list[np.ndarray], dst: list[np.ndarray], n: int) -> Graph:
    s, d = (np.concatenate(src), np.concatenate(dst)) if src else (np.zeros(0, int), np.zeros(0, int))
    m = sparse.csr_matrix((np.ones(len(s), dtype=np.int8), (s, d)), shape=(n, n))
    m.sum_duplicates()
    m.sort_indices()
    return m.indptr.astype(np.int64), m.indices.astype(np.int64)


def _choose(rng: np.random.Generator, c: dict, needs: dict, caps: dict, compat: np.ndarray,
            proposal: _Proposal, idx: np.ndarray, fwd: Graph, rev: Graph
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The two preferred providers per need in `idx` (Gumbel top-2 over weighted candidates), -1 when none."""
    cat, who = needs["category"][idx], needs["customer"][idx]
    near = proposal.draw(rng, cat, c["region"][who])
    walk = np.repeat(who, P.TRIADIC_WALKS)
    walk = _step(rng, fwd, _step(rng, rev, _step(rng, fwd, walk)))
    circle = proposal.capability_of(walk, np.repeat(cat, P.TRIADIC_WALKS)).reshape(len(idx), P.TRIADIC_WALKS)
    cand = np.concatenate([near, circle], axis=1)
    vouched = np.arange(cand.shape[1]) >= near.shape[1]
    u = who[:, None]
    v = np.where(cand >= 0, caps["customer"][np.maximum(cand, 0)], -1)
    dist = np.hypot(c["x"][u] - c["x"][v], c["y"][u] - c["y"][v])
    same = c["community"][u] == c["community"][v]
    w = (np.exp(-dist / (2 * P.DIST_SCALE)) * (caps["quality"][np.maximum(cand, 0)] / 5.0) ** P.QUALITY_POWER
         * compat[c["industry"][u], c["industry"][v]] * c["popularity"][v] * (1 + P.COMMUNITY_BOOST * same)
         * (1 + P.TRIADIC_BOOST * vouched))
    w = np.where((cand >= 0) & (v != u), w, 0.0)
    score = np.log(np.maximum(w, 1e-300)) + rng.gumbel(size=w.shape)
    score[w <= 0] = -np.inf
    top2 = np.argsort(-score, axis=1, kind="stable")[:, :2]
    rows = np.arange(len(cand))[:, None]
    ok = np.isfinite(score[rows, top2])
    return (np.where(ok, v[rows, top2], -1), dist[rows, top2], same[rows, top2],
            np.broadcast_to(vouched, cand.shape)[rows, top2])


def referrals(rng: np.random.Generator, c: dict, needs: dict, caps: dict, compat: np.ndarray,
              region_xy: np.ndarray) -> dict[str, np.ndarray]:
    proposal = _Proposal(c, caps, region_xy)
    n, n_needs = len(c["region"]), len(needs["category"])
    t0, t1 = P.HISTORY_START.astype(np.int64), P.HISTORY_END.astype(np.int64)
    refer = rng.random(n_needs) < P.REFERRAL_RATE
    delay = rng.exponential(10 * P.DAY, n_needs).astype(np.int64)
    order = np.argsort(needs["created"], kind="stable")
    period = (needs["created"][order] - t0) // (P.PERIOD_DAYS * P.DAY)
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("need", "from", "to", "created", "deal", "declined")}
    deal_src: list[np.ndarray] = []
    deal_dst: list[np.ndarray] = []
    for k in np.unique(period):
        fwd, rev = _csr(deal_src, deal_dst, n), _csr(deal_dst, deal_src, n)  # deals before this quarter
        members = order[period == k]
        for s in range(0, len(members), 20_000):  # chunks keep the (needs x candidates) arrays small
            idx = members[s:s + 20_000]
            to2, dist2, same2, vouched2 = _choose(rng, c, needs, caps, compat, proposal, idx, fwd, rev)
            when = needs["created"][idx] + delay[idx]
            failed = np.zeros(len(idx), dtype=bool)
            for attempt in (0, 1):
                ok = refer[idx] & (to2[:, attempt] >= 0) & (when < t1)
                if attempt == 1:  # a failed first referral is often followed by a second, to another provider
                    ok &= failed & (rng.random(len(idx)) < P.SECOND_TRY_RATE) & (to2[:, 1] != to2[:, 0])
                j = np.flatnonzero(ok)
                to, dist = to2[j, attempt], dist2[j, attempt]
                logit = (-0.4 + 3.0 * (c["reliability"][to] - 0.5) - 0.8 * dist / P.DIST_SCALE
                         + 0.8 * np.log(compat[c["industry"][needs["customer"][idx[j]]], c["industry"][to]])
                         + 0.7 * same2[j, attempt] + 0.5 * vouched2[j, attempt])
                deal = rng.random(len(j)) < 1 / (1 + np.exp(-logit))
                declined = ~deal & (rng.random(len(j)) < 0.4 + 0.3 * (dist > P.DIST_SCALE))
                for key, val in (("need", idx[j]), ("from", needs["customer"][idx[j]]), ("to", to),
                                 ("created", when[j]), ("deal", deal), ("declined", declined)):
                    out[key].append(val)
                deal_src.append(needs["customer"][idx[j]][deal])
                deal_dst.append(to[deal])
                failed = np.zeros(len(idx), dtype=bool)
                failed[j[~deal]] = True
                when = when + rng.integers(20 * P.DAY, 60 * P.DAY, len(idx))
    ref = {k: np.concatenate(vs) for k, vs in out.items()}
    ordered = np.lexsort((ref["need"], ref["created"]))
    ref = {k: vs[ordered] for k, vs in ref.items()}
    ref["pending"] = (ref["created"] > t1 - P.PENDING_DAYS * P.DAY) & (rng.random(len(ordered)) < 0.85)
    return ref
