"""The loader's fast path: plain checks that turn a canonical CSV row straight into the flat row the writers send.

A pydantic model per row costs more than the rest of the loader's Python together. Most rows of an export are
plainly valid, so `quick_flat` accepts only values in one canonical form (ids that match the pattern, exact enum
values, `true`/`false`, plain decimals, ISO 8601 timestamps with a zone) and returns None for anything else;
those rows go through `graph.ingest.validate`, which accepts the other forms the records allow and words every
reason. So the records stay the one definition: what this accepts, they accept, with the same value (a test
checks that on every row of a seeded bank and on fuzzed values).
"""

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from graph.ingest import RecordKind
from graph.records import Consent, Kind, NeedStatus, Outcome, RiskRating, to_utc

BAD: Any = object()  # a value the fast path leaves to the records
Check = Callable[[str], Any]

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}").fullmatch
# a zone within +-14:59 (the real-world range); a naive time is UTC, as the records read it
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?").fullmatch
_DECIMAL = re.compile(r"(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?").fullmatch


def _identifier(value: str) -> Any:
    return value if _ID(value) else BAD


def _optional_identifier(value: str) -> Any:
    return None if value == "" else _identifier(value)


def _stripped(limit: int, default: Any = BAD) -> Check:
    """Text the records strip: accepted only when there is nothing to strip (Python's whitespace covers theirs)."""
    def check(value: str) -> Any:
        if value == "":
            return default
        if len(value) > limit or value[0].isspace() or value[-1].isspace():
            return BAD
        return value
    return check


def _text(limit: int, default: Any = BAD) -> Check:
    def check(value: str) -> Any:
        if value == "":
            return default
        return value if len(value) <= limit else BAD
    return check


def _choice(values: Mapping[str, Any], default: Any = BAD) -> Check:
    def check(value: str) -> Any:
        return default if value == "" else values.get(value, BAD)
    return check


def _timestamp(required: bool) -> Check:
    def check(value: str) -> Any:
        if value == "":
            return BAD if required else None
        if not _TIMESTAMP(value):
            return BAD
        try:
            stamp = datetime.fromisoformat(value)  # a real date and time, or BAD
            if len(value) == 20 and value[19] == "Z":  # the usual export form: already UTC, seconds precision
                return value[:19] + "+00:00"
            utc = to_utc(stamp)
        except ValueError:
            return BAD
        return utc.isoformat() if utc is not None else BAD
    return check


def _decimal(low: float, high: float, default: Any) -> Check:
    def check(value: str) -> Any:
        if value == "":
            return default
        if not _DECIMAL(value):
            return BAD
        number = float(value)
        return number if low <= number <= high else BAD
    return check


def _enum(cls: type[StrEnum], default: Any = BAD) -> Check:
    return _choice({m.value: m.value for m in cls}, default if default is BAD else default.value)


_COLUMNS: dict[RecordKind, dict[str, Check]] = {
    RecordKind.customers: {
        "customer_id": _identifier, "name": _stripped(200), "kind": _enum(Kind, Kind.business),
        "industry": _stripped(200), "region": _stripped(200), "segment": _stripped(200),
        "vetted": _choice({"true": True, "false": False}, False),
        "risk_rating": _enum(RiskRating, RiskRating.medium), "consent": _enum(Consent, Consent.unknown),
        "consent_at": _timestamp(False), "relationship_manager": _optional_identifier, "joined_at": _timestamp(False),
    },
    RecordKind.needs: {
        "need_id": _identifier, "customer_id": _identifier, "category": _stripped(100),
        "description": _text(5000, ""), "created_at": _timestamp(False), "status": _enum(NeedStatus, NeedStatus.open),
        "source": _text(40, "crm"),
    },
    RecordKind.capabilities: {
        "capability_id": _identifier, "customer_id": _identifier, "category": _stripped(100),
        "description": _text(5000, ""), "quality": _decimal(0.0, 5.0, 2.5),
    },
    RecordKind.referrals: {
        "referral_id": _identifier, "from_customer_id": _identifier, "to_customer_id": _identifier,
        "created_at": _timestamp(True), "outcome": _enum(Outcome), "value": _decimal(0.0, float("inf"), None),
        "rating": _choice({str(n): n for n in range(1, 6)}, None),
    },
    RecordKind.interactions: {
        "interaction_id": _identifier, "customer_id": _identifier, "channel": _stripped(40, "service_note"),
        "text": _text(5000), "created_at": _timestamp(False),
    },
}
# fields of the records that an export never carries (the API sets them): None in every loaded row
_API_ONLY: dict[RecordKind, dict[str, None]] = {
    RecordKind.customers: {"contact_email": None, "contact_phone": None, "private_notes": None},
}


def quick_flat(kind: RecordKind, raw: Mapping[str, str]) -> dict[str, Any] | None:
    """The flat row for `raw` when every value is canonical and valid, else None (let the records decide)."""
    row: dict[str, Any] = {}
    for field, check in _COLUMNS[kind].items():
        value = check(raw[field])
        if value is BAD:
            return None
        row[field] = value
    if kind is RecordKind.referrals and row["from_customer_id"] == row["to_customer_id"]:
        return None  # a self-referral: the record words the reason
    row.update(_API_ONLY.get(kind, {}))
    return row
