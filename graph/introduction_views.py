"""Typed views of introductions for readers: one introduction, a page of them, and the audit trail.

Contact details appear only once both parties have accepted (double opt-in); private notes are never read.
A party's view (`as_party`) shows the other party's contact and only the feedback shared with it.
"""

from datetime import datetime
from typing import Any

from neo4j import Driver, RoutingControl
from neo4j.time import DateTime
from pydantic import BaseModel

from graph.cypher import query
from graph.errors import NotFound
from graph.introduction_states import (
    CONTACTS_SHARED,
    AutomationLevel,
    Party,
    Snapshot,
    State,
    allowed_actions,
)


class Introduction(BaseModel):
    introduction_id: str
    state: State
    needer_id: str | None = None  # None once the customer is erased (a tombstone kept for the metrics)
    provider_id: str | None = None
    need_id: str | None = None
    capability_id: str | None = None
    score: float | None = None
    model_version: str | None = None
    segment: str | None = None
    region: str | None = None
    automation_level: str
    needer_response: str = "pending"
    provider_response: str = "pending"
    outcome: str | None = None
    value: float | None = None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None = None
    offered_at: datetime | None = None
    accepted_at: datetime | None = None
    met_at: datetime | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None


class PartySummary(BaseModel):
    customer_id: str
    name: str | None = None
    industry: str | None = None
    region: str | None = None
    segment: str | None = None
    relationship_manager: str | None = None


class Contact(BaseModel):
    customer_id: str
    name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


class FeedbackEntry(BaseModel):
    party: Party
    rating: int
    comment: str = ""
    visibility: str
    at: datetime


class IntroductionDetail(Introduction):
    needer: PartySummary | None = None
    provider: PartySummary | None = None
    contacts: list[Contact] = []  # empty until both parties have accepted
    feedback: list[FeedbackEntry] = []
    allowed_actions: list[str] = []


class IntroEvent(BaseModel):
    seq: int
    action: str
    from_state: str | None = None
    to_state: str
    actor: str
    role: str
    at: datetime
    reason_code: str | None = None
    note: str | None = None
    party: str | None = None


def native(props: dict[str, Any]) -> dict[str, Any]:
    """Neo4j temporal values → Python datetimes (the one place the driver's types are translated)."""
    return {k: (v.to_native() if isinstance(v, DateTime) else v) for k, v in props.items()}


def snapshot_of(intro: dict[str, Any], feedback_parties: list[str]) -> Snapshot:
    return Snapshot(state=State(intro["state"]), automation_level=AutomationLevel(intro["automation_level"]),
                    needer_response=intro.get("needer_response") or "pending",
                    provider_response=intro.get("provider_response") or "pending",
                    first_approver=intro.get("first_approver"), feedback_parties=frozenset(feedback_parties))


def get_introduction(driver: Driver, *, introduction_id: str, as_party: Party | None = None) -> IntroductionDetail:
    records, _, _ = driver.execute_query(query("get_introduction"), introduction_id=introduction_id,
                                         routing_=RoutingControl.READ)
    if not records:
        raise NotFound(f"no introduction {introduction_id!r}")
    as_party = Party(as_party) if as_party else None
    r = records[0]
    intro = native(r["intro"])
    feedback = [FeedbackEntry(**native(f)) for f in r["feedback"]]
    parties = {Party.needer: r["needer"], Party.provider: r["provider"]}
    contacts: list[Contact] = []
    if State(intro["state"]) in CONTACTS_SHARED:
        shown = [p for p in Party if as_party is None or p is not as_party]
        contacts = [Contact(**_contact(parties[p])) for p in shown if parties[p]]
    snap = snapshot_of(intro, [f.party.value for f in feedback])
    if as_party is not None:
        feedback = [f for f in feedback if f.party is as_party or f.visibility == "shared"]
    return IntroductionDetail(
        **intro, needer=_summary(parties[Party.needer]), provider=_summary(parties[Party.provider]),
        contacts=contacts, feedback=feedback, allowed_actions=allowed_actions(snap))


def list_introductions(driver: Driver, *, state: State | None = None, manager_id: str | None = None,
                       scoped: bool = False, offset: int = 0, limit: int = 50) -> list[Introduction]:
    """A page of introductions; `scoped` restricts it to those involving customers of `manager_id`."""
    records, _, _ = driver.execute_query(
        query("list_introductions"), state=state.value if state else None, manager_id=manager_id,
        scoped=scoped, offset=offset, limit=limit, routing_=RoutingControl.READ)
    return [Introduction(**native(r["intro"])) for r in records]


def introduction_events(driver: Driver, *, introduction_id: str) -> list[IntroEvent]:
    records, _, _ = driver.execute_query(query("introduction_events"), introduction_id=introduction_id,
                                         routing_=RoutingControl.READ)
    if not records:
        raise NotFound(f"no introduction {introduction_id!r}")
    return [IntroEvent(**native(e)) for e in records[0]["events"]]


def _summary(party: dict[str, Any] | None) -> PartySummary | None:
    if not party:
        return None
    return PartySummary(**{k: v for k, v in party.items() if k in PartySummary.model_fields})


def _contact(party: dict[str, Any]) -> dict[str, Any]:
    return {k: party.get(k) for k in Contact.model_fields}
