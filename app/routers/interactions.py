"""Free-text interactions → needs (confident ones written, the rest queued), and the review queue."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from app.auth import Principal, Role, allow, ensure_customer_access
from app.deps import DriverDep, SettingsDep
from app.limits import Offset, PageSize
from app.routers.customers import CustomerId
from graph.customers import record_of
from graph.interactions import (
    ReviewItem,
    category_vocabulary,
    decide_review_item,
    list_review_items,
    record_interaction,
    review_item_owner,
)
from graph.records import InteractionRecord
from models.need_extraction import extract_needs

router = APIRouter(tags=["interactions"])
ReviewId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                               examples=["r-i-5f2c:0a1b2c3d4e"])]


class InteractionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000, examples=[
        "Met the owner at the branch. They are planning an extension to the warehouse and need a builder."])
    channel: str = Field(default="service_note", examples=["service_note", "social_post"])
    interaction_id: str | None = Field(default=None, description="generated when absent")


class Finding(BaseModel):
    category: str = Field(examples=["commercial_construction"])
    confidence: float = Field(description="cosine similarity of the evidence to the category", examples=[0.56])
    evidence: str = Field(examples=["They are planning an extension to the warehouse and need a builder."])
    start: int = Field(description="offset of the evidence in the text", examples=[29])
    end: int = Field(examples=[97])
    need_id: str | None = Field(default=None, description="set when the need was written to the graph")
    review_id: str | None = Field(default=None, description="set when it waits for a person")


class InteractionResult(BaseModel):
    interaction_id: str
    needs: list[Finding] = Field(description="confident needs, now in the graph")
    review_items: list[Finding] = Field(description="uncertain needs, waiting in GET /review-items")


class ReviewStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    dropped = "dropped"


@router.post("/customers/{customer_id}/interactions", response_model=InteractionResult, status_code=201)
def create_interaction(driver: DriverDep, settings: SettingsDep,
                       principal: Annotated[Principal, Depends(allow(Role.admin, Role.relationship_manager, Role.service))],
                       customer_id: CustomerId, body: Annotated[InteractionIn, Body()]) -> InteractionResult:
    """Store a note and return the needs found in it (category, confidence, evidence span)."""
    ensure_customer_access(driver, principal, customer_id, write=True)
    record = record_of(InteractionRecord, {
        "interaction_id": body.interaction_id or f"i-{uuid.uuid4().hex[:16]}", "customer_id": customer_id,
        "channel": body.channel, "text": body.text, "created_at": datetime.now(UTC)})
    found = extract_needs(body.text, categories=category_vocabulary(driver), settings=settings,
                          floor=settings.need_review_floor)
    confident = [f for f in found if f.confidence >= settings.need_confidence]
    uncertain = [f for f in found if f.confidence < settings.need_confidence]
    need_ids, review_ids = record_interaction(driver, record=record, confident=[vars(f) for f in confident],
                                              uncertain=[vars(f) for f in uncertain])
    return InteractionResult(
        interaction_id=record.interaction_id,
        needs=[Finding(**vars(f), need_id=n) for f, n in zip(confident, need_ids, strict=True)],
        review_items=[Finding(**vars(f), review_id=r) for f, r in zip(uncertain, review_ids, strict=True)])


REVIEW_EXAMPLE = {"review_id": "r-i-5f2c:0a1b2c3d4e", "customer_id": "c-000042", "interaction_id": "i-5f2c",
                  "category": "accounting", "confidence": 0.41, "evidence": "the tax filing is late",
                  "status": "pending", "need_id": None, "created_at": "2026-12-04T22:40:00Z"}


@router.get("/review-items", response_model=list[ReviewItem],
            responses={200: {"content": {"application/json": {"example": [REVIEW_EXAMPLE]}}}})
def list_review_queue(driver: DriverDep,
                      principal: Annotated[Principal, Depends(allow(Role.admin, Role.analyst, Role.relationship_manager))],
                      limit: PageSize, offset: Offset = 0,
                      status: Annotated[ReviewStatus, Query()] = ReviewStatus.pending) -> list[ReviewItem]:
    """Needs found in text that wait for a person (an RM sees only their customers'), newest first."""
    manager = principal.manager_id if principal.role == Role.relationship_manager else None
    if principal.role == Role.relationship_manager and manager is None:
        raise HTTPException(403, "this key has no manager id")
    return list_review_items(driver, status=str(status), manager_id=manager, limit=limit, offset=offset)


def _decide(driver: DriverDep, principal: Principal, review_id: str, *, confirm: bool) -> ReviewItem:
    _, manager = review_item_owner(driver, review_id=review_id)
    if principal.role == Role.relationship_manager and manager != principal.manager_id:
        raise HTTPException(403, "this review item belongs to another relationship manager's customer")
    return decide_review_item(driver, review_id=review_id, confirm=confirm, actor=f"{principal.role}:{principal.key_id}")


@router.post("/review-items/{review_id}/confirm", response_model=ReviewItem,
             responses={200: {"content": {"application/json": {"example": {**REVIEW_EXAMPLE, "status": "confirmed"}}}}})
def confirm_review_item(driver: DriverDep, review_id: ReviewId,
                        principal: Annotated[Principal, Depends(allow(Role.admin, Role.relationship_manager))]) -> ReviewItem:
    """Confirm a found need: it is written to the graph (source `interaction`); 409 when already decided."""
    return _decide(driver, principal, review_id, confirm=True)


@router.post("/review-items/{review_id}/drop", response_model=ReviewItem)
def drop_review_item(driver: DriverDep, review_id: ReviewId,
                     principal: Annotated[Principal, Depends(allow(Role.admin, Role.relationship_manager))]) -> ReviewItem:
    """Drop a found need that is not one; 409 when already decided."""
    return _decide(driver, principal, review_id, confirm=False)
