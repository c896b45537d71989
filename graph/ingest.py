"""The one write path into the graph for customers, needs, capabilities, referrals and interactions.

The API validates with `validate` and writes with the `write_*` functions; the CSV loader takes canonical rows
through `graph.quick_rows` (the rest through `validate`) and writes them with `write_rows`, the same queries:
idempotent `UNWIND $rows AS row MERGE ...` batches, one managed transaction per batch, keyed on the constraints.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from neo4j import Driver, ManagedTransaction
from pydantic import BaseModel, ValidationError

from graph.cypher import query
from graph.records import (
    CapabilityRecord,
    CustomerRecord,
    InteractionRecord,
    NeedRecord,
    ReferralRecord,
)

DEFAULT_BATCH_SIZE = 5000


class RecordKind(StrEnum):
    """The kinds of rows that enter the graph; the value is the CSV file's stem."""

    customers = "customers"
    needs = "needs"
    capabilities = "capabilities"
    referrals = "referrals"
    interactions = "interactions"


RECORD_CLASSES: dict[RecordKind, type[BaseModel]] = {
    RecordKind.customers: CustomerRecord,
    RecordKind.needs: NeedRecord,
    RecordKind.capabilities: CapabilityRecord,
    RecordKind.referrals: ReferralRecord,
    RecordKind.interactions: InteractionRecord,
}
ID_FIELDS: dict[RecordKind, str] = {
    RecordKind.customers: "customer_id",
    RecordKind.needs: "need_id",
    RecordKind.capabilities: "capability_id",
    RecordKind.referrals: "referral_id",
    RecordKind.interactions: "interaction_id",
}
# the customer ids a row points at (checked by the loader before writing)
CUSTOMER_REFS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.customers: (),
    RecordKind.needs: ("customer_id",),
    RecordKind.capabilities: ("customer_id",),
    RecordKind.referrals: ("from_customer_id", "to_customer_id"),
    RecordKind.interactions: ("customer_id",),
}


@dataclass(frozen=True)
class Reject:
    """A row that was refused: its position in the input, its id when readable, and every reason."""

    index: int
    row_id: str | None
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _render(err: Mapping[str, Any]) -> str:
    """A pydantic error as one short sentence a data team can act on."""
    field = ".".join(str(p) for p in err.get("loc", ()))
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid"))
    msg = msg.removeprefix("Value error, ")
    if kind == "missing":
        return f"{field}: missing"
    if kind == "extra_forbidden":
        return f"{field}: unknown field"
    given = err.get("input")
    shown = "" if given is None or isinstance(given, Mapping) else f" (got {str(given)[:40]!r})"
    return f"{field}: {msg}{shown}" if field else msg


def validate(kind: RecordKind | str, rows: Iterable[Mapping[str, Any]]) -> tuple[list[BaseModel], list[Reject]]:
    """Turn raw dict rows (CSV or JSON) into records; every invalid row becomes a `Reject` with all its reasons.

    Empty strings count as absent, so an optional column left blank takes the record's default and a blank
    required column is reported as missing.
    """
    kind = RecordKind(kind)
    cls = RECORD_CLASSES[kind]
    id_field = ID_FIELDS[kind]
    records: list[BaseModel] = []
    rejects: list[Reject] = []
    for index, raw in enumerate(rows):
        clean = {k: v for k, v in raw.items() if v is not None and v != ""}
        try:
            records.append(cls.model_validate(clean))
        except ValidationError as exc:
            reasons = tuple(_render(e) for e in exc.errors(include_url=False))
            rid = raw.get(id_field)
            rejects.append(Reject(index, str(rid) if rid not in (None, "") else None, reasons))
    return records, rejects


def _batches(rows: list[dict], size: int) -> Iterable[list[dict]]:
    if size < 1:
        raise ValueError("batch_size must be at least 1")
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _write(driver: Driver, name: str, rows: list[dict], *, batch_size: int, database: str | None = None,
           **params: Any) -> int:
    text = query(name)

    def work(tx: ManagedTransaction, batch: list[dict]) -> int:
        record = tx.run(text, rows=batch, **params).single()
        return int(record["written"]) if record else 0

    written = 0
    with driver.session(database=database) as session:
        for batch in _batches(rows, batch_size):
            written += session.execute_write(work, batch)
    return written


def flat_row(record: BaseModel) -> dict[str, Any]:
    """A record as one flat parameter row: enums as text, timestamps as ISO 8601 text (Cypher's `datetime()`
    parses them; sending text is several times cheaper for the Python driver than sending datetime values)."""
    row = record.model_dump(mode="python")
    for key, value in row.items():
        if isinstance(value, datetime):
            row[key] = value.isoformat()
        elif isinstance(value, StrEnum):
            row[key] = value.value
    return row


def write_customers(driver: Driver, *, records: Sequence[CustomerRecord], batch_size: int = DEFAULT_BATCH_SIZE,
                    basis: str = "crm_export", actor: str = "loader") -> int:
    """Upsert customers; API-only fields left as None keep their stored value. Returns the number written.

    A new customer, or one whose consent value differs from the stored one, also gets a
    `(:Customer)-[:CONSENT_EVENT]->(:ConsentEvent {consent, basis, actor, at})`. `updated_at` moves only when a
    value changed, so loading the same export twice changes nothing.
    """
    rows = [flat_row(r) for r in records]
    return _write(driver, "write_customers", rows, batch_size=batch_size, basis=basis, actor=actor)


def write_needs(driver: Driver, *, records: Sequence[NeedRecord], batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Upsert needs of existing customers (rows for an unknown customer are skipped, not stubbed)."""
    return _write(driver, "write_needs", [flat_row(r) for r in records], batch_size=batch_size)


def write_capabilities(driver: Driver, *, records: Sequence[CapabilityRecord],
                       batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Upsert capabilities of existing customers (rows for an unknown customer are skipped, not stubbed)."""
    return _write(driver, "write_capabilities", [flat_row(r) for r in records], batch_size=batch_size)


def write_referrals(driver: Driver, *, records: Sequence[ReferralRecord], batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Upsert `(needer)-[:REFERRED {referral_id, ...}]->(provider)` between existing customers."""
    return _write(driver, "write_referrals", [flat_row(r) for r in records], batch_size=batch_size)


def write_interactions(driver: Driver, *, records: Sequence[InteractionRecord],
                       batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Upsert interaction notes of existing customers (rows for an unknown customer are skipped)."""
    return _write(driver, "write_interactions", [flat_row(r) for r in records], batch_size=batch_size)


def write_rows(driver: Driver, kind: RecordKind | str, *, rows: list[dict[str, Any]],
               batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Write rows that are already flat (as `flat_row` makes them): the loader's path, same queries as above."""
    kind = RecordKind(kind)
    params = {"basis": "crm_export", "actor": "loader"} if kind is RecordKind.customers else {}
    return _write(driver, f"write_{kind.value}", rows, batch_size=batch_size, **params)
