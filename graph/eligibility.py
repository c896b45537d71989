"""Who may be matched with whom: one definition, used by the batch suggester and by the API at request time.

A customer takes part only when vetted, opted in (`consent = 'opt_in'`) and not rated high risk; a pair is
allowed only when both customers take part and it is not the same customer, the two have no referral between
them, and no introduction between them exists (in progress, declined, rejected or done): a declined pair is
never proposed again. The pair rule lives in one Cypher file, `eligible_pairs.cypher`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, RoutingControl, Session

from graph.cypher import query


@dataclass(frozen=True)
class Eligibility:
    exists: bool
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def customer_eligibility(driver: Driver, *, customer_id: str) -> Eligibility:
    records, _, _ = driver.execute_query(query("customer_eligibility"), customer_id=customer_id,
                                         routing_=RoutingControl.READ)
    return judge(records[0])


def judge(r: Mapping[str, Any]) -> Eligibility:
    """The rule on one customer's fields (`exists`, `consent`, `vetted`, `risk_rating`), for queries that
    fetch them together with other data (the API's matches view) instead of through `customer_eligibility`."""
    if not r["exists"]:
        return Eligibility(False, False, ["unknown customer"])
    reasons = []
    if r["consent"] != "opt_in":
        reasons.append(f"customer has not opted in to introductions (consent: {r['consent']})")
    if not r["vetted"]:
        reasons.append("customer is not vetted")
    if r["risk_rating"] == "high":
        reasons.append("customer's risk rating is high")
    return Eligibility(True, not reasons, reasons)


PAIR_BATCH = 20_000


def eligible_pairs(driver: Driver, *, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs (customer, candidate) that may be matched now, in the given order; batched for the suggester."""
    kept: list[tuple[str, str]] = []
    for start in range(0, len(pairs), PAIR_BATCH):
        part = [list(p) for p in pairs[start:start + PAIR_BATCH]]
        records, _, _ = driver.execute_query(query("eligible_pairs"), pairs=part, routing_=RoutingControl.READ)
        kept += [pairs[start + i] for i in records[0]["kept"]]
    return kept


def eligible_candidates(driver: Driver, *, customer_id: str, candidate_ids: list[str]) -> list[str]:
    """The subset of `candidate_ids` that `customer_id` may meet now, in the given order."""
    return [c for _, c in eligible_pairs(driver, pairs=[(customer_id, c) for c in candidate_ids])]


def eligible_candidates_in(session: Session, *, customer_id: str, candidate_ids: list[str]) -> list[str]:
    """`eligible_candidates` as one auto-commit read in an open session: the API's request path, where a
    managed transaction's extra BEGIN/COMMIT round-trips cost more than the rule itself."""
    record = session.run(query("eligible_pairs"), pairs=[[customer_id, c] for c in candidate_ids]).single()
    return [candidate_ids[i] for i in record["kept"]] if record else []


def eligible_customer_ids(driver: Driver) -> list[str]:
    records, _, _ = driver.execute_query(query("eligible_customer_ids"), routing_=RoutingControl.READ)
    return [r["customer_id"] for r in records]


def introduced_pairs(driver: Driver) -> list[tuple[str, str]]:
    """Every (customer, other) pair with an introduction between them, each way round (a bulk pre-filter: what
    is finally kept must still pass `eligible_pairs`)."""
    records, _, _ = driver.execute_query(query("introduced_pairs"), routing_=RoutingControl.READ)
    return [(r["customer_id"], r["other_id"]) for r in records]
