"""Introductions: propose, vet, double opt-in, outcome and feedback, with the audit trail.

Roles: admin everything; relationship_manager the introductions involving one of their customers (a party's
accept, decline and feedback only through that party's own RM); analyst reads (without contact details);
service (ingestion) nothing.
The second approval in a `manager_approval` segment needs an admin (the bank's manager role).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from app.auth import Principal, Role, allow, ensure_customer_access
from app.deps import DriverDep, SettingsDep
from app.limits import Offset, PageSize
from graph.introduction_states import (
    Action,
    Actor,
    AutomationPolicy,
    OutcomeKind,
    Party,
    RejectReason,
    State,
    Visibility,
)
from graph.introduction_views import (
    Introduction,
    IntroductionDetail,
    IntroEvent,
    get_introduction,
    introduction_events,
    list_introductions,
)
from graph.introductions import propose, transition
from graph.records import Id

router = APIRouter(prefix="/introductions", tags=["introductions"])
IntroId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                              examples=["intro-3f2a9c0d4e5b4a7f9e1d2c3b4a5f6e7d"])]
WRITERS = allow(Role.admin, Role.relationship_manager)
READERS = allow(Role.admin, Role.analyst, Role.relationship_manager)
AsParty = Annotated[Party | None, Query(description="show what this party may see: the other's contact "
                                                  "(after both accepted) and only shared feedback")]
Note = Annotated[str | None, Field(default=None, max_length=1000, examples=["discussed at the quarterly review"])]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposeIn(_Body):
    needer_id: Id = Field(examples=["c-000042"])
    provider_id: Id = Field(examples=["c-000117"])
    need_id: Id | None = Field(default=None, examples=["n-000042-1"])
    capability_id: Id | None = Field(default=None, examples=["k-000117-2"])
    score: float | None = Field(default=None, ge=-1e6, le=1e6, examples=[0.87])
    model_version: str | None = Field(default=None, max_length=64, examples=["20261204-2210-a1b2"])


class NoteIn(_Body):
    note: Note


class RejectIn(_Body):
    reason_code: RejectReason = Field(examples=["poor_fit"])
    note: Note


class RespondIn(_Body):
    party: Party = Field(description="whose answer the RM records", examples=["needer"])
    note: Note


class OutcomeIn(_Body):
    outcome: OutcomeKind = Field(examples=["deal"])
    value: float | None = Field(default=None, ge=0, le=1e12, description="deal value; required for a deal",
                                examples=[25000.0])
    note: Note


class FeedbackIn(_Body):
    party: Party = Field(examples=["needer"])
    rating: int = Field(ge=1, le=5, examples=[4])
    comment: str = Field(default="", max_length=2000, examples=["a good fit, we signed a supply contract"])
    visibility: Visibility = Field(default=Visibility.bank, description="bank: the bank only; shared: also the other party")


class IntroductionPage(BaseModel):
    items: list[Introduction]
    offset: int
    limit: int
    next_offset: int | None = Field(description="the offset of the next page; null on the last one")


def _actor(principal: Principal) -> Actor:
    return Actor(key_id=principal.key_id, role=str(principal.role))


def _authorize(principal: Principal, intro: IntroductionDetail, party: Party | None = None) -> None:
    """An RM acts for their own customers: either party in general, or exactly `party` when one is named."""
    if principal.role != Role.relationship_manager:
        return
    parties = {Party.needer: intro.needer, Party.provider: intro.provider}
    wanted = [parties[party]] if party else list(parties.values())
    if principal.manager_id is None or not any(p and p.relationship_manager == principal.manager_id for p in wanted):
        whose = f"the {party.value}'s" if party else "these customers'"
        raise HTTPException(403, f"only {whose} relationship manager (or an admin) may do this")


def _act(driver: Any, principal: Principal, introduction_id: str, action: Action, data: dict[str, Any],
         party: Party | None = None) -> IntroductionDetail:
    current = get_introduction(driver, introduction_id=introduction_id)
    _authorize(principal, current, party)
    if action is Action.approve and current.state is State.awaiting_manager and principal.role != Role.admin:
        raise HTTPException(403, "the second approval in this segment needs a manager (admin) key")
    return transition(driver, introduction_id=introduction_id, action=action, actor=_actor(principal), data=data)


@router.post("", response_model=IntroductionDetail, status_code=201)
def create_introduction(driver: DriverDep, settings: SettingsDep, principal: Annotated[Principal, Depends(WRITERS)],
                        body: ProposeIn) -> IntroductionDetail:
    """Propose an introduction from a match (needer → provider); automatic-offer segments are offered at once."""
    if principal.role == Role.relationship_manager:
        _ensure_either(driver, principal, body.needer_id, body.provider_id)
    return propose(driver, needer_id=body.needer_id, provider_id=body.provider_id, need_id=body.need_id,
                   capability_id=body.capability_id, score=body.score, model_version=body.model_version,
                   actor=_actor(principal), policy=AutomationPolicy.from_settings(settings))


def _ensure_either(driver: Any, principal: Principal, needer_id: str, provider_id: str) -> None:
    try:
        ensure_customer_access(driver, principal, needer_id, write=True)
    except HTTPException:
        ensure_customer_access(driver, principal, provider_id, write=True)


@router.get("", response_model=IntroductionPage)
def list_introductions_page(driver: DriverDep, principal: Annotated[Principal, Depends(READERS)],
                            limit: PageSize, offset: Offset = 0, state: State | None = None) -> IntroductionPage:
    """Introductions, newest first, optionally by state; a relationship manager sees only their customers'."""
    scoped = principal.role == Role.relationship_manager
    items = list_introductions(driver, state=state, manager_id=principal.manager_id, scoped=scoped,
                               offset=offset, limit=limit + 1)
    more = len(items) > limit
    return IntroductionPage(items=items[:limit], offset=offset, limit=limit, next_offset=offset + limit if more else None)


@router.get("/{introduction_id}", response_model=IntroductionDetail)
def get_introduction_by_id(driver: DriverDep, principal: Annotated[Principal, Depends(READERS)],
                           introduction_id: IntroId, as_party: AsParty = None) -> IntroductionDetail:
    """One introduction; contact details appear only after both parties have accepted (never to analysts)."""
    intro = get_introduction(driver, introduction_id=introduction_id, as_party=as_party)
    _authorize(principal, intro)
    if principal.role == Role.analyst:  # program-wide read access does not extend to customers' contacts
        return intro.model_copy(update={"contacts": []})
    return intro


@router.get("/{introduction_id}/events", response_model=list[IntroEvent])
def list_introduction_events(driver: DriverDep, principal: Annotated[Principal, Depends(READERS)],
                             introduction_id: IntroId) -> list[IntroEvent]:
    """The audit trail: every step with its actor (API key id or `system`), role, time and reason."""
    _authorize(principal, get_introduction(driver, introduction_id=introduction_id))
    return introduction_events(driver, introduction_id=introduction_id)


@router.post("/{introduction_id}/approve", response_model=IntroductionDetail)
def approve_introduction(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                         body: Annotated[NoteIn | None, Body()] = None) -> IntroductionDetail:
    """Approve (in a manager_approval segment, twice: an RM or admin, then a different admin key)."""
    return _act(driver, principal, introduction_id, Action.approve, _data(body))


@router.post("/{introduction_id}/reject", response_model=IntroductionDetail)
def reject_introduction(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                        body: RejectIn) -> IntroductionDetail:
    """Reject with a reason code; the pair is never proposed again."""
    return _act(driver, principal, introduction_id, Action.reject, _data(body))


@router.post("/{introduction_id}/offer", response_model=IntroductionDetail)
def offer_introduction(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                       body: Annotated[NoteIn | None, Body()] = None) -> IntroductionDetail:
    """Offer an approved introduction to both parties (re-checks eligibility; 409 and `withdrawn` if lost)."""
    return _act(driver, principal, introduction_id, Action.offer, _data(body))


@router.post("/{introduction_id}/accept", response_model=IntroductionDetail)
def accept_introduction(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                        body: RespondIn) -> IntroductionDetail:
    """Record one party's acceptance (through its RM); when both have accepted, contacts are shared."""
    return _act(driver, principal, introduction_id, Action.accept, _data(body), party=body.party)


@router.post("/{introduction_id}/decline", response_model=IntroductionDetail)
def decline_introduction(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                         body: RespondIn) -> IntroductionDetail:
    """Record one party's decline: the introduction ends and the pair is never proposed again."""
    return _act(driver, principal, introduction_id, Action.decline, _data(body), party=body.party)


@router.post("/{introduction_id}/met", response_model=IntroductionDetail)
def record_meeting(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                   body: Annotated[NoteIn | None, Body()] = None) -> IntroductionDetail:
    """Record that the two parties met."""
    return _act(driver, principal, introduction_id, Action.met, _data(body))


@router.post("/{introduction_id}/outcome", response_model=IntroductionDetail)
def record_outcome(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                   body: OutcomeIn) -> IntroductionDetail:
    """Record the outcome (`deal` with its value, or `no_deal`); writes the REFERRED edge training learns from."""
    return _act(driver, principal, introduction_id, Action.outcome, _data(body))


@router.post("/{introduction_id}/feedback", response_model=IntroductionDetail)
def record_feedback(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], introduction_id: IntroId,
                    body: FeedbackIn) -> IntroductionDetail:
    """One party's feedback (once each): rating 1–5, comment, visible to the bank only or shared."""
    return _act(driver, principal, introduction_id, Action.feedback, _data(body), party=body.party)


def _data(body: BaseModel | None) -> dict[str, Any]:
    return body.model_dump(mode="json") if body is not None else {}
