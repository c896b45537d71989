"""Validated records for everything that enters the graph: one code path for the CSV loader and the API.

A record that fails validation is rejected with every reason; nothing half-valid is written.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from graph.categories import CATEGORIES

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]
ShortText = Annotated[str, StringConstraints(max_length=200)]


class Segment(StrEnum):
    small_business = "small_business"
    mid_market = "mid_market"
    corporate = "corporate"


class NeedStatus(StrEnum):
    open = "open"
    fulfilled = "fulfilled"
    closed = "closed"


class Outcome(StrEnum):
    deal = "deal"
    no_deal = "no_deal"
    declined = "declined"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class CustomerRecord(_Record):
    customer_id: Id
    name: Name
    industry: Name
    region: Name
    segment: Segment
    manager_id: Id | None = None
    vetted: bool = False
    high_risk: bool = False
    opted_in: bool = False
    contact_email: ShortText | None = None
    contact_phone: ShortText | None = None
    private_notes: Text | None = None
    created_at: datetime | None = None

    _tz = field_validator("created_at")(classmethod(lambda cls, v: _utc(v)))


def _known_category(value: str) -> str:
    if value not in CATEGORIES:
        raise ValueError(f"unknown category {value!r}; known: {', '.join(sorted(CATEGORIES))}")
    return value


class NeedRecord(_Record):
    need_id: Id
    customer_id: Id
    category: str
    text: Text = ""
    status: NeedStatus = NeedStatus.open
    created_at: datetime | None = None

    _cat = field_validator("category")(classmethod(lambda cls, v: _known_category(v)))
    _tz = field_validator("created_at")(classmethod(lambda cls, v: _utc(v)))


class CapabilityRecord(_Record):
    capability_id: Id
    customer_id: Id
    category: str
    text: Text = ""
    quality: float = Field(default=0.5, ge=0.0, le=1.0)
    created_at: datetime | None = None

    _cat = field_validator("category")(classmethod(lambda cls, v: _known_category(v)))
    _tz = field_validator("created_at")(classmethod(lambda cls, v: _utc(v)))


class ReferralRecord(_Record):
    """A past referral, from the customer who had the need to the one who served it."""

    referral_id: Id
    from_customer_id: Id
    to_customer_id: Id
    need_id: Id | None = None
    created_at: datetime
    outcome: Outcome
    value: float | None = Field(default=None, ge=0)
    rating: int | None = Field(default=None, ge=1, le=5)

    _tz = field_validator("created_at")(classmethod(lambda cls, v: _utc(v)))


class InteractionRecord(_Record):
    interaction_id: Id
    customer_id: Id
    text: Text
    source: Annotated[str, StringConstraints(max_length=40)] = "service_note"
    created_at: datetime | None = None

    _tz = field_validator("created_at")(classmethod(lambda cls, v: _utc(v)))
