"""The introduction state machine as data: states, actions, the transition table and automation levels.

Pure (no database): `plan()` turns (current snapshot, action, actor, input) into the changes to write, or raises
`Conflict` with the actions allowed in the current state. `graph/introductions.py` runs it under a lock.

    proposed ──approve──► approved ──offer──► offered ──accept (both)──► accepted ──met──► met ──outcome──► completed
       │  └─approve (manager_approval)─► awaiting_manager ──approve (admin)──┘      │                      └─feedback (each party, once)
       └─reject (reason code)─► rejected              any party's decline ─► declined
    approve / offer / accept re-check eligibility; a customer who lost it moves the introduction to `withdrawn`.

Automation levels (per segment, from settings; an introduction between two segments takes the stricter level,
fixed at proposal so a later settings change cannot alter an introduction in flight):
- `suggest_only`: ICRM only suggests; proposing an introduction is refused.
- `rm_approval`: one approval, by a relationship manager or an admin.
- `manager_approval`: a first approval (RM or admin) moves it to `awaiting_manager`; the second must come from
  an admin (the bank's "manager" role) holding a different key (four eyes).
- `automatic_offer`: a proposal is approved and offered to both parties at once by the actor `system`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from graph.errors import Conflict, ValidationFailed


class State(StrEnum):
    proposed = "proposed"
    awaiting_manager = "awaiting_manager"
    approved = "approved"
    offered = "offered"
    accepted = "accepted"  # both parties accepted: the double opt-in is complete
    met = "met"
    completed = "completed"
    rejected = "rejected"
    declined = "declined"
    withdrawn = "withdrawn"


class Action(StrEnum):
    approve = "approve"
    reject = "reject"
    offer = "offer"
    accept = "accept"
    decline = "decline"
    met = "met"
    outcome = "outcome"
    feedback = "feedback"


class AutomationLevel(StrEnum):
    suggest_only = "suggest_only"
    rm_approval = "rm_approval"
    manager_approval = "manager_approval"
    automatic_offer = "automatic_offer"


class RejectReason(StrEnum):
    not_relevant = "not_relevant"
    poor_fit = "poor_fit"
    risk_concern = "risk_concern"
    conflict_of_interest = "conflict_of_interest"
    customer_preference = "customer_preference"
    duplicate = "duplicate"
    other = "other"


class Party(StrEnum):
    needer = "needer"
    provider = "provider"


class OutcomeKind(StrEnum):
    deal = "deal"
    no_deal = "no_deal"


class Visibility(StrEnum):
    bank = "bank"
    shared = "shared"


# the states in which each action may start; party and approval rules refine this in `allowed_actions`
TRANSITIONS: dict[State, tuple[Action, ...]] = {
    State.proposed: (Action.approve, Action.reject),
    State.awaiting_manager: (Action.approve, Action.reject),
    State.approved: (Action.offer,),
    State.offered: (Action.accept, Action.decline),
    State.accepted: (Action.met,),
    State.met: (Action.outcome,),
    State.completed: (Action.feedback,),
    State.rejected: (),
    State.declined: (),
    State.withdrawn: (),
}
# steps before the parties have met: a customer who is no longer eligible must not be moved further
ELIGIBILITY_CHECKED = frozenset({Action.approve, Action.offer, Action.accept})
# states in which both parties have accepted, so each may see the other's contact details
CONTACTS_SHARED = frozenset({State.accepted, State.met, State.completed})
# the stricter level wins when the two parties' segments differ
_STRICTNESS = [AutomationLevel.automatic_offer, AutomationLevel.rm_approval,
               AutomationLevel.manager_approval, AutomationLevel.suggest_only]
ADMIN = "admin"
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    key_id: str
    role: str


SYSTEM_ACTOR = Actor(key_id=SYSTEM, role=SYSTEM)


@dataclass(frozen=True)
class AutomationPolicy:
    levels: Mapping[str, AutomationLevel] = field(default_factory=dict)
    default: AutomationLevel = AutomationLevel.rm_approval

    @classmethod
    def from_settings(cls, settings: Any) -> "AutomationPolicy":
        return cls({k: AutomationLevel(v) for k, v in settings.automation_levels.items()},
                   AutomationLevel(settings.default_automation_level))

    def level_for(self, *segments: str | None) -> AutomationLevel:
        levels = [self.levels.get(s or "", self.default) for s in segments] or [self.default]
        return max(levels, key=_STRICTNESS.index)


@dataclass(frozen=True)
class Snapshot:
    """What the planner needs to know about an introduction, read under its lock."""

    state: State
    automation_level: AutomationLevel
    needer_response: str = "pending"
    provider_response: str = "pending"
    first_approver: str | None = None
    feedback_parties: frozenset[str] = frozenset()


@dataclass
class Plan:
    to_state: State
    changes: dict[str, Any]
    event: dict[str, Any]
    referral: dict[str, Any] | None = None  # REFERRED edge properties to merge (needer → provider)
    feedback: dict[str, Any] | None = None


def allowed_actions(snap: Snapshot) -> list[str]:
    allowed = []
    for action in TRANSITIONS[snap.state]:
        if action in (Action.accept, Action.decline) and not _pending_parties(snap):
            continue
        if action is Action.feedback and len(snap.feedback_parties) == len(Party):
            continue
        allowed.append(action.value)
    return allowed


def _pending_parties(snap: Snapshot) -> list[Party]:
    return [p for p in Party if getattr(snap, f"{p.value}_response") == "pending"]


def _refuse(snap: Snapshot, message: str) -> Conflict:
    return Conflict(message, allowed=allowed_actions(snap))


def plan(snap: Snapshot, action: Action, *, actor: Actor, at: datetime, data: Mapping[str, Any]) -> Plan:
    """The changes `action` makes from `snap`, or `Conflict` listing what is allowed instead."""
    if action not in TRANSITIONS[snap.state]:
        raise _refuse(snap, f"cannot {action.value} an introduction in state {snap.state.value}")
    event: dict[str, Any] = {"action": action.value, "from_state": snap.state.value, "actor": actor.key_id,
                             "role": actor.role, "at": at, "reason_code": data.get("reason_code"),
                             "note": data.get("note"), "party": data.get("party")}
    changes: dict[str, Any] = {"updated_at": at}
    if action is Action.approve:
        to = _approval_target(snap, actor)
        if to is State.awaiting_manager:
            changes.update(first_approver=actor.key_id, rm_approved_at=at)
        else:
            changes["approved_at"] = at
    elif action is Action.reject:
        if not data.get("reason_code"):
            raise ValidationFailed("a rejection needs a reason code",
                                   errors=[{"field": "reason_code", "allowed": [r.value for r in RejectReason]}])
        to = State.rejected
        changes["closed_at"] = at
    elif action is Action.offer:
        to, changes["offered_at"] = State.offered, at
    elif action in (Action.accept, Action.decline):
        party = _party(data)
        if party not in _pending_parties(snap):
            raise _refuse(snap, f"the {party.value} has already responded")
        changes[f"{party.value}_response"] = "accepted" if action is Action.accept else "declined"
        if action is Action.decline:
            to = State.declined
            changes["closed_at"] = at
            return Plan(to, _with_state(changes, to), _with_to(event, to),
                        referral={"outcome": "declined", "value": None, "at": at})
        others = [p for p in _pending_parties(snap) if p is not party]
        to = snap.state if others else State.accepted
        if to is State.accepted:
            changes["accepted_at"] = at
    elif action is Action.met:
        to, changes["met_at"] = State.met, at
    elif action is Action.outcome:
        outcome, value = _checked_outcome(data)
        to = State.completed
        changes.update(outcome=outcome.value, value=value, completed_at=at, closed_at=at)
        return Plan(to, _with_state(changes, to), _with_to(event, to),
                    referral={"outcome": outcome.value, "value": value, "at": at})
    else:  # feedback
        party = _party(data)
        if party.value in snap.feedback_parties:
            raise _refuse(snap, f"the {party.value} has already given feedback")
        if not isinstance(data.get("rating"), int) or not 1 <= data["rating"] <= 5:
            raise ValidationFailed("a rating is a whole number from 1 to 5", errors=[{"field": "rating"}])
        to = snap.state
        fb = {"party": party.value, "rating": data["rating"], "comment": data.get("comment") or "",
              "visibility": Visibility(data.get("visibility") or "bank").value, "at": at}
        return Plan(to, _with_state(changes, to), _with_to(event, to), feedback=fb)
    return Plan(to, _with_state(changes, to), _with_to(event, to))


def _party(data: Mapping[str, Any]) -> Party:
    try:
        return Party(data.get("party"))
    except ValueError:
        raise ValidationFailed("say which party: needer or provider",
                               errors=[{"field": "party", "allowed": [p.value for p in Party]}]) from None


def _approval_target(snap: Snapshot, actor: Actor) -> State:
    if snap.automation_level is AutomationLevel.manager_approval:
        if snap.state is State.proposed:
            return State.awaiting_manager
        if actor.role != ADMIN:
            raise _refuse(snap, "this introduction is awaiting a manager's (admin) approval")
        if actor.key_id == snap.first_approver:
            raise _refuse(snap, "the second approval must come from a different key than the first")
    return State.approved


def _checked_outcome(data: Mapping[str, Any]) -> tuple[OutcomeKind, float | None]:
    try:
        outcome = OutcomeKind(data.get("outcome"))
    except ValueError:
        raise ValidationFailed("outcome must be deal or no_deal",
                               errors=[{"field": "outcome", "allowed": [o.value for o in OutcomeKind]}]) from None
    value = data.get("value")
    if outcome is OutcomeKind.deal and (value is None or value < 0):
        raise ValidationFailed("a deal needs a value of 0 or more", errors=[{"field": "value"}])
    if outcome is OutcomeKind.no_deal and value:
        raise ValidationFailed("no_deal takes no value", errors=[{"field": "value"}])
    return outcome, (float(value) if value is not None else None)


def _with_state(changes: dict[str, Any], to: State) -> dict[str, Any]:
    return {**changes, "state": to.value}


def _with_to(event: dict[str, Any], to: State) -> dict[str, Any]:
    return {**event, "to_state": to.value}


def withdrawal(snap: Snapshot, *, action: Action, at: datetime, reasons: list[str]) -> Plan:
    """A customer lost eligibility: the introduction ends here instead of taking `action`."""
    event = {"action": "withdraw", "from_state": snap.state.value, "to_state": State.withdrawn.value,
             "actor": SYSTEM, "role": SYSTEM, "at": at, "reason_code": "eligibility_lost",
             "note": f"{action.value} refused: " + "; ".join(reasons), "party": None}
    return Plan(State.withdrawn, {"state": State.withdrawn.value, "updated_at": at, "closed_at": at}, event)
