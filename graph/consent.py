"""Consent to introductions: the current state on the customer and the full history of changes.

A change takes effect at once: matching reads `Customer.consent` at request time (`graph.eligibility`).
"""

from neo4j import Driver, RoutingControl
from pydantic import BaseModel

from graph.cypher import query
from graph.errors import NotFound


class ConsentEvent(BaseModel):
    consent: str
    basis: str | None = None
    actor: str | None = None
    at: str | None = None


class ConsentHistory(BaseModel):
    customer_id: str
    consent: str
    events: list[ConsentEvent]


def record_consent(driver: Driver, *, customer_id: str, consent: str, basis: str, actor: str) -> str:
    """Set the current consent and append an event; returns the event time (ISO 8601)."""
    records, _, _ = driver.execute_query(query("record_consent"), customer_id=customer_id, consent=consent,
                                         basis=basis, actor=actor)
    if not records:
        raise NotFound("no customer with that id")
    return str(records[0]["at"])


def consent_history(driver: Driver, *, customer_id: str) -> ConsentHistory:
    records, _, _ = driver.execute_query(query("consent_history"), customer_id=customer_id,
                                         routing_=RoutingControl.READ)
    if not records:
        raise NotFound("no customer with that id")
    r = records[0]
    return ConsentHistory(customer_id=customer_id, consent=r["consent"] or "unknown",
                          events=[ConsentEvent(**e) for e in r["events"]])
