"""Interactions (free-text notes) and what they revealed: needs written at once, review items for a person.

The interaction and its needs go through the loader's write path (`graph.ingest`); this module adds the
`REVEALED` links and the `ReviewItem` queue (pending → confirmed | dropped).
"""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from neo4j import Driver, RoutingControl
from pydantic import BaseModel

from graph.cypher import query
from graph.errors import Conflict, NotFound
from graph.ingest import write_interactions, write_needs
from graph.records import InteractionRecord, NeedRecord


class ReviewItem(BaseModel):
    review_id: str
    customer_id: str
    interaction_id: str | None = None
    category: str
    confidence: float
    evidence: str
    status: str
    need_id: str | None = None
    created_at: str | None = None


def category_vocabulary(driver: Driver) -> dict[str, str | None]:
    """{category name: description or None} for every category in the graph."""
    records, _, _ = driver.execute_query(query("category_vocabulary"), routing_=RoutingControl.READ)
    return {r["name"]: r["description"] for r in records}


def need_id_for(interaction_id: str, category: str) -> str:
    # deterministic, so replaying the same interaction changes nothing; hashing the category keeps ids short
    return f"{interaction_id[:40]}:{hashlib.sha256(category.encode('utf-8')).hexdigest()[:10]}"


def record_interaction(driver: Driver, *, record: InteractionRecord, confident: Sequence[dict[str, Any]],
                       uncertain: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Store the interaction, the confident needs (`source: interaction`) and the review items.

    `confident` / `uncertain` rows carry `category`, `confidence`, `evidence`. Returns (need ids, review ids).
    An interaction id already in the graph is refused: the loader's MERGE would rewrite someone else's note.
    """
    records, _, _ = driver.execute_query(query("interaction_exists"), interaction_id=record.interaction_id,
                                         routing_=RoutingControl.READ)
    if records[0]["taken"]:
        raise Conflict("an interaction with that id exists")
    write_interactions(driver, records=[record])
    now = datetime.now(UTC)
    needs = [NeedRecord(need_id=need_id_for(record.interaction_id, f["category"]), customer_id=record.customer_id,
                        category=f["category"], description=f["evidence"], created_at=now, source="interaction")
             for f in confident]
    if needs:
        write_needs(driver, records=needs)
    reviews = [{"review_id": "r-" + need_id_for(record.interaction_id, f["category"]), "category": f["category"],
                "confidence": float(f["confidence"]), "evidence": f["evidence"]} for f in uncertain]
    driver.execute_query(query("link_interaction_findings"), customer_id=record.customer_id,
                         interaction_id=record.interaction_id, need_ids=[n.need_id for n in needs], reviews=reviews)
    return [n.need_id for n in needs], [r["review_id"] for r in reviews]


def list_review_items(driver: Driver, *, status: str, manager_id: str | None, limit: int,
                      offset: int) -> list[ReviewItem]:
    records, _, _ = driver.execute_query(query("list_review_items"), status=status, manager_id=manager_id,
                                         limit=limit, offset=offset, routing_=RoutingControl.READ)
    return [ReviewItem(**r["item"]) for r in records]


def review_item_owner(driver: Driver, *, review_id: str) -> tuple[str, str | None]:
    """(customer id, relationship manager) of a review item; NotFound when there is none."""
    records, _, _ = driver.execute_query(query("review_item_owner"), review_id=review_id,
                                         routing_=RoutingControl.READ)
    if not records:
        raise NotFound("no review item with that id")
    return records[0]["customer_id"], records[0]["manager"]


def decide_review_item(driver: Driver, *, review_id: str, confirm: bool, actor: str) -> ReviewItem:
    """Confirm (the need is written, linked to its interaction) or drop a pending item; 409 when decided."""
    need_id = review_id.removeprefix("r-") if confirm else None
    records, _, _ = driver.execute_query(query("decide_review_item"), review_id=review_id,
                                         status="confirmed" if confirm else "dropped", actor=actor, need_id=need_id)
    if not records:
        records, _, _ = driver.execute_query(query("review_item"), review_id=review_id, routing_=RoutingControl.READ)
        if not records:
            raise NotFound("no review item with that id")
        raise Conflict(f"the review item is already {records[0]['item']['status']}", allowed=[])
    item = ReviewItem(**records[0]["item"])
    if confirm and need_id:
        write_needs(driver, records=[NeedRecord(need_id=need_id, customer_id=item.customer_id, category=item.category,
                                                description=item.evidence, created_at=datetime.now(UTC),
                                                source="interaction")])
        if item.interaction_id:
            driver.execute_query(query("link_interaction_findings"), customer_id=item.customer_id,
                                 interaction_id=item.interaction_id, need_ids=[need_id], reviews=[])
    return item
