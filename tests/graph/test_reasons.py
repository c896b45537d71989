"""Reasons for a pair, the category-match fallback ranking, and atomic suggestion runs, on a hand-built graph."""

from graph.reasons import Reason, category_match_candidates, pair_reasons
from graph.suggestions import SuggestionRow, replace_suggestions, suggestions_for

GRAPH = """
CREATE (a:Customer {customer_id: 'A', vetted: true, consent: 'opt_in', risk_rating: 'low'}),
       (b:Customer {customer_id: 'B', vetted: true, consent: 'opt_in', risk_rating: 'low'}),
       (c:Customer {customer_id: 'C', vetted: true, consent: 'opt_in', risk_rating: 'medium'}),
       (d:Customer {customer_id: 'D', vetted: true, consent: 'opt_out', risk_rating: 'low'}),
       (e:Customer {customer_id: 'E', vetted: true, consent: 'opt_in', risk_rating: 'low'}),
       (a)-[:HAS_NEED]->(:Need {need_id: 'n1', category: 'accounting', status: 'open',
                                description: 'We need help with payroll and the annual tax filing'}),
       (a)-[:HAS_NEED]->(:Need {need_id: 'n2', category: 'logistics', status: 'open', description: ''}),
       (a)-[:HAS_NEED]->(:Need {need_id: 'n3', category: 'marketing', status: 'fulfilled', description: 'ads'}),
       (b)-[:CAN_PROVIDE]->(:Capability {capability_id: 'k1', category: 'accounting', quality: 3.0,
                                         description: 'Bookkeeping for small firms'}),
       (b)-[:CAN_PROVIDE]->(:Capability {capability_id: 'k2', category: 'logistics', quality: 2.0}),
       (b)-[:CAN_PROVIDE]->(:Capability {capability_id: 'k3', category: 'marketing', quality: 5.0}),
       (c)-[:CAN_PROVIDE]->(:Capability {capability_id: 'k4', category: 'accounting', quality: 5.0}),
       (d)-[:CAN_PROVIDE]->(:Capability {capability_id: 'k5', category: 'accounting', quality: 5.0}),
       (e)-[:CAN_PROVIDE]->(:Capability {capability_id: 'k6', category: 'marketing', quality: 5.0}),
       (a)-[:CAN_PROVIDE]->(:Capability {capability_id: 'k7', category: 'accounting', quality: 5.0})
"""


def test_pair_reasons_match_open_needs_to_capabilities_of_the_same_category(db):
    db.execute_query(GRAPH)
    reasons = pair_reasons(db, pairs=[("A", "B"), ("A", "E"), ("B", "A"), ("A", "nobody")])
    ab = reasons[("A", "B")]
    assert [(r.need_id, r.capability_id) for r in ab] == [("n1", "k1"), ("n2", "k2")]  # best quality first
    assert ab[0].need_category == ab[0].capability_category == "accounting"
    assert ab[0].need_description.startswith("We need help with payroll") and ab[0].quality == 3.0
    assert reasons[("A", "E")] == []       # E only serves marketing, and that need is already fulfilled
    assert reasons[("B", "A")] == []       # B needs nothing
    assert reasons[("A", "nobody")] == []


def test_category_match_ranks_eligible_providers_by_matches_then_quality(db):
    db.execute_query(GRAPH)
    ranked = category_match_candidates(db, customer_id="A", k=10)
    assert [c for c, _ in ranked] == ["B", "C"]  # B serves two needs; D opted out; A never matches itself
    assert ranked[0][1] > ranked[1][1]
    assert category_match_candidates(db, customer_id="A", k=1) == ranked[:1]


def test_a_new_suggestion_run_replaces_the_old_one(db):
    db.execute_query(GRAPH)
    reason = pair_reasons(db, pairs=[("A", "B")])[("A", "B")]
    replace_suggestions(db, version="v1", rows=[SuggestionRow("A", "B", 0.9, 1, reason),
                                                SuggestionRow("A", "C", 0.5, 2, reason[:1])])
    assert [(s.provider_id, s.model_version) for s in suggestions_for(db, customer_id="A", k=5)] == [
        ("B", "v1"), ("C", "v1")]
    replace_suggestions(db, version="v2", rows=[SuggestionRow("A", "C", 0.8, 1, reason[:1])])
    stored = suggestions_for(db, customer_id="A", k=5)
    assert [(s.provider_id, s.model_version, s.rank) for s in stored] == [("C", "v2", 1)]
    assert stored[0].reasons == [Reason(**reason[0].model_dump())]
    assert "accounting" in stored[0].reason_text
    count = db.execute_query("MATCH ()-[s:SUGGESTED_INTRO]->() RETURN count(s) AS n")[0][0]["n"]
    assert count == 1
