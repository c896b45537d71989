"""Needs and capabilities of a customer: create, replace, and batch ingestion (the loader's records and writes)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from app.auth import Principal, Role, allow, ensure_customer_access
from app.deps import DriverDep, SettingsDep
from app.limits import capped
from app.routers.customers import CustomerId
from app.schemas import WriteResult
from graph.customers import (
    CapabilityView,
    NeedView,
    get_customer,
    owners,
    record_of,
    save_capabilities,
    save_needs,
)
from graph.errors import Conflict
from graph.records import CapabilityRecord, NeedRecord

router = APIRouter(tags=["needs and capabilities"])
WRITERS = allow(Role.admin, Role.relationship_manager, Role.service)
INGEST = allow(Role.admin, Role.service)
ItemId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", examples=["n-000042-1"])]


class NeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    need_id: str | None = Field(default=None, description="generated when absent", examples=["n-000042-1"])
    category: str = Field(examples=["commercial_construction"])
    description: str = Field(default="", examples=["extension of the warehouse next spring"])
    status: str = Field(default="open", examples=["open"])
    source: str = Field(default="api", examples=["api"])


class CapabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    capability_id: str | None = Field(default=None, description="generated when absent", examples=["p-000042-1"])
    category: str = Field(examples=["logistics"])
    description: str = Field(default="", examples=["refrigerated trucking across the region"])
    quality: float = Field(default=2.5, examples=[4.2])


class NeedBatch(BaseModel):
    rows: list[NeedRecord] = Field(min_length=1)


class CapabilityBatch(BaseModel):
    rows: list[CapabilityRecord] = Field(min_length=1)


def _need(driver: DriverDep, customer_id: str, need_id: str) -> NeedView:
    return next(n for n in get_customer(driver, customer_id=customer_id).needs if n.need_id == need_id)


def _capability(driver: DriverDep, customer_id: str, capability_id: str) -> CapabilityView:
    return next(c for c in get_customer(driver, customer_id=customer_id).capabilities
                if c.capability_id == capability_id)


@router.post("/customers/{customer_id}/needs", response_model=NeedView, status_code=201)
def create_need(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], customer_id: CustomerId,
                body: NeedIn) -> NeedView:
    """Add a need to a customer (validated like a `needs.csv` row)."""
    ensure_customer_access(driver, principal, customer_id, write=True)
    need_id = body.need_id or f"n-{uuid.uuid4().hex[:16]}"
    if owners(driver, kind="need", ids=[need_id]):
        raise Conflict("a need with that id exists; use PUT to change it")
    record = record_of(NeedRecord, {**body.model_dump(), "need_id": need_id, "customer_id": customer_id})
    save_needs(driver, records=[record])
    return _need(driver, customer_id, need_id)


@router.put("/customers/{customer_id}/needs/{need_id}", response_model=NeedView)
def replace_need(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)], customer_id: CustomerId,
                 need_id: ItemId, body: NeedIn) -> NeedView:
    """Create or replace one need of this customer (409 when the id belongs to another customer)."""
    ensure_customer_access(driver, principal, customer_id, write=True)
    record = record_of(NeedRecord, {**body.model_dump(), "need_id": need_id, "customer_id": customer_id})
    save_needs(driver, records=[record])
    return _need(driver, customer_id, need_id)


@router.post("/customers/{customer_id}/capabilities", response_model=CapabilityView, status_code=201)
def create_capability(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)],
                      customer_id: CustomerId, body: CapabilityIn) -> CapabilityView:
    """Add a capability to a customer (validated like a `capabilities.csv` row)."""
    ensure_customer_access(driver, principal, customer_id, write=True)
    capability_id = body.capability_id or f"p-{uuid.uuid4().hex[:16]}"
    if owners(driver, kind="capability", ids=[capability_id]):
        raise Conflict("a capability with that id exists; use PUT to change it")
    record = record_of(CapabilityRecord,
                       {**body.model_dump(), "capability_id": capability_id, "customer_id": customer_id})
    save_capabilities(driver, records=[record])
    return _capability(driver, customer_id, capability_id)


@router.put("/customers/{customer_id}/capabilities/{capability_id}", response_model=CapabilityView)
def replace_capability(driver: DriverDep, principal: Annotated[Principal, Depends(WRITERS)],
                       customer_id: CustomerId, capability_id: ItemId, body: CapabilityIn) -> CapabilityView:
    """Create or replace one capability of this customer (409 when the id belongs to another customer)."""
    ensure_customer_access(driver, principal, customer_id, write=True)
    record = record_of(CapabilityRecord,
                       {**body.model_dump(), "capability_id": capability_id, "customer_id": customer_id})
    save_capabilities(driver, records=[record])
    return _capability(driver, customer_id, capability_id)


@router.post("/needs/batch", response_model=WriteResult)
def ingest_needs(driver: DriverDep, settings: SettingsDep, principal: Annotated[Principal, Depends(INGEST)],
                 body: Annotated[NeedBatch, Body(examples=[{"rows": [{
                     "need_id": "n-000042-1", "customer_id": "c-000042", "category": "logistics",
                     "description": "weekly freight to Lyon", "status": "open", "source": "crm"}]}])]) -> WriteResult:
    """Upsert up to `max_batch_rows` needs (all rows valid and for known customers, or none written)."""
    capped(len(body.rows), cap=settings.max_batch_rows, loc=("body", "rows"))
    written = save_needs(driver, records=body.rows)
    return WriteResult(written=written, ids=[r.need_id for r in body.rows])


@router.post("/capabilities/batch", response_model=WriteResult)
def ingest_capabilities(driver: DriverDep, settings: SettingsDep, principal: Annotated[Principal, Depends(INGEST)],
                        body: Annotated[CapabilityBatch, Body(examples=[{"rows": [{
                            "capability_id": "p-000917-1", "customer_id": "c-000917", "category": "logistics",
                            "description": "refrigerated trucking", "quality": 4.2}]}])]) -> WriteResult:
    """Upsert up to `max_batch_rows` capabilities (all rows valid and for known customers, or none written)."""
    capped(len(body.rows), cap=settings.max_batch_rows, loc=("body", "rows"))
    written = save_capabilities(driver, records=body.rows)
    return WriteResult(written=written, ids=[r.capability_id for r in body.rows])
