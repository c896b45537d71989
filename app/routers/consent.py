"""Consent to introductions: record opt-in / opt-out with basis, actor and time; read the history."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, ConfigDict, Field

from app.auth import Principal, Role, allow, ensure_customer_access
from app.deps import DriverDep
from app.routers.customers import CustomerId
from graph.consent import ConsentHistory, consent_history, record_consent
from graph.introductions import withdraw_ineligible

router = APIRouter(prefix="/customers", tags=["consent"])


class ConsentChoice(StrEnum):
    opt_in = "opt_in"
    opt_out = "opt_out"


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    consent: ConsentChoice
    basis: str = Field(min_length=1, max_length=200, examples=["signed form at branch, 2026-12-01"],
                       description="how the customer gave or withdrew consent")


@router.put("/{customer_id}/consent", response_model=ConsentHistory)
def put_consent(driver: DriverDep, principal: Annotated[Principal, Depends(allow(Role.admin, Role.relationship_manager, Role.service))],
                customer_id: CustomerId,
                body: Annotated[ConsentIn, Body(examples=[{"consent": "opt_out", "basis": "phone call"}])]) -> ConsentHistory:
    """Record opt-in or opt-out (actor: the calling key; time: now); a withdrawal removes the customer from matches at once."""
    ensure_customer_access(driver, principal, customer_id, write=True)
    record_consent(driver, customer_id=customer_id, consent=str(body.consent), basis=body.basis,
                   actor=f"{principal.role}:{principal.key_id}")
    if body.consent == ConsentChoice.opt_out:
        withdraw_ineligible(driver, customer_ids=[customer_id])  # open introductions are never offered now
    return consent_history(driver, customer_id=customer_id)


@router.get("/{customer_id}/consent", response_model=ConsentHistory)
def get_consent(driver: DriverDep, principal: Annotated[Principal, Depends(allow(Role.admin, Role.analyst, Role.relationship_manager))],
                customer_id: CustomerId) -> ConsentHistory:
    """The current consent state and every change, oldest first."""
    ensure_customer_access(driver, principal, customer_id)
    return consent_history(driver, customer_id=customer_id)
