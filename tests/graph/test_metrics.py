"""Program metrics against the real graph: the funnel, rates and deal value by segment and region, over a window."""

from datetime import UTC, datetime, timedelta

import pytest

from graph.erasure import erase_customer
from graph.errors import ValidationFailed
from graph.introduction_states import Action, State
from graph.introduction_views import list_introductions
from graph.introductions import propose, transition
from graph.metrics import program_metrics
from tests.graph.test_introductions import POLICY, RM, bank, customer


def _walk(db, needer: str, provider: str, actions: list[tuple[Action, dict]]) -> str:
    intro = propose(db, needer_id=needer, provider_id=provider, actor=RM, policy=POLICY)
    for action, data in actions:
        transition(db, introduction_id=intro.introduction_id, action=action, actor=RM, data=data)
    return intro.introduction_id


OFFER = [(Action.approve, {}), (Action.offer, {})]
BOTH = [*OFFER, (Action.accept, {"party": "needer"}), (Action.accept, {"party": "provider"})]


def test_funnel_rates_and_value_by_segment_and_region(db):
    bank(db, customer("a"), customer("b"), customer("c"), customer("d", region="south"), customer("e", region="south"),
         customer("r1", segment="retail"), customer("r2", segment="retail"))
    _walk(db, "a", "b", [*BOTH, (Action.met, {}), (Action.outcome, {"outcome": "deal", "value": 1000.0})])
    _walk(db, "a", "c", [*BOTH, (Action.met, {}), (Action.outcome, {"outcome": "no_deal"})])
    _walk(db, "b", "c", [*OFFER, (Action.decline, {"party": "provider"})])
    _walk(db, "d", "e", [*BOTH, (Action.met, {}), (Action.outcome, {"outcome": "deal", "value": 500.0})])
    _walk(db, "d", "a", [(Action.reject, {"reason_code": "poor_fit"})])
    _walk(db, "r1", "r2", [])  # automatic offer: counts as approved and offered at once

    m = program_metrics(db)
    o = m.overall
    assert (o.proposed, o.approved, o.offered, o.accepted, o.met, o.deals) == (6, 5, 5, 3, 3, 2)
    assert (o.rejected, o.declined, o.withdrawn) == (1, 1, 0)
    assert o.deal_value == 1500.0
    assert o.acceptance_rate == pytest.approx(3 / 5, abs=1e-4) and o.conversion_rate == pytest.approx(2 / 6, abs=1e-4)
    segments = {s.segment: s for s in m.by_segment}
    assert set(segments) == {"retail", "sme"}
    assert (segments["retail"].proposed, segments["retail"].offered, segments["retail"].deals) == (1, 1, 0)
    assert segments["retail"].conversion_rate == 0.0
    regions = {r.region: r for r in m.by_region}
    # segment and region are the needer's: d's two introductions count in the south
    assert (regions["south"].proposed, regions["south"].deals, regions["south"].deal_value) == (2, 1, 500.0)
    assert regions["north"].deal_value == 1000.0

    south = program_metrics(db, region="south")
    assert south.overall.proposed == 2 and [r.region for r in south.by_region] == ["south"]
    assert program_metrics(db, segment="retail", region="south").overall.proposed == 0


def test_time_window_and_erased_customers(db):
    bank(db, customer("a"), customer("b"))
    _walk(db, "a", "b", [*BOTH, (Action.met, {}), (Action.outcome, {"outcome": "deal", "value": 42.0})])
    now = datetime.now(UTC)
    assert program_metrics(db, window_from=now - timedelta(hours=1), window_to=now + timedelta(hours=1)).overall.deals == 1
    past = program_metrics(db, window_from=now - timedelta(days=30), window_to=now - timedelta(days=1))
    assert past.overall.proposed == 0 and past.overall.acceptance_rate is None
    with pytest.raises(ValidationFailed):
        program_metrics(db, window_from=now, window_to=now - timedelta(days=1))

    # erasure leaves a tombstone without the customer (even one whose id is a substring of everything)
    erase_customer(db, customer_id="a")
    after = program_metrics(db).overall
    assert (after.proposed, after.accepted, after.deals, after.deal_value) == (1, 1, 1, 42.0)
    [tomb] = list_introductions(db)
    assert (tomb.state, tomb.needer_id, tomb.provider_id) == (State.completed, None, "b")
