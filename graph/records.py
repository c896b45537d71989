"""Validated records for everything that enters the graph: one code path for the CSV loader and the API.

Field names follow the CRM export contract (`icrm load`). A record that fails validation is rejected with
every reason; nothing half-valid is written. Category names are data, not code: any vocabulary loads.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator


def to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if not value.tzinfo:
        return value.replace(tzinfo=UTC)
    # stored in UTC: Neo4j refuses offsets beyond +-18:00 that Python accepts (up to +-24:00)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp is out of range once converted to UTC") from None


Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CategoryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=5000)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Timestamp = Annotated[datetime, AfterValidator(to_utc)]


class Kind(StrEnum):
    business = "business"
    individual = "individual"


class RiskRating(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Consent(StrEnum):
    opt_in = "opt_in"
    opt_out = "opt_out"
    unknown = "unknown"


class NeedStatus(StrEnum):
    open = "open"
    fulfilled = "fulfilled"
    withdrawn = "withdrawn"


class Outcome(StrEnum):
    pending = "pending"
    deal = "deal"
    no_deal = "no_deal"
    declined = "declined"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerRecord(_Record):
    customer_id: Id
    name: Name
    kind: Kind = Kind.business
    industry: Name
    region: Name
    segment: Name
    vetted: bool = False
    risk_rating: RiskRating = RiskRating.medium
    consent: Consent = Consent.unknown
    consent_at: Timestamp | None = None
    relationship_manager: Id | None = None
    joined_at: Timestamp | None = None
    # not in the CRM export; set through the API, shown to the other party only after double opt-in
    contact_email: ShortText | None = None
    contact_phone: ShortText | None = None
    private_notes: Text | None = None


class NeedRecord(_Record):
    need_id: Id
    customer_id: Id
    category: CategoryName
    description: Text = ""
    created_at: Timestamp | None = None
    status: NeedStatus = NeedStatus.open
    source: Annotated[str, StringConstraints(max_length=40)] = "crm"


class CapabilityRecord(_Record):
    capability_id: Id
    customer_id: Id
    category: CategoryName
    description: Text = ""
    quality: float = Field(default=2.5, ge=0.0, le=5.0)


class ReferralRecord(_Record):
    """A past referral, from the customer who had the need to the one who served it."""

    referral_id: Id
    from_customer_id: Id
    to_customer_id: Id
    created_at: Timestamp
    outcome: Outcome
    value: float | None = Field(default=None, ge=0)
    rating: int | None = Field(default=None, ge=1, le=5)

    @model_validator(mode="after")
    def _not_self(self) -> "ReferralRecord":
        if self.from_customer_id == self.to_customer_id:
            raise ValueError("self-referral: from_customer_id equals to_customer_id")
        return self


class InteractionRecord(_Record):
    interaction_id: Id
    customer_id: Id
    channel: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = "service_note"
    text: Text
    created_at: Timestamp | None = None
