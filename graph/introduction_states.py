"""The introduction state machine as data: states, actions, the transition table and automation levels.

Pure (no database); `graph/introduction_plan.py` turns a step into the changes to write, and
`graph/introductions.py` runs it under the introduction's lock.

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
from enum import StrEnum
from typing import Any

from graph.errors import Conflict


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
# states before the double opt-in is complete: a customer who loses eligibility ends these (`withdrawn`)
OPEN_STATES = frozenset({State.proposed, State.awaiting_manager, State.approved, State.offered})
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


def allowed_actions(snap: Snapshot) -> list[str]:
    allowed = []
    for action in TRANSITIONS[snap.state]:
        if action in (Action.accept, Action.decline) and not pending_parties(snap):
            continue
        if action is Action.feedback and len(snap.feedback_parties) == len(Party):
            continue
        allowed.append(action.value)
    return allowed


def pending_parties(snap: Snapshot) -> list[Party]:
    return [p for p in Party if getattr(snap, f"{p.value}_response") == "pending"]


def refusal(snap: Snapshot, message: str) -> Conflict:
    return Conflict(message, allowed=allowed_actions(snap))
