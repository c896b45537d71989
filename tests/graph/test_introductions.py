"""The introduction state machine against the real graph: double opt-in, eligibility at every step, REFERRED edges."""

import threading

import pytest
from pydantic import ValidationError

from graph.errors import Conflict, NotFound, ValidationFailed
from graph.ingest import write_capabilities, write_customers, write_needs
from graph.introduction_states import TRANSITIONS, Action, Actor, AutomationLevel, AutomationPolicy, State
from graph.introduction_views import get_introduction, introduction_events, list_introductions
from graph.introductions import propose, transition, withdraw_ineligible
from graph.records import CapabilityRecord, CustomerRecord, NeedRecord
from graph.settings import Settings

RM = Actor("key-rm1", "relationship_manager")
ADMIN = Actor("key-admin", "admin")
ADMIN2 = Actor("key-admin2", "admin")
POLICY = AutomationPolicy({"sme": AutomationLevel.rm_approval, "corporate": AutomationLevel.manager_approval,
                           "retail": AutomationLevel.automatic_offer, "private": AutomationLevel.suggest_only})


def customer(cid: str, **kw) -> CustomerRecord:
    base = dict(customer_id=cid, name=f"Firm {cid}", industry="logistics", region="north", segment="sme",
                vetted=True, risk_rating="low", consent="opt_in", relationship_manager="rm1",
                contact_email=f"{cid}@example.test", contact_phone="+1 555 0100")
    return CustomerRecord(**{**base, **kw})


def bank(db, *customers: CustomerRecord) -> None:
    """Customers, each with one need and one capability (`need-<id>`, `cap-<id>`)."""
    write_customers(db, records=list(customers))
    write_needs(db, records=[NeedRecord(need_id=f"need-{c.customer_id}", customer_id=c.customer_id,
                                        category="freight", description="a truck") for c in customers])
    write_capabilities(db, records=[CapabilityRecord(capability_id=f"cap-{c.customer_id}", customer_id=c.customer_id,
                                                     category="freight", quality=4.0) for c in customers])


def step(db, intro_id: str, action: Action, actor: Actor = RM, **data):
    return transition(db, introduction_id=intro_id, action=action, actor=actor, data=data)


def offered(db, a: str = "a", b: str = "b") -> str:
    intro = propose(db, needer_id=a, provider_id=b, need_id=f"need-{a}", capability_id=f"cap-{b}",
                    score=0.9, model_version="v1", actor=RM, policy=POLICY)
    step(db, intro.introduction_id, Action.approve)
    step(db, intro.introduction_id, Action.offer)
    return intro.introduction_id


def referred(db) -> list[dict]:
    rows, _, _ = db.execute_query("MATCH (n:Customer)-[r:REFERRED]->(p:Customer) "
                                  "RETURN n.customer_id AS needer, p.customer_id AS provider, r {.*} AS r")
    return [dict(r) for r in rows]


def test_the_whole_workflow_reveals_contacts_only_after_both_accept_and_writes_a_referral(db):
    bank(db, customer("a"), customer("b"))
    intro_id = offered(db)
    after_one = step(db, intro_id, Action.accept, party="needer")
    assert after_one.state is State.offered and after_one.contacts == []
    both = step(db, intro_id, Action.accept, party="provider")
    assert both.state is State.accepted
    assert {c.contact_email for c in both.contacts} == {"a@example.test", "b@example.test"}
    needer_view = get_introduction(db, introduction_id=intro_id, as_party="needer")
    assert [c.customer_id for c in needer_view.contacts] == ["b"]
    step(db, intro_id, Action.met)
    done = step(db, intro_id, Action.outcome, outcome="deal", value=25000.0)
    assert (done.state, done.outcome, done.value) == (State.completed, "deal", 25000.0)
    step(db, intro_id, Action.feedback, party="needer", rating=4, comment="useful", visibility="shared")
    step(db, intro_id, Action.feedback, party="provider", rating=2, comment="slow payer", visibility="bank")

    [edge] = referred(db)
    assert (edge["needer"], edge["provider"]) == ("a", "b")
    assert edge["r"]["referral_id"] == intro_id and edge["r"]["outcome"] == "deal"
    assert edge["r"]["value"] == 25000.0 and edge["r"]["rating"] == 4
    # the provider's bank-only comment is not shown to the needer
    assert [f.comment for f in get_introduction(db, introduction_id=intro_id, as_party="needer").feedback] == ["useful"]
    events = introduction_events(db, introduction_id=intro_id)
    assert [(e.action, e.to_state) for e in events] == [
        ("propose", "proposed"), ("approve", "approved"), ("offer", "offered"), ("accept", "offered"),
        ("accept", "accepted"), ("met", "met"), ("outcome", "completed"), ("feedback", "completed"),
        ("feedback", "completed")]
    assert all(e.actor == RM.key_id and e.role == RM.role for e in events)
    assert [e.party for e in events if e.action == "accept"] == ["needer", "provider"]


def test_every_invalid_transition_is_refused_with_the_allowed_ones(db):
    bank(db, customer("a"), customer("b"))
    intro = propose(db, needer_id="a", provider_id="b", actor=RM, policy=POLICY)
    path = [(Action.approve, {}), (Action.offer, {}), (Action.accept, {"party": "needer"}),
            (Action.accept, {"party": "provider"}), (Action.met, {}), (Action.outcome, {"outcome": "no_deal"})]
    refused = 0
    for action, data in [*path, (None, None)]:
        current = get_introduction(db, introduction_id=intro.introduction_id)
        for wrong in set(Action) - set(TRANSITIONS[current.state]):
            with pytest.raises(Conflict) as err:
                step(db, intro.introduction_id, wrong, party="needer", rating=3, outcome="deal", value=1.0,
                     reason_code="other")
            assert err.value.allowed == current.allowed_actions
            refused += 1
        if action is not None:
            step(db, intro.introduction_id, action, **data)
    assert refused >= 30
    # nothing refused left a trace in the audit trail
    assert len(introduction_events(db, introduction_id=intro.introduction_id)) == 1 + len(path)


def test_a_party_cannot_answer_twice_and_a_retried_outcome_changes_nothing(db):
    bank(db, customer("a"), customer("b"))
    intro_id = offered(db)
    step(db, intro_id, Action.accept, party="needer")
    with pytest.raises(Conflict) as err:
        step(db, intro_id, Action.decline, party="needer")
    assert err.value.allowed == ["accept", "decline"]
    step(db, intro_id, Action.accept, party="provider")
    step(db, intro_id, Action.met)
    step(db, intro_id, Action.outcome, outcome="deal", value=10.0)
    with pytest.raises(Conflict):
        step(db, intro_id, Action.outcome, outcome="deal", value=99.0)
    [edge] = referred(db)
    assert edge["r"]["value"] == 10.0


def test_rejection_needs_a_reason_and_the_pair_is_never_proposed_again(db):
    bank(db, customer("a"), customer("b"))
    intro = propose(db, needer_id="a", provider_id="b", actor=RM, policy=POLICY)
    for bad in ({}, {"reason_code": "because"}):
        with pytest.raises(ValidationFailed):
            step(db, intro.introduction_id, Action.reject, **bad)
    rejected = step(db, intro.introduction_id, Action.reject, reason_code="poor_fit", note="different markets")
    assert rejected.state is State.rejected and rejected.allowed_actions == []
    assert introduction_events(db, introduction_id=intro.introduction_id)[-1].reason_code == "poor_fit"
    for needer, provider in (("a", "b"), ("b", "a")):
        with pytest.raises(Conflict, match="never proposed again"):
            propose(db, needer_id=needer, provider_id=provider, actor=RM, policy=POLICY)


def test_a_decline_is_a_hard_negative_and_blocks_the_pair(db):
    bank(db, customer("a"), customer("b"))
    intro_id = offered(db)
    declined = step(db, intro_id, Action.decline, party="provider", note="not now")
    assert declined.state is State.declined and declined.contacts == []
    [edge] = referred(db)
    assert (edge["needer"], edge["provider"], edge["r"]["outcome"]) == ("a", "b", "declined")
    with pytest.raises(Conflict):
        propose(db, needer_id="b", provider_id="a", actor=RM, policy=POLICY)


def test_consent_withdrawn_after_approval_means_never_offered(db):
    bank(db, customer("a"), customer("b"))
    intro = propose(db, needer_id="a", provider_id="b", actor=RM, policy=POLICY)
    step(db, intro.introduction_id, Action.approve)
    write_customers(db, records=[customer("b", consent="opt_out")], basis="api", actor="rm1")
    with pytest.raises(Conflict, match="withdrawn"):
        step(db, intro.introduction_id, Action.offer)
    after = get_introduction(db, introduction_id=intro.introduction_id)
    assert after.state is State.withdrawn and after.offered_at is None
    last = introduction_events(db, introduction_id=intro.introduction_id)[-1]
    assert (last.action, last.actor, last.reason_code) == ("withdraw", "system", "eligibility_lost")
    assert "provider" in last.note and "opted in" in last.note


def test_a_consent_change_withdraws_open_introductions_but_not_finished_ones(db):
    bank(db, customer("a"), customer("b"), customer("c"), customer("d"))
    open_offer = offered(db, "a", "b")
    proposed = propose(db, needer_id="c", provider_id="a", actor=RM, policy=POLICY).introduction_id
    unrelated = offered(db, "c", "d")
    accepted = offered(db, "d", "a")
    step(db, accepted, Action.accept, party="needer")
    step(db, accepted, Action.accept, party="provider")
    assert withdraw_ineligible(db, customer_ids=["a"]) == []  # everyone still eligible: nothing changes
    write_customers(db, records=[customer("a", consent="opt_out")], basis="api", actor="rm1")
    assert sorted(withdraw_ineligible(db, customer_ids=["a"])) == sorted([open_offer, proposed])
    states = {i.introduction_id: i.state for i in list_introductions(db)}
    assert states == {open_offer: State.withdrawn, proposed: State.withdrawn, unrelated: State.offered,
                      accepted: State.accepted}
    assert withdraw_ineligible(db, customer_ids=["a"]) == []  # a second sweep finds nothing left to do
    assert introduction_events(db, introduction_id=open_offer)[-1].note.startswith("eligibility re-checked: needer")


def test_lost_vetting_before_acceptance_withholds_contacts(db):
    bank(db, customer("a"), customer("b"))
    intro_id = offered(db)
    step(db, intro_id, Action.accept, party="needer")
    write_customers(db, records=[customer("a", vetted=False)])
    with pytest.raises(Conflict):
        step(db, intro_id, Action.accept, party="provider")
    after = get_introduction(db, introduction_id=intro_id)
    assert after.state is State.withdrawn and after.contacts == []


def test_proposal_checks_customers_eligibility_and_ownership_of_need(db):
    bank(db, customer("a"), customer("b"), customer("risky", risk_rating="high"), customer("out", consent="opt_out"))
    for other in ("risky", "out"):
        with pytest.raises(Conflict, match="cannot be introduced"):
            propose(db, needer_id="a", provider_id=other, actor=RM, policy=POLICY)
    with pytest.raises(NotFound):
        propose(db, needer_id="a", provider_id="ghost", actor=RM, policy=POLICY)
    with pytest.raises(ValidationFailed):
        propose(db, needer_id="a", provider_id="b", need_id="need-b", actor=RM, policy=POLICY)
    with pytest.raises(ValidationFailed):
        propose(db, needer_id="a", provider_id="a", actor=RM, policy=POLICY)
    assert list_introductions(db) == []


def test_automation_levels(db):
    bank(db, customer("s1"), customer("c1", segment="corporate"), customer("c2", segment="corporate"),
         customer("r1", segment="retail"), customer("r2", segment="retail"), customer("p1", segment="private"))
    with pytest.raises(Conflict, match="suggest_only"):
        propose(db, needer_id="s1", provider_id="p1", actor=RM, policy=POLICY)

    auto = propose(db, needer_id="r1", provider_id="r2", actor=RM, policy=POLICY)
    assert auto.state is State.offered and auto.automation_level == "automatic_offer"
    assert [(e.action, e.actor) for e in introduction_events(db, introduction_id=auto.introduction_id)] == [
        ("propose", RM.key_id), ("approve", "system"), ("offer", "system")]

    # a mixed pair takes the stricter of the two segments' levels
    mixed = propose(db, needer_id="r1", provider_id="s1", actor=RM, policy=POLICY)
    assert mixed.state is State.proposed and mixed.automation_level == "rm_approval"

    managed = propose(db, needer_id="c1", provider_id="c2", actor=RM, policy=POLICY)
    first = step(db, managed.introduction_id, Action.approve, RM)
    assert first.state is State.awaiting_manager and first.approved_at is None
    with pytest.raises(Conflict, match="manager"):
        step(db, managed.introduction_id, Action.offer, RM)
    with pytest.raises(Conflict, match="manager"):
        step(db, managed.introduction_id, Action.approve, RM)
    second = step(db, managed.introduction_id, Action.approve, ADMIN)
    assert second.state is State.approved

    four_eyes = propose(db, needer_id="c1", provider_id="s1", actor=RM, policy=POLICY)
    step(db, four_eyes.introduction_id, Action.approve, ADMIN)
    with pytest.raises(Conflict, match="different key"):
        step(db, four_eyes.introduction_id, Action.approve, ADMIN)
    assert step(db, four_eyes.introduction_id, Action.approve, ADMIN2).state is State.approved


def test_both_parties_accepting_at_once_completes_the_double_opt_in(db):
    bank(db, customer("a"), customer("b"))
    intro_id = offered(db)
    errors: list[Exception] = []

    def accept(party: str) -> None:
        try:
            step(db, intro_id, Action.accept, party=party)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(p,)) for p in ("needer", "provider")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    after = get_introduction(db, introduction_id=intro_id)
    assert after.state is State.accepted and len(after.contacts) == 2
    assert [e.seq for e in introduction_events(db, introduction_id=intro_id)] == [1, 2, 3, 4, 5]


def test_list_is_scoped_to_a_managers_customers(db):
    bank(db, customer("a"), customer("b"), customer("x", relationship_manager="rm2"),
         customer("y", relationship_manager="rm2"))
    mine = propose(db, needer_id="a", provider_id="b", actor=RM, policy=POLICY)
    theirs = propose(db, needer_id="x", provider_id="y", actor=RM, policy=POLICY)
    ids = lambda page: {i.introduction_id for i in page}  # noqa: E731
    assert ids(list_introductions(db, manager_id="rm1", scoped=True)) == {mine.introduction_id}
    assert ids(list_introductions(db, manager_id=None, scoped=True)) == set()
    assert ids(list_introductions(db)) == {mine.introduction_id, theirs.introduction_id}
    assert list_introductions(db, state=State.approved) == []


def test_automation_levels_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ICRM_AUTOMATION_LEVELS", '{"sme": "automatic_offer", "corporate": "manager_approval"}')
    monkeypatch.setenv("ICRM_DEFAULT_AUTOMATION_LEVEL", "suggest_only")
    policy = AutomationPolicy.from_settings(Settings())
    assert policy.level_for("sme") is AutomationLevel.automatic_offer
    assert policy.level_for("sme", "corporate") is AutomationLevel.manager_approval
    assert policy.level_for("unlisted") is AutomationLevel.suggest_only
    monkeypatch.setenv("ICRM_AUTOMATION_LEVELS", '{"sme": "always"}')
    with pytest.raises(ValidationError):
        Settings()
