"""A synthetic bank in the CRM export contract, with learnable structure and honest noise (`icrm seed`).

The generative story (numbers are the parameters below):
1. A map of `N_REGIONS` towns on a 100 x 100 plane; each customer sits near its town. Nearby towns are close.
2. Every customer has an industry. Each industry has a sparse taste for the categories it *needs* and, separately,
   for the categories it can *provide* (Dirichlet draws), and a hidden industry x industry compatibility matrix
   says which industries like working together. Customers also belong to hidden local business communities
   (about `COMMUNITY_SIZE` members in one town): people use the providers their circle uses.
3. Each provider has a latent reliability. It drives the observed capability quality (with noise), the chance
   that a referral ends in a deal, and the rating the needer gives.
4. Needs arrive over `HISTORY_START..HISTORY_END` (3.5 years). For most needs the bank referred the customer to a
   provider with a capability of the *same category*, chosen among sampled candidates with probability
   proportional to exp(-distance / DIST_SCALE) * quality^QUALITY_POWER * compatibility(industries)
   * (1 + COMMUNITY_BOOST if the same community) * a small popularity term. Because clients of a provider share
   communities, successful referrals cluster (triadic closure: your circle's providers become yours).
5. The outcome is a deal more often when the provider is reliable, close, compatible and in the same circle;
   otherwise no_deal or declined (hard negatives). A failed first referral is often followed by a second one.
   The last `PENDING_DAYS` hold mostly pending referrals. Some needs are never served (open), old unserved ones
   are sometimes withdrawn.
6. Free text: needs, capabilities and interaction notes (branch visits, calls, social posts) are written from
   templates built on the category descriptions, so a note mentions the need it reveals.
7. Missing and messy data: empty descriptions, unknown consent, ~10% not vetted, ~5% high risk, ~20% not opted in,
   missing ratings, values, joining dates and relationship managers; businesses and individuals.

Same seed, same bytes: every random draw comes from a `numpy` generator seeded from `seed` in a fixed order.
Numeric work is vectorised; text is written in chunks, so a million customers fit in memory.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graph.categories import CATEGORY_NAMES
from graph.seed_text import write_bank

# --- the story's parameters (the evaluation engineer may tune these; say so in the commit) ---
N_REGIONS = 25
MAP_SIZE = 100.0
TOWN_SPREAD = 4.0  # how far customers sit from their town's centre
DIST_SCALE = 15.0  # provider preference falls by e every DIST_SCALE units of distance
INDUSTRIES = ("manufacturing", "construction", "retail", "hospitality", "logistics", "healthcare", "agriculture",
              "technology", "professional_services", "real_estate", "wholesale", "education", "energy",
              "automotive", "media")
AFFINITY_CONCENTRATION = 0.25  # Dirichlet alpha: lower = each industry needs/provides fewer categories
INDIVIDUAL_SHARE = 0.2
NEEDS_PER_BUSINESS = 2.5
NEEDS_PER_INDIVIDUAL = 0.8
PROVIDER_SHARE_BUSINESS = 0.45
PROVIDER_SHARE_INDIVIDUAL = 0.08
EXTRA_CAPABILITIES = 0.6  # Poisson mean of capabilities beyond the first
QUALITY_NOISE = 0.6
QUALITY_POWER = 2.0
COMPAT_SIGMA = 0.9  # log-normal spread of the hidden industry compatibility
COMMUNITY_SIZE = 40
COMMUNITY_BOOST = 4.0
POPULARITY_SIGMA = 0.3
CANDIDATES_PER_NEED = 48
REFERRAL_RATE = 0.75
SECOND_TRY_RATE = 0.5
HISTORY_START = np.datetime64("2022-01-01T00:00:00", "s")
HISTORY_END = np.datetime64("2025-07-01T00:00:00", "s")
PENDING_DAYS = 75
DAY = 86_400


@dataclass
class BankStats:
    rows: dict[str, int] = field(default_factory=dict)
    planted: list[dict] = field(default_factory=list)


@dataclass
class Bank:
    """The numeric bank: one array per column; `seed_text` turns it into CSV text."""

    region_xy: np.ndarray
    customers: dict[str, np.ndarray]
    needs: dict[str, np.ndarray]
    capabilities: dict[str, np.ndarray]
    referrals: dict[str, np.ndarray]


def _categorical(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per element of `rows` from the distribution `probs[row]` (vectorised inverse CDF)."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(rows))
    out = np.empty(len(rows), dtype=np.int64)
    for start in range(0, len(rows), 200_000):
        sl = slice(start, start + 200_000)
        out[sl] = (cum[rows[sl]] < u[sl, None]).sum(axis=1)
    return out


def _customers(rng: np.random.Generator, n: int, region_xy: np.ndarray) -> dict[str, np.ndarray]:
    t0, t1 = HISTORY_START.astype(np.int64), HISTORY_END.astype(np.int64)
    region = rng.choice(N_REGIONS, size=n, p=rng.dirichlet(np.full(N_REGIONS, 3.0)))
    xy = region_xy[region] + rng.normal(0, TOWN_SPREAD, (n, 2))
    industry = rng.choice(len(INDUSTRIES), size=n, p=rng.dirichlet(np.full(len(INDUSTRIES), 4.0)))
    individual = rng.random(n) < INDIVIDUAL_SHARE
    size = rng.lognormal(0, 1, n)
    seg = np.searchsorted(np.quantile(size, [0.4, 0.75, 0.93]), size)  # micro, sme, mid_market, corporate
    seg = np.where(individual, 4 + (rng.random(n) < 0.3), seg)  # private, mass_affluent
    # communities: local circles inside a town, numbered globally
    per_town = np.maximum(1, np.bincount(region, minlength=N_REGIONS) // COMMUNITY_SIZE)
    community = np.concatenate([[0], np.cumsum(per_town)])[region] + (rng.random(n) * per_town[region]).astype(int)
    joined = np.where(rng.random(n) < 0.85, rng.integers(t0 - 8 * 365 * DAY, t0, n), rng.integers(t0, t1 - 90 * DAY, n))
    consent = rng.choice(3, size=n, p=[0.80, 0.07, 0.13])  # opt_in, opt_out, unknown
    return {
        "region": region, "x": xy[:, 0], "y": xy[:, 1], "industry": industry, "individual": individual,
        "segment": seg, "community": community, "reliability": rng.beta(2.5, 2.0, n),
        "popularity": rng.lognormal(0, POPULARITY_SIGMA, n), "joined": joined,
        "joined_missing": rng.random(n) < 0.03, "vetted": rng.random(n) < 0.9,
        "risk": rng.choice(3, size=n, p=[0.65, 0.30, 0.05]), "consent": consent,
        "consent_at": np.minimum(joined + rng.integers(0, 400 * DAY, n), t1 - DAY),
        "rm": rng.integers(1, 41, n), "rm_missing": rng.random(n) < 0.02,
    }


def _needs(rng: np.random.Generator, c: dict[str, np.ndarray], need_taste: np.ndarray) -> dict[str, np.ndarray]:
    t0, t1 = HISTORY_START.astype(np.int64), HISTORY_END.astype(np.int64)
    lam = np.where(c["individual"], NEEDS_PER_INDIVIDUAL, NEEDS_PER_BUSINESS)
    owner = np.repeat(np.arange(len(lam)), rng.poisson(lam))
    start = np.maximum(t0, c["joined"][owner])
    return {"customer": owner, "category": _categorical(rng, need_taste, c["industry"][owner]),
            "created": start + (rng.random(len(owner)) * (t1 - start)).astype(np.int64)}


def _capabilities(rng: np.random.Generator, c: dict[str, np.ndarray], cap_taste: np.ndarray) -> dict[str, np.ndarray]:
    share = np.where(c["individual"], PROVIDER_SHARE_INDIVIDUAL, PROVIDER_SHARE_BUSINESS)
    providers = np.flatnonzero(rng.random(len(share)) < share)
    owner = np.repeat(providers, 1 + rng.poisson(EXTRA_CAPABILITIES, len(providers)))
    quality = np.clip(1.0 + 4.0 * c["reliability"][owner] + rng.normal(0, QUALITY_NOISE, len(owner)), 0, 5)
    return {"customer": owner, "category": _categorical(rng, cap_taste, c["industry"][owner]),
            "quality": np.round(quality, 1)}


class _Proposal:
    """Draws candidate capabilities of a need's category, town by town near the needer."""

    def __init__(self, c: dict, caps: dict, region_xy: np.ndarray) -> None:
        n_cat = len(CATEGORY_NAMES)
        self.order = np.lexsort((c["region"][caps["customer"]], caps["category"]))  # by category, then town
        key = caps["category"][self.order] * N_REGIONS + c["region"][caps["customer"][self.order]]
        self.counts = np.bincount(key, minlength=n_cat * N_REGIONS).reshape(n_cat, N_REGIONS)
        self.offsets = np.concatenate([[0], np.cumsum(self.counts.ravel())[:-1]]).reshape(n_cat, N_REGIONS)
        d_town = np.linalg.norm(region_xy[:, None] - region_xy[None], axis=-1)
        kernel = np.exp(-d_town / (2 * DIST_SCALE))  # half the distance preference here, the rest per pair
        prop = kernel[None] * self.counts[:, None, :]  # [category, needer town, provider town]
        self.total = prop.sum(-1)
        self.cum = np.cumsum(prop / np.where(self.total > 0, self.total, 1)[..., None], axis=-1)
        self.cum[..., -1] = 1.0

    def draw(self, rng: np.random.Generator, cat: np.ndarray, town: np.ndarray) -> np.ndarray:
        """CANDIDATES_PER_NEED capability indices per need (-1 where the category has no provider at all)."""
        m = CANDIDATES_PER_NEED
        u = rng.random((len(cat), m))
        pick_town = (self.cum[cat, town][:, None, :] < u[..., None]).sum(-1)
        within = (rng.random((len(cat), m)) * self.counts[cat[:, None], pick_town]).astype(np.int64)
        idx = self.order[np.minimum(self.offsets[cat[:, None], pick_town] + within, len(self.order) - 1)]
        return np.where((self.total[cat, town] > 0)[:, None], idx, -1)


def _choose(rng: np.random.Generator, c: dict, needs: dict, caps: dict, compat: np.ndarray,
            proposal: _Proposal, sl: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two preferred providers per need in `sl` (Gumbel top-2 over weighted candidates), -1 when none."""
    cand = proposal.draw(rng, needs["category"][sl], c["region"][needs["customer"][sl]])
    u = needs["customer"][sl][:, None]
    v = np.where(cand >= 0, caps["customer"][np.maximum(cand, 0)], -1)
    dist = np.hypot(c["x"][u] - c["x"][v], c["y"][u] - c["y"][v])
    same = c["community"][u] == c["community"][v]
    w = (np.exp(-dist / (2 * DIST_SCALE)) * (caps["quality"][np.maximum(cand, 0)] / 5.0) ** QUALITY_POWER
         * compat[c["industry"][u], c["industry"][v]] * c["popularity"][v] * (1 + COMMUNITY_BOOST * same))
    w = np.where((cand >= 0) & (v != u), w, 0.0)
    score = np.log(np.maximum(w, 1e-300)) + rng.gumbel(size=w.shape)
    score[w <= 0] = -np.inf
    top2 = np.argsort(-score, axis=1, kind="stable")[:, :2]
    rows = np.arange(len(cand))[:, None]
    ok = np.isfinite(score[rows, top2])
    return np.where(ok, v[rows, top2], -1), dist[rows, top2], same[rows, top2]


def _referrals(rng: np.random.Generator, c: dict, needs: dict, caps: dict, compat: np.ndarray,
               region_xy: np.ndarray) -> dict[str, np.ndarray]:
    proposal = _Proposal(c, caps, region_xy)
    n_needs = len(needs["category"])
    to2 = np.full((n_needs, 2), -1, dtype=np.int64)
    dist2 = np.zeros((n_needs, 2))
    same2 = np.zeros((n_needs, 2), dtype=bool)
    for s in range(0, n_needs, 20_000):  # chunks keep the (needs x candidates) arrays small
        sl = slice(s, s + 20_000)
        to2[sl], dist2[sl], same2[sl] = _choose(rng, c, needs, caps, compat, proposal, sl)
    refer = (rng.random(n_needs) < REFERRAL_RATE) & (to2[:, 0] >= 0)
    t1 = HISTORY_END.astype(np.int64)
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("need", "from", "to", "created", "deal", "declined")}
    when = needs["created"] + rng.exponential(10 * DAY, n_needs).astype(np.int64)
    failed = np.zeros(n_needs, dtype=bool)
    for attempt in (0, 1):
        ok = refer & (to2[:, attempt] >= 0) & (when < t1)
        if attempt == 1:  # a failed first referral is often followed by a second, to another provider
            ok &= failed & (rng.random(n_needs) < SECOND_TRY_RATE) & (to2[:, 1] != to2[:, 0])
        i = np.flatnonzero(ok)
        to, dist, same = to2[i, attempt], dist2[i, attempt], same2[i, attempt]
        logit = (-0.4 + 3.0 * (c["reliability"][to] - 0.5) - 0.8 * dist / DIST_SCALE
                 + 0.8 * np.log(compat[c["industry"][needs["customer"][i]], c["industry"][to]]) + 0.7 * same)
        deal = rng.random(len(i)) < 1 / (1 + np.exp(-logit))
        declined = ~deal & (rng.random(len(i)) < 0.4 + 0.3 * (dist > DIST_SCALE))
        for k, val in (("need", i), ("from", needs["customer"][i]), ("to", to), ("created", when[i]),
                       ("deal", deal), ("declined", declined)):
            out[k].append(val)
        failed = np.zeros(n_needs, dtype=bool)
        failed[i[~deal]] = True
        when = when + rng.integers(20 * DAY, 60 * DAY, n_needs)
    ref = {k: np.concatenate(vs) for k, vs in out.items()}
    order = np.lexsort((ref["need"], ref["created"]))
    ref = {k: vs[order] for k, vs in ref.items()}
    ref["pending"] = (ref["created"] > t1 - PENDING_DAYS * DAY) & (rng.random(len(order)) < 0.85)
    return ref


def build_bank(*, customers: int, seed: int) -> Bank:
    """Every number of the bank, drawn in a fixed order from one generator."""
    if customers < 10:
        raise ValueError("a sample bank needs at least 10 customers")
    rng = np.random.default_rng(seed)
    region_xy = rng.uniform(0, MAP_SIZE, (N_REGIONS, 2))
    n_ind, n_cat = len(INDUSTRIES), len(CATEGORY_NAMES)
    need_taste = rng.dirichlet(np.full(n_cat, AFFINITY_CONCENTRATION), n_ind)
    cap_taste = rng.dirichlet(np.full(n_cat, AFFINITY_CONCENTRATION), n_ind)
    compat = rng.lognormal(0, COMPAT_SIGMA, (n_ind, n_ind))
    c = _customers(rng, customers, region_xy)
    needs = _needs(rng, c, need_taste)
    caps = _capabilities(rng, c, cap_taste)
    refs = _referrals(rng, c, needs, caps, compat, region_xy)
    return Bank(region_xy, c, needs, caps, refs)


def generate_bank(*, customers: int, seed: int, out: Path, bad_rows: bool = False) -> BankStats:
    """Write customers.csv, needs.csv, capabilities.csv, referrals.csv and interactions.csv into `out`."""
    bank = build_bank(customers=customers, seed=seed)
    stats = BankStats(rows=write_bank(bank, out=out, seed=seed))
    if bad_rows:
        from graph.seed_bad_rows import plant_bad_rows

        stats.planted = plant_bad_rows(out)
    return stats
