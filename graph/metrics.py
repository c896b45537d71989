"""Program metrics: the introduction funnel, acceptance and conversion rates and deal value, by segment and region.

The cohort is the introductions proposed in the window `[from, to)`; each counts at every stage it reached
(an automatically offered one counts as approved). Segment and region are the needer's. Only the Introduction
node's own properties are read, so an erased customer's tombstone still counts.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from neo4j import Driver, RoutingControl
from pydantic import BaseModel, Field

from graph.cypher import query
from graph.errors import ValidationFailed

COUNTS = ("proposed", "approved", "offered", "accepted", "met", "deals", "rejected", "declined", "withdrawn")


class Funnel(BaseModel):
    proposed: int = Field(0, description="introductions proposed in the window")
    approved: int = 0
    offered: int = 0
    accepted: int = Field(0, description="accepted by both parties (double opt-in complete)")
    met: int = 0
    deals: int = 0
    rejected: int = 0
    declined: int = 0
    withdrawn: int = Field(0, description="ended because a customer lost eligibility")
    deal_value: float = Field(0.0, description="sum of the values of the deals")
    acceptance_rate: float | None = Field(None, description="accepted by both / offered")
    conversion_rate: float | None = Field(None, description="deals / proposed")


class SegmentFunnel(Funnel):
    segment: str | None


class RegionFunnel(Funnel):
    region: str | None


class ProgramMetrics(BaseModel):
    window_from: datetime | None
    window_to: datetime | None
    segment: str | None = None
    region: str | None = None
    overall: Funnel
    by_segment: list[SegmentFunnel]
    by_region: list[RegionFunnel]


def program_metrics(driver: Driver, *, window_from: datetime | None = None, window_to: datetime | None = None,
                    segment: str | None = None, region: str | None = None) -> ProgramMetrics:
    window_from, window_to = _as_utc(window_from, "from"), _as_utc(window_to, "to")
    if window_from is not None and window_to is not None and window_from >= window_to:
        raise ValidationFailed("the window is empty: `from` must be before `to`", errors=[{"field": "from"}])
    records, _, _ = driver.execute_query(query("program_metrics"), {"from": window_from, "to": window_to,
                                                                     "segment": segment, "region": region},
                                         routing_=RoutingControl.READ)
    rows = [dict(r) for r in records]
    by_segment: dict[str | None, list[dict]] = defaultdict(list)
    by_region: dict[str | None, list[dict]] = defaultdict(list)
    for row in rows:
        by_segment[row["segment"]].append(row)
        by_region[row["region"]].append(row)
    return ProgramMetrics(
        window_from=window_from, window_to=window_to, segment=segment, region=region, overall=_funnel(rows),
        by_segment=[SegmentFunnel(segment=k, **_funnel(v).model_dump()) for k, v in _sorted(by_segment)],
        by_region=[RegionFunnel(region=k, **_funnel(v).model_dump()) for k, v in _sorted(by_region)])


def _as_utc(value: datetime | None, name: str) -> datetime | None:
    """In UTC like every time in the graph (a time without a zone is taken as UTC); refuses what cannot be stored."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except (OverflowError, ValueError):
        raise ValidationFailed(f"`{name}` is outside the range of times the graph stores",
                               errors=[{"field": name}]) from None


def _funnel(rows: Iterable[dict]) -> Funnel:
    rows = list(rows)
    totals = {name: sum(r[name] for r in rows) for name in COUNTS}
    value = float(sum(r["deal_value"] for r in rows))
    return Funnel(**totals, deal_value=value,
                  acceptance_rate=_rate(totals["accepted"], totals["offered"]),
                  conversion_rate=_rate(totals["deals"], totals["proposed"]))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _sorted(groups: dict[str | None, list[dict]]) -> list[tuple[str | None, list[dict]]]:
    return sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
