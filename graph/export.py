"""Streaming read repository for the training graph: typed rows, fetched in batches, ordered by id.

The model layer turns these rows into a PyG `HeteroData`; nothing here knows about PyTorch.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from neo4j import READ_ACCESS, Driver, RoutingControl

from graph.cypher import query
from graph.errors import NotFound

DEFAULT_BATCH = 10_000


def _native(value: Any) -> datetime | None:
    """A Neo4j DateTime, epoch milliseconds or a date-time string, as an aware Python datetime in UTC."""
    if value is None:
        return None
    if isinstance(value, int):  # epoch milliseconds: the bulk export asks for these, they decode much faster
        return datetime.fromtimestamp(value / 1000.0, tz=UTC)
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


@dataclass(frozen=True, slots=True)
class CustomerRow:
    customer_id: str
    kind: str | None
    industry: str | None
    region: str | None
    segment: str | None
    vetted: bool
    risk_rating: str
    consent: str


@dataclass(frozen=True, slots=True)
class NeedRow:
    need_id: str
    customer_id: str
    category: str
    description: str
    status: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class CapabilityRow:
    capability_id: str
    customer_id: str
    category: str
    description: str
    quality: float


@dataclass(frozen=True, slots=True)
class CategoryRow:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class InteractionRow:
    interaction_id: str
    customer_id: str
    text: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReferralRow:
    referral_id: str
    needer_id: str
    provider_id: str
    created_at: datetime | None
    outcome: str


@dataclass(frozen=True)
class Neighbourhood:
    """One customer as the graph holds them right now: what the model needs to embed them live."""

    customer: CustomerRow
    needs: list[NeedRow] = field(default_factory=list)
    capabilities: list[CapabilityRow] = field(default_factory=list)
    interactions: list[InteractionRow] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)


def _stream(driver: Driver, name: str, batch_size: int) -> Iterator[list[Any]]:
    """Records (tuples, in the query's column order = the row class's field order), a batch at a time.

    An auto-commit read with a fetch size streams the result: memory stays at one batch on both sides.
    """
    with driver.session(default_access_mode=READ_ACCESS, fetch_size=batch_size) as session:
        result = session.run(query(name))
        batch: list[Any] = []
        for record in result:
            batch.append(record)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch


def stream_customers(driver: Driver, *, batch_size: int = DEFAULT_BATCH) -> Iterator[list[CustomerRow]]:
    for batch in _stream(driver, "export_customers", batch_size):
        yield [CustomerRow(*r) for r in batch]


def stream_needs(driver: Driver, *, batch_size: int = DEFAULT_BATCH) -> Iterator[list[NeedRow]]:
    for batch in _stream(driver, "export_needs", batch_size):
        yield [NeedRow(r[0], r[1], str(r[2]), r[3], r[4], _native(r[5])) for r in batch]


def stream_capabilities(driver: Driver, *, batch_size: int = DEFAULT_BATCH) -> Iterator[list[CapabilityRow]]:
    for batch in _stream(driver, "export_capabilities", batch_size):
        yield [CapabilityRow(r[0], r[1], str(r[2]), r[3], float(r[4])) for r in batch]


def stream_categories(driver: Driver, *, batch_size: int = DEFAULT_BATCH) -> Iterator[list[CategoryRow]]:
    for batch in _stream(driver, "export_categories", batch_size):
        yield [CategoryRow(*r) for r in batch]


def stream_interactions(driver: Driver, *, batch_size: int = DEFAULT_BATCH) -> Iterator[list[InteractionRow]]:
    for batch in _stream(driver, "export_interactions", batch_size):
        yield [InteractionRow(r[0], r[1], r[2], _native(r[3])) for r in batch]


def stream_referrals(driver: Driver, *, batch_size: int = DEFAULT_BATCH) -> Iterator[list[ReferralRow]]:
    for batch in _stream(driver, "export_referrals", batch_size):
        yield [ReferralRow(r[0], r[1], r[2], _native(r[3]), r[4]) for r in batch]


def customer_neighbourhood(driver: Driver, *, customer_id: str) -> Neighbourhood:
    """The customer's own attributes, needs, capabilities, interactions and referrals, read live."""
    records, _, _ = driver.execute_query(query("customer_neighbourhood"), customer_id=customer_id,
                                         routing_=RoutingControl.READ)
    if not records:
        raise NotFound(f"no customer {customer_id!r}")
    r = records[0].data()
    customer = CustomerRow(**{k: r[k] for k in CustomerRow.__slots__})
    return Neighbourhood(
        customer=customer,
        needs=[NeedRow(customer_id=customer_id, **{**n, "category": str(n["category"]),
                                                   "created_at": _native(n["created_at"])}) for n in r["needs"]],
        capabilities=[CapabilityRow(customer_id=customer_id, **{**k, "category": str(k["category"]),
                                                                "quality": float(k["quality"])})
                      for k in r["capabilities"]],
        interactions=[InteractionRow(customer_id=customer_id, **{**i, "created_at": _native(i["created_at"])})
                      for i in r["interactions"]],
        referrals=[ReferralRow(**{**x, "created_at": _native(x["created_at"])}) for x in r["referrals"]],
    )
