"""Response models shared by the customer routers, and what each role may see of a customer."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.auth import Principal, Role
from graph.customers import CapabilityView, CustomerView, NeedView
from graph.records import Consent, Kind, RiskRating

CUSTOMER_EXAMPLE: dict[str, Any] = {
    "customer_id": "c-000042", "name": "Harbour Freight Ltd", "kind": "business", "industry": "logistics",
    "region": "north-coast", "segment": "sme", "vetted": True, "risk_rating": "low", "consent": "opt_in",
    "relationship_manager": "rm-007", "contact_email": "ops@harbour.example",
}


class CustomerPatch(BaseModel):
    """Any subset of a customer's fields; the merged record is validated like a loaded row."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    kind: Kind | None = None
    industry: str | None = None
    region: str | None = None
    segment: str | None = None
    vetted: bool | None = None
    risk_rating: RiskRating | None = None
    relationship_manager: str | None = None
    joined_at: datetime | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    private_notes: str | None = None


class CustomerOut(BaseModel):
    customer_id: str = Field(examples=["c-000042"])
    name: str = Field(examples=["Harbour Freight Ltd"])
    kind: str | None = None
    industry: str | None = None
    region: str | None = None
    segment: str | None = None
    vetted: bool | None = None
    risk_rating: str | None = None
    consent: Consent | None = None
    consent_at: str | None = None
    relationship_manager: str | None = None
    joined_at: str | None = None
    updated_at: str | None = None
    contact_email: str | None = Field(default=None, description="admin and the owning RM only")
    contact_phone: str | None = Field(default=None, description="admin and the owning RM only")
    private_notes: str | None = Field(default=None, description="admin and the owning RM only")
    needs: list[NeedView] = []
    capabilities: list[CapabilityView] = []


class WriteResult(BaseModel):
    written: int = Field(examples=[1])
    ids: list[str] = Field(examples=[["c-000042"]])


PRIVATE_FIELDS = ("contact_email", "contact_phone", "private_notes")


def customer_out(view: CustomerView, principal: Principal) -> CustomerOut:
    c = dict(view.customer)
    sees_private = principal.role == Role.admin or (
        principal.role == Role.relationship_manager and c.get("relationship_manager") == principal.manager_id)
    if not sees_private:
        for field in PRIVATE_FIELDS:
            c.pop(field, None)
    known = set(CustomerOut.model_fields)
    return CustomerOut(**{k: v for k, v in c.items() if k in known}, needs=view.needs, capabilities=view.capabilities)
