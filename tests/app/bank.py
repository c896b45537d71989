"""A tiny bank built through the product's own write path, plus stored suggestions as the batch writes them."""

from datetime import UTC, datetime, timedelta

from neo4j import Driver

from graph.ingest import write_capabilities, write_customers, write_needs
from graph.reasons import pair_reasons
from graph.records import CapabilityRecord, CustomerRecord, NeedRecord
from graph.suggestions import SuggestionRow, replace_suggestions


def customer(db: Driver, customer_id: str, *, manager: str = "rm-1", **fields) -> None:
    base = dict(customer_id=customer_id, name=f"Name of {customer_id}", industry="retail", region="north",
                segment="sme", vetted=True, risk_rating="low", consent="opt_in", relationship_manager=manager,
                contact_email=f"{customer_id}@example.test", private_notes="prefers mornings")
    base.update(fields)
    write_customers(db, records=[CustomerRecord(**base)])


def need(db: Driver, customer_id: str, need_id: str, category: str, *, created_at: datetime | None = None) -> None:
    write_needs(db, records=[NeedRecord(need_id=need_id, customer_id=customer_id, category=category,
                                        description=f"looking for {category}",
                                        created_at=created_at or datetime.now(UTC) - timedelta(days=30))])


def capability(db: Driver, customer_id: str, capability_id: str, category: str, quality: float = 4.0) -> None:
    write_capabilities(db, records=[CapabilityRecord(capability_id=capability_id, customer_id=customer_id,
                                                     category=category, description=f"we do {category}",
                                                     quality=quality)])


def suggestions(db: Driver, rows: list[tuple[str, str, int, float]], *, version: str = "v-test") -> None:
    """Store a suggestion run through the model core's writer: (needer, provider, rank, score) rows."""
    pairs = [(a, b) for a, b, _, _ in rows]
    reasons = pair_reasons(db, pairs=pairs)
    replace_suggestions(db, version=version, rows=[SuggestionRow(needer_id=a, provider_id=b, score=s, rank=r,
                                                                 reasons=reasons[(a, b)]) for a, b, r, s in rows])


def small_bank(db: Driver) -> None:
    """c1 needs logistics; p1..p4 provide it; c1 has stored suggestions p1 > p2 > p3 > p4."""
    customer(db, "c1")
    need(db, "c1", "n-c1", "logistics")
    for i in range(1, 5):
        customer(db, f"p{i}", manager="rm-2", industry="transport")
        capability(db, f"p{i}", f"p-p{i}", "logistics", quality=5.0 - i)
    suggestions(db, [("c1", f"p{i}", i, 1.0 - i / 10) for i in range(1, 5)])


CUSTOMER = {"customer_id": "c-42", "name": "Harbour Freight Ltd", "kind": "business", "industry": "logistics",
            "region": "north", "segment": "sme", "vetted": False, "risk_rating": "medium", "consent": "opt_in",
            "contact_email": "ops@harbour.example", "private_notes": "owner retires in 2027"}
