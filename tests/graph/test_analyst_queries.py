"""The analyst queries in cypher/analyst/ return the rows an analyst expects from a small, known graph."""

from datetime import UTC, datetime

import pytest

from graph.cypher import folder, query, statements
from graph.ingest import write_capabilities, write_customers, write_needs, write_referrals
from graph.records import CapabilityRecord, CustomerRecord, NeedRecord, ReferralRecord

T = datetime(2024, 5, 1, tzinfo=UTC)


def _c(cid: str, region: str, segment: str, *, consent: str = "opt_in", vetted: bool = True) -> CustomerRecord:
    return CustomerRecord(customer_id=cid, name=f"Firm {cid}", industry="retail", region=region, segment=segment,
                          consent=consent, vetted=vetted, risk_rating="low", relationship_manager="rm-001")


def _need(nid: str, cid: str, category: str, status: str = "open") -> NeedRecord:
    return NeedRecord(need_id=nid, customer_id=cid, category=category, status=status, created_at=T,
                      description=f"{category} wanted")


def _ref(rid: str, a: str, b: str, outcome: str, rating: int | None = None, value: float | None = None):
    return ReferralRecord(referral_id=rid, from_customer_id=a, to_customer_id=b, created_at=T, outcome=outcome,
                          rating=rating, value=value)


@pytest.fixture
def small_bank(db):
    write_customers(db, records=[
        _c("c1", "north", "sme"), _c("c2", "north", "sme"), _c("c3", "south", "sme"),
        _c("c4", "south", "micro", consent="unknown", vetted=False), _c("c5", "south", "corporate", consent="opt_out"),
        _c("c7", "south", "sme")])
    write_needs(db, records=[
        _need("n1", "c1", "logistics"), _need("n2", "c1", "marketing"), _need("n3", "c1", "legal", "fulfilled"),
        _need("n4", "c4", "catering"), _need("n5", "c5", "logistics"), _need("n6", "c2", "logistics")])
    write_capabilities(db, records=[
        CapabilityRecord(capability_id="k2", customer_id="c2", category="logistics", quality=4.0),
        CapabilityRecord(capability_id="k3", customer_id="c3", category="marketing", quality=3.0),
        CapabilityRecord(capability_id="k7", customer_id="c7", category="marketing", quality=4.5)])
    write_referrals(db, records=[
        _ref("r1", "c1", "c2", "deal", 5, 100.0), _ref("r2", "c1", "c3", "deal", 4),
        _ref("r3", "c5", "c3", "no_deal", 2), _ref("r4", "c4", "c7", "deal", 4, 50.0),
        _ref("r5", "c4", "c2", "pending")])
    return db


def _run(db, name: str) -> list[dict]:
    records, _, _ = db.execute_query(query(f"analyst/{name}"))
    return [dict(r) for r in records]


def test_every_analyst_file_is_one_statement_with_a_one_line_comment():
    files = folder("analyst")
    assert len(files) >= 6
    for name, text in files.items():
        first, second = text.splitlines()[:2]
        assert first.startswith("// ") and len(first) > 20, name
        assert not second.startswith("//"), name
        assert len(statements(text)) == 1, name


def test_open_needs_no_one_in_the_region_can_serve(small_bank):
    rows = _run(small_bank, "01_open_needs_unserved_in_region")
    assert [(r["region"], r["category"], r["need_id"]) for r in rows] == [
        ("north", "logistics", "n6"),  # c2 is the only logistics provider in the north: not for its own need
        ("north", "marketing", "n2"),
        ("south", "catering", "n4"),
        ("south", "logistics", "n5"),
    ]


def test_best_providers_per_category(small_bank):
    rows = _run(small_bank, "02_best_providers_per_category")
    got = [(r["category"], r["rank"], r["provider_id"], r["avg_rating"], r["deals"]) for r in rows]
    assert got == [("logistics", 1, "c2", 5.0, 1), ("marketing", 1, "c7", 4.0, 1), ("marketing", 2, "c3", 3.0, 1)]


def test_referral_outcomes_by_segment(small_bank):
    rows = {r["segment"]: r for r in _run(small_bank, "03_referral_outcomes_by_segment")}
    assert set(rows) == {"corporate", "micro", "sme"}
    assert (rows["sme"]["referrals"], rows["sme"]["deals"], rows["sme"]["deal_value"]) == (2, 2, 100.0)
    assert (rows["micro"]["pending"], rows["micro"]["deal_rate"], rows["micro"]["deal_value"]) == (1, 1.0, 50.0)
    assert (rows["corporate"]["no_deal"], rows["corporate"]["deal_rate"]) == (1, 0.0)


def test_current_suggestions_with_reasons(small_bank):
    small_bank.execute_query(
        "MATCH (a:Customer {customer_id: 'c1'}), (b:Customer {customer_id: 'c7'}), (c:Customer {customer_id: 'c3'}) "
        "CREATE (a)-[:SUGGESTED_INTRO {score: 0.91, rank: 1, model_version: 'v1', reason_text: 'c7 does marketing',"
        " reasons: '[]', created_at: datetime()}]->(b), "
        "(a)-[:SUGGESTED_INTRO {score: 0.52, rank: 2, model_version: 'v1', reason_text: 'c3 does marketing',"
        " reasons: '[]', created_at: datetime()}]->(c)")
    rows = _run(small_bank, "04_current_suggestions_with_reasons")
    assert [(r["customer_id"], r["rank"], r["suggested_id"], r["reason"]) for r in rows] == [
        ("c1", 1, "c7", "c7 does marketing"), ("c1", 2, "c3", "c3 does marketing")]


def test_customers_waiting_for_consent_or_vetting(small_bank):
    rows = _run(small_bank, "05_waiting_for_consent_or_vetting")
    assert [(r["customer_id"], r["waiting_for"], r["open_needs"]) for r in rows] == [
        ("c4", ["consent", "vetting"], 1), ("c5", ["consent"], 1)]


def test_introduction_funnel(small_bank):
    small_bank.execute_query("""
        CREATE (i1:Introduction {introduction_id: 'i1', state: 'completed'}),
               (i2:Introduction {introduction_id: 'i2', state: 'declined'}),
               (:Introduction {introduction_id: 'i3', state: 'proposed'})
        WITH i1, i2
        UNWIND ['approved', 'offered', 'accepted', 'met', 'completed'] AS s
        CREATE (i1)-[:HAS_EVENT]->(:IntroEvent {to_state: s})
        WITH DISTINCT i2
        UNWIND ['approved', 'offered', 'declined'] AS s
        CREATE (i2)-[:HAS_EVENT]->(:IntroEvent {to_state: s})""")
    rows = {r["state"]: (r["now"], r["reached"]) for r in _run(small_bank, "06_introduction_funnel")}
    assert rows == {"proposed": (1, 3), "awaiting_manager": (0, 0), "approved": (0, 2), "offered": (0, 2),
                    "accepted": (0, 1), "met": (0, 1), "completed": (1, 1), "rejected": (0, 0),
                    "declined": (1, 1), "withdrawn": (0, 0)}
