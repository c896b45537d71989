"""Customers: create, read, replace and patch (the loader's validation and write path), and batch ingestion."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from app.auth import Principal, Role, allow, ensure_customer_access
from app.deps import DriverDep, SettingsDep
from app.limits import capped
from app.schemas import CUSTOMER_EXAMPLE, CustomerOut, CustomerPatch, WriteResult, customer_out
from graph.customers import customer_manager, get_customer, record_of, save_customers
from graph.errors import Conflict
from graph.introductions import withdraw_ineligible
from graph.records import CustomerRecord

router = APIRouter(prefix="/customers", tags=["customers"])
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                                 examples=["c-000042"])]
WRITERS = allow(Role.admin, Role.relationship_manager, Role.service)
READERS = allow(Role.admin, Role.analyst, Role.relationship_manager)
INGEST = allow(Role.admin, Role.service)


def _own_manager(principal: Principal, manager: str | None) -> str | None:
    """A relationship manager creates customers for their own book only."""
    if principal.role != Role.relationship_manager:
        return manager
    if manager not in (None, principal.manager_id):
        raise HTTPException(403, "a relationship manager can only create customers in their own book")
    return principal.manager_id


@router.post("", response_model=CustomerOut, status_code=201)
def create_customer(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)],
                    body: Annotated[CustomerRecord, Body(examples=[CUSTOMER_EXAMPLE])]) -> CustomerOut:
    """Create a customer (409 when the id exists or belongs to an erased customer)."""
    body.relationship_manager = _own_manager(principal, body.relationship_manager)
    if customer_manager(driver, customer_id=body.customer_id)[0]:
        raise Conflict("a customer with that id exists; use PUT or PATCH to change it")
    save_customers(driver, records=[body], actor=principal.key_id)
    return customer_out(get_customer(driver, customer_id=body.customer_id), principal)


@router.get("/{customer_id}", response_model=CustomerOut)
def get_customer_by_id(driver: DriverDep, principal: Annotated[Principal, Depends(READERS)],
                       customer_id: CustomerId) -> CustomerOut:
    """One customer with needs and capabilities; contact details and notes only for admin and the owning RM."""
    ensure_customer_access(driver, principal, customer_id)
    return customer_out(get_customer(driver, customer_id=customer_id), principal)


@router.put("/{customer_id}", response_model=CustomerOut)
def replace_customer(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)],
                     customer_id: CustomerId,
                     body: Annotated[CustomerRecord, Body(examples=[CUSTOMER_EXAMPLE])]) -> CustomerOut:
    """Replace an existing customer's fields (the id in the path and the body must agree)."""
    if body.customer_id != customer_id:
        raise HTTPException(422, "customer_id in the body differs from the path")
    ensure_customer_access(driver, principal, customer_id, write=True)
    if principal.role == Role.relationship_manager and body.relationship_manager != principal.manager_id:
        raise HTTPException(403, "a relationship manager cannot move a customer to another book")
    save_customers(driver, records=[body], actor=principal.key_id)
    withdraw_ineligible(driver, customer_ids=[customer_id])  # consent, vetting or risk may have changed
    return customer_out(get_customer(driver, customer_id=customer_id), principal)


@router.patch("/{customer_id}", response_model=CustomerOut)
def patch_customer(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)],
                   customer_id: CustomerId,
                   body: Annotated[CustomerPatch, Body(examples=[{"vetted": True, "risk_rating": "low"}])]) -> CustomerOut:
    """Change some fields of a customer; the merged result is validated as a whole record."""
    ensure_customer_access(driver, principal, customer_id, write=True)
    changes = body.model_dump(exclude_unset=True)
    if principal.role == Role.relationship_manager and changes.get("relationship_manager", principal.manager_id) != principal.manager_id:
        raise HTTPException(403, "a relationship manager cannot move a customer to another book")
    current = get_customer(driver, customer_id=customer_id).customer
    fields = set(CustomerRecord.model_fields)
    merged: dict[str, Any] = {k: v for k, v in current.items() if k in fields and v is not None}
    merged.update(changes)
    record = record_of(CustomerRecord, merged)
    save_customers(driver, records=[record], actor=principal.key_id)
    withdraw_ineligible(driver, customer_ids=[customer_id])  # consent, vetting or risk may have changed
    return customer_out(get_customer(driver, customer_id=customer_id), principal)


class CustomerBatch(BaseModel):
    rows: list[CustomerRecord] = Field(min_length=1)


@router.post("/batch", response_model=WriteResult)
def ingest_customers(driver: DriverDep, settings: SettingsDep, principal: Annotated[Principal, Depends(INGEST)],
                     body: Annotated[CustomerBatch, Body(examples=[{"rows": [CUSTOMER_EXAMPLE]}])]) -> WriteResult:
    """Upsert up to `max_batch_rows` customers in one request (the bank's systems; all rows valid or none)."""
    capped(len(body.rows), cap=settings.max_batch_rows, loc=("body", "rows"))
    written = save_customers(driver, records=body.rows, actor=principal.key_id)
    withdraw_ineligible(driver, customer_ids=[r.customer_id for r in body.rows])
    return WriteResult(written=written, ids=[r.customer_id for r in body.rows])

