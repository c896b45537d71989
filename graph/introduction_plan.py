"""Planning one workflow step: from a snapshot, an action, an actor and its input to the changes to write.

Pure (no database). Raises `Conflict` with the allowed actions when the state does not permit the step, and
`ValidationFailed` for bad input (a rejection without a reason code, a deal without a value, a rating off 1-5).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.errors import ValidationFailed
from graph.introduction_states import (
    ADMIN,
    SYSTEM,
    TRANSITIONS,
    Action,
    Actor,
    AutomationLevel,
    OutcomeKind,
    Party,
    RejectReason,
    Snapshot,
    State,
    Visibility,
    pending_parties,
    refusal,
)

PARTY_ACTIONS = frozenset({Action.accept, Action.decline, Action.feedback})


@dataclass
class Plan:
    to_state: State
    changes: dict[str, Any]
    event: dict[str, Any]
    referral: dict[str, Any] | None = None  # REFERRED edge properties to merge (needer → provider)
    feedback: dict[str, Any] | None = None


def plan(snap: Snapshot, action: Action, *, actor: Actor, at: datetime, data: Mapping[str, Any]) -> Plan:
    """The changes `action` makes from `snap`, or `Conflict` listing what is allowed instead."""
    if action not in TRANSITIONS[snap.state]:
        raise refusal(snap, f"cannot {action.value} an introduction in state {snap.state.value}")
    event: dict[str, Any] = {"action": action.value, "from_state": snap.state.value, "actor": actor.key_id,
                             "role": actor.role, "at": at, "reason_code": None, "note": data.get("note"),
                             "party": data.get("party") if action in PARTY_ACTIONS else None}
    changes: dict[str, Any] = {"updated_at": at}
    if action is Action.approve:
        to = _approval_target(snap, actor)
        if to is State.awaiting_manager:
            changes.update(first_approver=actor.key_id, rm_approved_at=at)
        else:
            changes["approved_at"] = at
    elif action is Action.reject:
        if data.get("reason_code") not in {r.value for r in RejectReason}:
            raise ValidationFailed("a rejection needs a reason code from the list",
                                   errors=[{"field": "reason_code", "allowed": [r.value for r in RejectReason]}])
        event["reason_code"] = data["reason_code"]
        to = State.rejected
        changes["closed_at"] = at
    elif action is Action.offer:
        to, changes["offered_at"] = State.offered, at
    elif action in (Action.accept, Action.decline):
        party = _party(data)
        if party not in pending_parties(snap):
            raise refusal(snap, f"the {party.value} has already responded")
        changes[f"{party.value}_response"] = "accepted" if action is Action.accept else "declined"
        if action is Action.decline:
            to = State.declined
            changes["closed_at"] = at
            return Plan(to, _with_state(changes, to), _with_to(event, to),
                        referral={"outcome": "declined", "value": None, "at": at})
        others = [p for p in pending_parties(snap) if p is not party]
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
            raise refusal(snap, f"the {party.value} has already given feedback")
        if not isinstance(data.get("rating"), int) or not 1 <= data["rating"] <= 5:
            raise ValidationFailed("a rating is a whole number from 1 to 5", errors=[{"field": "rating"}])
        if (data.get("visibility") or "bank") not in {v.value for v in Visibility}:
            raise ValidationFailed("visibility is bank or shared", errors=[{"field": "visibility"}])
        to = snap.state
        fb = {"party": party.value, "rating": data["rating"], "comment": data.get("comment") or "",
              "visibility": data.get("visibility") or "bank", "at": at}
        return Plan(to, _with_state(changes, to), _with_to(event, to), feedback=fb)
    return Plan(to, _with_state(changes, to), _with_to(event, to))


def _party(data: Mapping[str, Any]) -> Party:
    try:
        return Party(str(data.get("party")))
    except ValueError:
        raise ValidationFailed("say which party: needer or provider",
                               errors=[{"field": "party", "allowed": [p.value for p in Party]}]) from None


def _approval_target(snap: Snapshot, actor: Actor) -> State:
    if snap.automation_level is AutomationLevel.manager_approval:
        if snap.state is State.proposed:
            return State.awaiting_manager
        if actor.role != ADMIN:
            raise refusal(snap, "this introduction is awaiting a manager's (admin) approval")
        if actor.key_id == snap.first_approver:
            raise refusal(snap, "the second approval must come from a different key than the first")
    return State.approved


def _checked_outcome(data: Mapping[str, Any]) -> tuple[OutcomeKind, float | None]:
    try:
        outcome = OutcomeKind(str(data.get("outcome")))
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


def withdrawal(snap: Snapshot, *, cause: str, at: datetime, reasons: list[str]) -> Plan:
    """A customer lost eligibility: the introduction ends here (instead of the step named in `cause`)."""
    event = {"action": "withdraw", "from_state": snap.state.value, "to_state": State.withdrawn.value,
             "actor": SYSTEM, "role": SYSTEM, "at": at, "reason_code": "eligibility_lost",
             "note": f"{cause}: " + "; ".join(reasons), "party": None}
    return Plan(State.withdrawn, {"state": State.withdrawn.value, "updated_at": at, "closed_at": at}, event)
