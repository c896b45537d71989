"""The introduction workflow's writes: propose, then one transition at a time, each with its audit event.

The rules live in `graph/introduction_states.py`; eligibility is `graph/eligibility.py`'s (reused, not copied).
Every transition runs in one managed transaction that first takes the introduction's write lock.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from neo4j import Driver, ManagedTransaction

from graph.cypher import query
from graph.eligibility import customer_eligibility, eligible_candidates
from graph.errors import Conflict, NotFound, ValidationFailed
from graph.introduction_plan import Plan, plan, withdrawal
from graph.introduction_states import (
    ELIGIBILITY_CHECKED,
    OPEN_STATES,
    SYSTEM_ACTOR,
    TRANSITIONS,
    Action,
    Actor,
    AutomationLevel,
    AutomationPolicy,
    Party,
    State,
)
from graph.introduction_views import IntroductionDetail, get_introduction, snapshot_of


def propose(driver: Driver, *, needer_id: str, provider_id: str, actor: Actor, policy: AutomationPolicy,
            need_id: str | None = None, capability_id: str | None = None, score: float | None = None,
            model_version: str | None = None) -> IntroductionDetail:
    """Propose an introduction of `needer_id` to `provider_id` (who can serve the need)."""
    if needer_id == provider_id:
        raise ValidationFailed("a customer cannot be introduced to themself", errors=[{"field": "provider_id"}])
    records, _, _ = driver.execute_query(query("proposal_context"), needer_id=needer_id, provider_id=provider_id,
                                         need_id=need_id, capability_id=capability_id)
    ctx = records[0]
    for party in Party:
        if not ctx[f"{party.value}_exists"]:
            raise NotFound(f"no customer {needer_id if party is Party.needer else provider_id!r} ({party.value})")
    errors = ([{"field": "need_id", "msg": "not a need of the needer"}] if not ctx["need_ok"] else []) + (
        [{"field": "capability_id", "msg": "not a capability of the provider"}] if not ctx["capability_ok"] else [])
    if errors:
        raise ValidationFailed("the need and capability must belong to the two customers", errors=errors)
    level = policy.level_for(ctx["needer_segment"], ctx["provider_segment"])
    if level is AutomationLevel.suggest_only:
        raise Conflict("this segment's automation level is suggest_only: ICRM only suggests, introductions "
                       "cannot be proposed", allowed=[])
    _check_proposable(driver, needer_id=needer_id, provider_id=provider_id)

    now = datetime.now(UTC)
    introduction_id = f"intro-{uuid4().hex}"
    props: dict[str, Any] = {
        "state": State.proposed.value, "needer_id": needer_id, "provider_id": provider_id, "need_id": need_id,
        "capability_id": capability_id, "score": score, "model_version": model_version,
        "segment": ctx["needer_segment"], "region": ctx["needer_region"], "automation_level": level.value,
        "needer_response": "pending", "provider_response": "pending", "created_at": now, "updated_at": now}
    events = [_event(1, "propose", None, State.proposed, actor, now)]
    if level is AutomationLevel.automatic_offer:
        props.update(state=State.offered.value, approved_at=now, offered_at=now)
        events += [_event(2, "approve", State.proposed, State.approved, SYSTEM_ACTOR, now, "automatic_offer"),
                   _event(3, "offer", State.approved, State.offered, SYSTEM_ACTOR, now, "automatic_offer")]
    row = {"introduction_id": introduction_id, "needer_id": needer_id, "provider_id": provider_id,
           "props": props, "events": events}
    created, _, _ = driver.execute_query(query("create_introduction"), rows=[row])
    if not created:  # a concurrent proposal for the same pair won the race
        raise Conflict("an introduction between these customers already exists", allowed=[])
    return get_introduction(driver, introduction_id=introduction_id)


def transition(driver: Driver, *, introduction_id: str, action: Action, actor: Actor,
               data: Mapping[str, Any] | None = None) -> IntroductionDetail:
    """Apply one workflow step; `Conflict` (with the allowed actions) when the state does not permit it."""
    payload = dict(data or {})
    with driver.session() as session:
        outcome = session.execute_write(_run_transition, driver=driver, introduction_id=introduction_id,
                                        action=action, actor=actor, data=payload)
    if outcome.event["action"] == "withdraw":
        raise Conflict(f"the introduction was withdrawn instead: {outcome.event['note']}", allowed=[])
    return get_introduction(driver, introduction_id=introduction_id)


def _run_transition(tx: ManagedTransaction, *, driver: Driver, introduction_id: str, action: Action,
                    actor: Actor, data: dict[str, Any]) -> Plan:
    record = tx.run(query("lock_introduction"), introduction_id=introduction_id).single()
    if record is None:
        raise NotFound(f"no introduction {introduction_id!r}")
    intro = record["intro"]
    snap = snapshot_of(intro, record["feedback_parties"])
    now = datetime.now(UTC)
    problems = []
    if action in ELIGIBILITY_CHECKED and action in TRANSITIONS[snap.state]:
        problems = _eligibility_problems(driver, intro)
    step = (withdrawal(snap, cause=f"{action.value} refused", at=now, reasons=problems) if problems
            else plan(snap, action, actor=actor, at=now, data=data))
    _apply(tx, introduction_id, step, record["event_count"])
    return step


def _apply(tx: ManagedTransaction, introduction_id: str, step: Plan, event_count: int) -> None:
    step.event["seq"] = event_count + 1
    row = {"introduction_id": introduction_id, "changes": step.changes, "event": step.event}
    tx.run(query("apply_transition"), rows=[row]).consume()
    if step.referral is not None:
        tx.run(query("merge_referral"), rows=[{"introduction_id": introduction_id, **step.referral}]).consume()
    if step.feedback is not None:
        tx.run(query("add_feedback"), rows=[{"introduction_id": introduction_id, "feedback": step.feedback}]).consume()


def withdraw_ineligible(driver: Driver, *, customer_ids: list[str]) -> list[str]:
    """Withdraw the open introductions (not yet accepted by both) of these customers where a party is no longer
    eligible; for callers that change consent, vetting or risk. Returns the withdrawn introductions' ids."""
    records, _, _ = driver.execute_query(query("open_introductions_of"), customer_ids=list(customer_ids),
                                         open_states=[s.value for s in OPEN_STATES])
    withdrawn = []
    with driver.session() as session:
        for record in records:
            step = session.execute_write(_sweep_one, driver=driver, introduction_id=record["introduction_id"])
            if step is not None:
                withdrawn.append(record["introduction_id"])
    return withdrawn


def _sweep_one(tx: ManagedTransaction, *, driver: Driver, introduction_id: str) -> Plan | None:
    record = tx.run(query("lock_introduction"), introduction_id=introduction_id).single()
    if record is None or State(record["intro"]["state"]) not in OPEN_STATES:
        return None  # gone, or moved on meanwhile
    problems = _eligibility_problems(driver, record["intro"])
    if not problems:
        return None
    snap = snapshot_of(record["intro"], record["feedback_parties"])
    step = withdrawal(snap, cause="eligibility re-checked", at=datetime.now(UTC), reasons=problems)
    _apply(tx, introduction_id, step, record["event_count"])
    return step


def _check_proposable(driver: Driver, *, needer_id: str, provider_id: str) -> None:
    for party, cid in ((Party.needer, needer_id), (Party.provider, provider_id)):
        verdict = customer_eligibility(driver, customer_id=cid)
        if not verdict.eligible:
            raise Conflict(f"the {party.value} cannot be introduced: " + "; ".join(verdict.reasons), allowed=[])
    if not eligible_candidates(driver, customer_id=needer_id, candidate_ids=[provider_id]):
        raise Conflict("these customers already have an introduction or a referral between them; "
                       "a declined or rejected pair is never proposed again", allowed=[])


def _eligibility_problems(driver: Driver, intro: Mapping[str, Any]) -> list[str]:
    problems = []
    for party in Party:
        cid = intro.get(f"{party.value}_id")
        verdict = customer_eligibility(driver, customer_id=cid) if cid else None
        if verdict is None or not verdict.eligible:
            reasons = verdict.reasons if verdict else ["customer erased"]
            problems.append(f"{party.value}: " + ", ".join(reasons))
    return problems


def _event(seq: int, action: str, from_state: State | None, to_state: State, actor: Actor, at: datetime,
           reason_code: str | None = None) -> dict[str, Any]:
    return {"seq": seq, "action": action, "from_state": from_state.value if from_state else None,
            "to_state": to_state.value, "actor": actor.key_id, "role": actor.role, "at": at,
            "reason_code": reason_code, "note": None, "party": None}
