"""The write path shared by the loader and the API: idempotent upserts, consent history, no stub customers."""

import csv
from datetime import UTC, datetime

from graph.ingest import (
    RecordKind,
    flat_row,
    validate,
    write_capabilities,
    write_customers,
    write_interactions,
    write_needs,
    write_referrals,
)
from graph.loader import expected_columns
from graph.quick_rows import quick_flat
from graph.records import CapabilityRecord, CustomerRecord, InteractionRecord, NeedRecord, ReferralRecord
from graph.seed import generate_bank


def _customer(cid: str, **kw) -> CustomerRecord:
    base = dict(customer_id=cid, name=f"Firm {cid}", industry="retail", region="north", segment="sme",
                vetted=True, risk_rating="low", consent="opt_in")
    return CustomerRecord(**{**base, **kw})


def _counts(db) -> dict[str, int]:
    rows = db.execute_query(
        "MATCH (n) WITH labels(n)[0] AS l, count(*) AS c RETURN l, c")[0]
    nodes = {r["l"]: r["c"] for r in rows}
    rels = db.execute_query("MATCH ()-[r]->() WITH type(r) AS t, count(*) AS c RETURN t, c")[0]
    return {**nodes, **{r["t"]: r["c"] for r in rels}}


def test_full_write_path_is_idempotent(db):
    customers = [_customer("c1"), _customer("c2", kind="individual", consent="unknown", vetted=False)]
    needs = [NeedRecord(need_id="n1", customer_id="c1", category="logistics", description="a truck")]
    caps = [CapabilityRecord(capability_id="k1", customer_id="c2", category="logistics", quality=4.5)]
    refs = [ReferralRecord(referral_id="r1", from_customer_id="c1", to_customer_id="c2",
                           created_at=datetime(2024, 1, 2, tzinfo=UTC), outcome="deal", value=1200.0, rating=5)]
    ints = [InteractionRecord(interaction_id="i1", customer_id="c1", channel="branch", text="needs a truck")]

    def load_all() -> list[int]:
        return [write_customers(db, records=customers, batch_size=1), write_needs(db, records=needs),
                write_capabilities(db, records=caps), write_referrals(db, records=refs),
                write_interactions(db, records=ints)]

    assert load_all() == [2, 1, 1, 1, 1]
    first = _counts(db)
    stamp = db.execute_query("MATCH (c:Customer {customer_id:'c1'}) RETURN c.updated_at AS u")[0][0]["u"]
    assert load_all() == [2, 1, 1, 1, 1]
    assert _counts(db) == first
    assert first["Customer"] == 2 and first["ConsentEvent"] == 2 and first["Category"] == 1
    assert first["IN_CATEGORY"] == 2 and first["REFERRED"] == 1
    # nothing changed, so the customer's updated_at stays as it was
    again = db.execute_query("MATCH (c:Customer {customer_id:'c1'}) RETURN c.updated_at AS u")[0][0]["u"]
    assert again == stamp
    ref = db.execute_query("MATCH (:Customer {customer_id:'c1'})-[r:REFERRED]->(:Customer {customer_id:'c2'}) "
                           "RETURN r.outcome AS o, r.value AS v, r.rating AS g")[0][0]
    assert (ref["o"], ref["v"], ref["g"]) == ("deal", 1200.0, 5)


def test_consent_change_adds_an_event_and_api_fields_survive_an_export(db):
    write_customers(db, records=[_customer("c1", consent="unknown", contact_email="a@b.example",
                                           private_notes="prefers mornings")], basis="api", actor="rm-001")
    write_customers(db, records=[_customer("c1", consent="opt_in")])  # an export: no API fields
    write_customers(db, records=[_customer("c1", consent="opt_in", name="Renamed")])
    rows = db.execute_query(
        "MATCH (c:Customer {customer_id:'c1'})-[:CONSENT_EVENT]->(e) "
        "RETURN c.consent AS now, c.name AS name, c.contact_email AS email, c.private_notes AS notes, "
        "e.consent AS consent, e.basis AS basis, e.actor AS actor ")[0]
    assert sorted((r["consent"], r["basis"], r["actor"]) for r in rows) == [
        ("opt_in", "crm_export", "loader"), ("unknown", "api", "rm-001")]
    assert len(rows) == 2
    assert rows[0]["now"] == "opt_in" and rows[0]["name"] == "Renamed"
    assert rows[0]["email"] == "a@b.example" and rows[0]["notes"] == "prefers mornings"


def test_rows_for_unknown_customers_create_no_stubs(db):
    write_customers(db, records=[_customer("c1")])
    assert write_needs(db, records=[NeedRecord(need_id="n1", customer_id="ghost", category="x")]) == 0
    assert write_referrals(db, records=[ReferralRecord(
        referral_id="r1", from_customer_id="c1", to_customer_id="ghost",
        created_at=datetime(2024, 1, 1, tzinfo=UTC), outcome="pending")]) == 0
    assert write_interactions(db, records=[InteractionRecord(interaction_id="i1", customer_id="ghost",
                                                             text="hi")]) == 0
    counts = _counts(db)
    assert counts["Customer"] == 1 and "Need" not in counts and "Interaction" not in counts


def test_a_corrected_need_keeps_one_category_and_one_owner(db):
    write_customers(db, records=[_customer("c1"), _customer("c2")])
    write_needs(db, records=[NeedRecord(need_id="n1", customer_id="c1", category="logistics")])
    write_needs(db, records=[NeedRecord(need_id="n1", customer_id="c2", category="marketing")])
    row = db.execute_query("MATCH (o:Customer)-[:HAS_NEED]->(n:Need {need_id:'n1'})-[:IN_CATEGORY]->(c) "
                           "RETURN collect(DISTINCT o.customer_id) AS owners, collect(DISTINCT c.name) AS cats")[0][0]
    assert (row["owners"], row["cats"]) == (["c2"], ["marketing"])


def test_validate_reports_every_reason_in_plain_words():
    rows = [
        {"customer_id": "c1", "name": "A", "industry": "x", "region": "r", "segment": "s"},
        {"customer_id": "bad id!", "name": "", "industry": "x", "region": "r", "segment": "s",
         "risk_rating": "extreme", "vetted": "maybe"},
    ]
    records, rejects = validate("customers", rows)
    assert [r.customer_id for r in records] == ["c1"]
    assert records[0].consent == "unknown" and records[0].vetted is False  # blanks take the defaults
    (bad,) = rejects
    assert bad.index == 1 and bad.row_id == "bad id!"
    fields = sorted(reason.split(":")[0] for reason in bad.reasons)
    assert fields == ["customer_id", "name", "risk_rating", "vetted"]
    assert "extreme" in bad.reason


def test_validate_names_a_self_referral():
    _, rejects = validate("referrals", [{"referral_id": "r1", "from_customer_id": "a", "to_customer_id": "a",
                                         "created_at": "2024-01-01T00:00:00Z", "outcome": "deal"}])
    assert rejects[0].reasons == ("self-referral: from_customer_id equals to_customer_id",)


# values the records accept in more than one form, or refuse: the fast path must agree or step aside
ODD_VALUES = ["", " ", " x", "x ", "X", "true", "True", "TRUE", "1", "0", "yes", "false", "off", "low", "LOW",
              "opt_in", "business", "deal", "open", "3", "3.0", "03", "+3", "-1", "0.5", ".5", "5.0000001", "1e3",
              "nan", "inf", "6", "12345678901234567890", "C0000001", "bad id!", "a" * 64, "a" * 65, "é",
              "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00.123456Z",
              "2024-01-01T00:00:00.1234567Z", "2024-01-01T00:00:00+14:00", "2024-01-01T00:00:00-23:59",
              "2024-01-01T00:00:00+24:00", "2024-01-01 00:00:00Z", "2024-01-01", "1700000000", "0001-01-01T00:00:00+01:00",
              "9999-12-31T23:59:59-01:00", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "\u00a0x", "x\u2003"]


def test_fast_path_agrees_with_the_records_on_every_value(tmp_path):
    """Every row `quick_flat` accepts is one the records accept, with the identical flat row; canonical rows are
    all taken by it (or the loader would silently lose its speed)."""
    generate_bank(customers=60, seed=5, out=tmp_path)
    for kind in RecordKind:
        with (tmp_path / f"{kind.value}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert all(quick_flat(kind, r) is not None for r in rows), f"{kind}: a seeded row left the fast path"
        cases = rows[:20] + [dict(rows[i % len(rows)], **{column: odd})
                             for i, column in enumerate(expected_columns(kind)) for odd in ODD_VALUES]
        if kind is RecordKind.referrals:
            cases.append(dict(rows[0], to_customer_id=rows[0]["from_customer_id"]))
        for raw in cases:
            fast = quick_flat(kind, raw)
            records, _ = validate(kind, [raw])
            if fast is not None:
                assert records and flat_row(records[0]) == fast, (kind, raw)
