"""Read side of GET /matches: stored suggestions with everything the response needs, in as few round-trips as
possible, always passed through the one eligibility rule (`graph.eligibility`) at request time.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from neo4j import READ_ACCESS, Driver, RoutingControl
from pydantic import BaseModel

from graph.cypher import query
from graph.eligibility import Eligibility, eligible_candidates, eligible_candidates_in, judge
from graph.reasons import pair_reasons


class Reason(BaseModel):
    """A need of the asking customer that a capability of the other one meets."""

    need_id: str | None = None
    need_category: str | None = None
    need_text: str | None = None
    capability_id: str | None = None
    capability_category: str | None = None
    capability_text: str | None = None
    quality: float | None = None


class MatchRow(BaseModel):
    customer_id: str
    name: str | None = None
    industry: str | None = None
    region: str | None = None
    score: float
    rank: int
    reasons: list[Reason] = []
    shared_connections: int = 0


@dataclass
class StoredMatches:
    exists: bool
    manager: str | None
    eligibility: Eligibility
    version: str | None
    new_needs: bool
    open_needs: int = 0
    rows: list[MatchRow] = field(default_factory=list)


def _reasons(raw: Any) -> list[Reason]:
    if not raw:
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
        return [Reason(**{k: v for k, v in item.items() if k in Reason.model_fields}) for item in items]
    except (ValueError, TypeError, AttributeError):
        return []  # an unreadable stored reason must not fail the request; the score still stands


def stored_matches(driver: Driver, *, customer_id: str, k: int) -> StoredMatches:
    """The newest stored suggestions for `customer_id` that are still allowed now (at most `k`).

    Two auto-commit reads in one session: the view query, then the shared pair rule (`graph.eligibility`) on
    the candidates it found.
    """
    fetch = 2 * k + 10  # headroom for candidates the live filter drops
    with driver.session(default_access_mode=READ_ACCESS) as session:
        r = session.run(query("matches_view"), customer_id=customer_id, fetch=fetch).single(strict=True)
        result = StoredMatches(exists=bool(r["exists"]), manager=r["manager"], eligibility=judge(r),
                               version=r["version"], new_needs=bool(r["new_needs"]),
                               open_needs=int(r["open_needs"]))
        if not result.eligibility.eligible or not r["rows"]:
            return result
        rows = {row["customer_id"]: row for row in r["rows"]}
        allowed = eligible_candidates_in(session, customer_id=customer_id, candidate_ids=list(rows))[:k]
    result.rows = [MatchRow(customer_id=cid, name=rows[cid]["name"], industry=rows[cid]["industry"],
                            region=rows[cid]["region"], score=float(rows[cid]["score"] or 0.0), rank=rank,
                            reasons=_reasons(rows[cid]["reasons"]), shared_connections=int(rows[cid]["shared"]))
                   for rank, cid in enumerate(allowed, start=1)]
    return result


def live_matches(driver: Driver, *, customer_id: str, scored: list[tuple[str, float]], k: int) -> list[MatchRow]:
    """Rows for candidates scored at request time (cold start): filtered, described, with current reasons."""
    allowed = eligible_candidates(driver, customer_id=customer_id, candidate_ids=[c for c, _ in scored])[:k]
    if not allowed:
        return []
    reasons = pair_reasons(driver, pairs=[(customer_id, c) for c in allowed])
    scores = dict(scored)
    records, _, _ = driver.execute_query(query("match_details"), customer_id=customer_id, candidate_ids=allowed,
                                         routing_=RoutingControl.READ)
    details = {rec["customer_id"]: rec for rec in records}
    rows = []
    for rank, cid in enumerate([c for c in allowed if c in details], start=1):
        d = details[cid]
        rows.append(MatchRow(customer_id=cid, name=d["name"], industry=d["industry"], region=d["region"],
                             score=float(scores[cid]), rank=rank, shared_connections=int(d["shared"]),
                             reasons=[_reason_of(x) for x in reasons.get((customer_id, cid), [])]))
    return rows


def _reason_of(x: Any) -> Reason:
    """Map the model core's `Reason` (need_description / capability_description) onto the response's shape."""
    data = x.model_dump() if hasattr(x, "model_dump") else dict(x)
    data.setdefault("need_text", data.pop("need_description", None))
    data.setdefault("capability_text", data.pop("capability_description", None))
    return Reason(**{k: v for k, v in data.items() if k in Reason.model_fields})
