"""`icrm suggest`: score every eligible customer with the promoted model and store its top K with reasons.

Eligibility is enforced here (both sides, through `graph.eligibility`), not only in the API; a pair is written
only with at least one reason (an open need of the first that a capability of the second serves).
"""

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from neo4j import Driver
from torch import Tensor

from graph.eligibility import eligible_customer_ids, eligible_pairs, introduced_pairs, judge
from graph.reasons import pair_reasons
from graph.settings import Settings
from graph.suggestions import SuggestionRow, replace_suggestions
from models import ModelError
from models.batch_rank import top_providers
from models.serve import Base, ScoredCandidate, Scorer, first_eligible, load_current


@dataclass(frozen=True)
class SuggestResult:
    version: str
    run_id: str
    customers: int          # eligible customers scored
    with_suggestions: int
    suggestions: int        # edges written
    seconds: float


SPARE = 5  # candidates ranked beyond k per customer, to fill the place of one the pair rule turns down


def _pre_filters(driver: Driver, *, base: Base, customer_ids: list[str]) -> tuple[Tensor, Tensor, Tensor]:
    """(needer, category) of the open needs to rank for, (provider, category) of the capabilities that may be
    offered, and the (needer, provider) pairs left out: the rule's cheap half, in bulk, before the ranking."""
    graph, index, n = base.graph, base.customer_index, base.graph.num_customers
    # who may take part, as the base read them (the customer half of the rule, `judge`)
    able = torch.tensor([judge({"exists": True, "consent": c.consent, "vetted": c.vetted,
                                "risk_rating": c.risk_rating}).eligible for c in graph.raw.customers], dtype=torch.bool)
    asked = torch.zeros(n, dtype=torch.bool)
    asked[[index[c] for c in customer_ids if c in index]] = True
    open_needs = [(index[x.customer_id], base.category_index[x.category]) for x in graph.raw.needs
                  if x.status == "open" and x.customer_id in index and x.category in base.category_index]
    wanted = torch.tensor(open_needs, dtype=torch.long).reshape(-1, 2).T
    owner = graph.data["customer", "can_provide", "capability"].edge_index[0]
    offered = torch.stack([owner, graph.data["capability", "in_category", "category"].edge_index[1]])
    # the same customer, a referral either way (as the base read them), an introduction either way (read now)
    met = [(index[a], index[b]) for a, b in introduced_pairs(driver) if a in index and b in index]
    refs = graph.referrals[:2]
    excluded = torch.cat([torch.arange(n).repeat(2, 1), refs, refs.flip(0),
                          torch.tensor(met, dtype=torch.long).reshape(-1, 2).T], dim=1)
    return wanted[:, (asked & able)[wanted[0]]], offered[:, able[offered[0]]], excluded


@torch.no_grad()
def rank_all(driver: Driver, *, scorer: Scorer, customer_ids: list[str], k: int, progress: bool = False,
             base: Base | None = None) -> dict[str, list[ScoredCandidate]]:
    """Top-k eligible providers for each customer, best first, from `base` (default: the graph read afresh).

    Ranked in bulk over pre-filters (`_pre_filters`), then every kept pair is confirmed live with the one pair
    rule; the rare customer it leaves short is topped up from its spares, then from its full ranking.
    """
    base = base or scorer.refresh(driver)
    with _collector_paused():
        return _rank_all(driver, base=base, customer_ids=customer_ids, k=k, progress=progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The ranking makes hundreds of thousands of small objects and no cycles; each full collection it would
    trigger walks every row of the graph held in memory (a third of the ranking's time at 10k customers)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _rank_all(driver: Driver, *, base: Base, customer_ids: list[str], k: int, progress: bool
              ) -> dict[str, list[ScoredCandidate]]:
    graph = base.graph
    wanted, offered, excluded = _pre_filters(driver, base=base, customer_ids=customer_ids)
    top = top_providers(z_src=base.z_src, z_dst=base.z_dst, wanted=wanted, offered=offered, excluded=excluded,
                        num_customers=graph.num_customers, k=k + SPARE, progress=progress)

    ids = graph.id_maps["customer"]
    ranked: dict[str, list[tuple[str, float]]] = {c: [] for c in customer_ids}
    for a, b, sc in zip(top.needer.tolist(), top.provider.tolist(), top.score.tolist(), strict=True):
        ranked[ids[a]].append((ids[b], sc))
    # every pair kept passes the one pair rule: the first k of each customer in one pass, spares where needed
    allowed = set(eligible_pairs(driver, pairs=[(c, p) for c, cands in ranked.items() for p, _ in cands[:k]]))
    short = [c for c, cands in ranked.items() if any((c, p) not in allowed for p, _ in cands[:k])]
    allowed |= set(eligible_pairs(driver, pairs=[(c, p) for c in short for p, _ in ranked[c][k:]]))
    out: dict[str, list[ScoredCandidate]] = {}
    for cid, cands in ranked.items():
        kept = [ScoredCandidate(c, s) for c, s in cands if (cid, c) in allowed][:k]
        if len(kept) < k and len(cands) == k + SPARE:  # all spares turned down: the ranking may hold more
            kept = _from_full_ranking(driver, base=base, customer_id=cid, k=k)
        out[cid] = kept
    return out


def _from_full_ranking(driver: Driver, *, base: Base, customer_id: str, k: int) -> list[ScoredCandidate]:
    """The first k eligible of every provider serving the customer's open needs (the per-customer path)."""
    i = base.customer_index[customer_id]
    wanted = {x.category for x in base.graph.raw.needs if x.customer_id == customer_id and x.status == "open"}
    return first_eligible(driver, customer_id=customer_id, k=k,
                          ranked=Scorer.ranked(base=base, z_src=base.z_src[i], wanted=wanted, exclude={customer_id}))


def run(driver: Driver, *, settings: Settings, k: int = 10, progress: bool = True,
        scorer: Scorer | None = None) -> SuggestResult:
    """Replace the stored suggestions with the promoted model's top-k for every eligible customer."""
    if k < 1:
        raise ModelError("k must be at least 1")
    started = time.perf_counter()
    scorer = scorer or load_current(settings)
    if scorer is None:
        raise ModelError("no promoted model yet: run `icrm train` first")
    customers = eligible_customer_ids(driver)
    ranked = rank_all(driver, scorer=scorer, customer_ids=customers, k=k, progress=progress)
    pairs = [(cid, c.customer_id) for cid, cands in ranked.items() for c in cands]
    reasons = pair_reasons(driver, pairs=pairs)
    rows: list[SuggestionRow] = []
    for cid, cands in ranked.items():
        kept = [c for c in cands if reasons.get((cid, c.customer_id))]
        rows += [SuggestionRow(needer_id=cid, provider_id=c.customer_id, score=c.score, rank=r,
                               reasons=reasons[(cid, c.customer_id)]) for r, c in enumerate(kept, start=1)]
    run_id = replace_suggestions(driver, version=scorer.version, rows=rows)
    return SuggestResult(version=scorer.version, run_id=run_id, customers=len(customers),
                         with_suggestions=len({r.needer_id for r in rows}), suggestions=len(rows),
                         seconds=time.perf_counter() - started)
