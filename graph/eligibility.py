"""Who may be matched with whom: one definition, used by the batch suggester and by the API at request time.

A customer takes part only when vetted, opted in (`consent = 'opt_in'`) and not rated high risk; a pair is excluded when it is the
same customer, when the two already have a referral between them, or when any introduction between them
exists (in progress, declined, rejected or done): a declined pair is never proposed again.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, RoutingControl

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


def eligible_candidates(driver: Driver, *, customer_id: str, candidate_ids: list[str]) -> list[str]:
    """The subset of `candidate_ids` that `customer_id` may meet now, in the given order."""
    if not candidate_ids:
        return []
    records, _, _ = driver.execute_query(query("eligible_candidates"), customer_id=customer_id,
                                         candidate_ids=list(candidate_ids), routing_=RoutingControl.READ)
    return [r["customer_id"] for r in records]


def eligible_customer_ids(driver: Driver) -> list[str]:
    records, _, _ = driver.execute_query(query("eligible_customer_ids"), routing_=RoutingControl.READ)
    return [r["customer_id"] for r in records]
