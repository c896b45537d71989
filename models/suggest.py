"""`icrm suggest`: score every eligible customer with the promoted model and store its top K with reasons.

Eligibility is enforced here (both sides, through `graph.eligibility`), not only in the API; a pair is written
only with at least one reason (an open need of the first that a capability of the second serves).
"""

import time
from collections import defaultdict
from dataclasses import dataclass

import torch
from neo4j import Driver

from graph.eligibility import eligible_customer_ids, eligible_pairs
from graph.reasons import pair_reasons
from graph.settings import Settings
from graph.suggestions import SuggestionRow, replace_suggestions
from models import ModelError
from models.serve import ScoredCandidate, Scorer, chunk_size, first_eligible, load_current


@dataclass(frozen=True)
class SuggestResult:
    version: str
    run_id: str
    customers: int          # eligible customers scored
    with_suggestions: int
    suggestions: int        # edges written
    seconds: float


def _progress(items: list[str], enabled: bool):  # noqa: ANN202 (an iterator over items)
    if not enabled:
        return iter(items)
    from rich.progress import track

    return track(items, description="suggesting", transient=False)


@torch.no_grad()
def rank_all(driver: Driver, *, scorer: Scorer, customer_ids: list[str], k: int, progress: bool = False
             ) -> dict[str, list[ScoredCandidate]]:
    """Top-k eligible providers for each customer, from a freshly read base graph (one matmul per customer)."""
    base = scorer.refresh(driver)
    graph = base.graph
    index = base.customer_index
    open_cats: dict[int, set[str]] = defaultdict(set)
    for n in graph.raw.needs:
        if n.status == "open" and n.customer_id in index:
            open_cats[index[n.customer_id]].add(n.category)
    ids = graph.id_maps["customer"]
    partners: dict[int, set[str]] = defaultdict(set)
    for a, b in zip(graph.referrals[0].tolist(), graph.referrals[1].tolist(), strict=True):
        partners[a].add(ids[b])
        partners[b].add(ids[a])
    ranked: dict[str, list[tuple[str, float]]] = {}
    for cid in _progress(customer_ids, progress):
        i = index.get(cid)
        if i is None or not open_cats.get(i):
            ranked[cid] = []
            continue
        ranked[cid] = scorer.ranked(base=base, z_src=base.z_src[i], wanted=open_cats[i], exclude={cid} | partners[i])
    # one batched eligibility pass over every customer's first chunk; the few customers it leaves short of k
    # are topped up one by one from the rest of their ranking
    chunk = chunk_size(k)
    first = [(cid, c) for cid, cands in ranked.items() for c, _ in cands[:chunk]]
    allowed = set(eligible_pairs(driver, pairs=first))
    out: dict[str, list[ScoredCandidate]] = {}
    for cid, cands in ranked.items():
        kept = [ScoredCandidate(c, s) for c, s in cands[:chunk] if (cid, c) in allowed][:k]
        if len(kept) < k and len(cands) > chunk:
            kept += first_eligible(driver, customer_id=cid, ranked=cands, k=k - len(kept), start=chunk)
        out[cid] = kept
    return out


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
