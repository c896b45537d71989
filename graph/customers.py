"""Customers, needs and capabilities for the API: read one, check ownership, and write through `graph.ingest`.

Every write goes through the loader's records and `write_*` functions (one validation and write path). Unlike
the loader, which skips rows for unknown customers, the API refuses them, and refuses an erased customer's id.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from neo4j import Driver, RoutingControl
from pydantic import BaseModel, ValidationError

from graph.cypher import query
from graph.erasure import id_hash
from graph.errors import Conflict, NotFound, ValidationFailed
from graph.ingest import write_capabilities, write_customers, write_needs
from graph.records import CapabilityRecord, CustomerRecord, NeedRecord

R = TypeVar("R", bound=BaseModel)


class NeedView(BaseModel):
    need_id: str
    category: str
    description: str | None = None
    status: str | None = None
    source: str | None = None
    created_at: str | None = None


class CapabilityView(BaseModel):
    capability_id: str
    category: str
    description: str | None = None
    quality: float | None = None


class CustomerView(BaseModel):
    customer: dict[str, Any]
    needs: list[NeedView]
    capabilities: list[CapabilityView]


def record_of(cls: type[R], data: dict[str, Any]) -> R:
    """Validate `data` as a record; a 422-ready `ValidationFailed` naming fields and rules, never the values."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        errors = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors(include_url=False)]
        raise ValidationFailed(f"{len(errors)} invalid field(s)", errors=errors) from None


def customer_manager(driver: Driver, *, customer_id: str) -> tuple[bool, str | None]:
    """(exists, relationship manager id) for the access check of every customer route."""
    records, _, _ = driver.execute_query(query("customer_manager"), customer_id=customer_id,
                                         routing_=RoutingControl.READ)
    r = records[0]
    return bool(r["exists"]), r["manager"]


def get_customer(driver: Driver, *, customer_id: str) -> CustomerView:
    records, _, _ = driver.execute_query(query("get_customer"), customer_id=customer_id,
                                         routing_=RoutingControl.READ)
    if not records:
        raise NotFound("no customer with that id")
    r = records[0]
    return CustomerView(customer=dict(r["customer"]), needs=[NeedView(**n) for n in r["needs"]],
                        capabilities=[CapabilityView(**c) for c in r["capabilities"]])


def existing_customer_ids(driver: Driver, *, customer_ids: Sequence[str]) -> set[str]:
    if not customer_ids:
        return set()
    records, _, _ = driver.execute_query(query("existing_customer_ids"), ids=list(set(customer_ids)),
                                         routing_=RoutingControl.READ)
    return {r["customer_id"] for r in records}


def erased_customer_ids(driver: Driver, *, customer_ids: Sequence[str]) -> set[str]:
    by_hash = {id_hash(i): i for i in set(customer_ids)}
    if not by_hash:
        return set()
    records, _, _ = driver.execute_query(query("erased_id_hashes"), hashes=list(by_hash),
                                         routing_=RoutingControl.READ)
    return {by_hash[r["id_hash"]] for r in records}


def save_customers(driver: Driver, *, records: Sequence[CustomerRecord], actor: str) -> int:
    """Upsert customers (consent changes leave a `ConsentEvent` with basis `api`); an erased id is refused."""
    erased = erased_customer_ids(driver, customer_ids=[r.customer_id for r in records])
    if erased:
        raise Conflict(f"{len(erased)} customer id(s) belong to erased customers and cannot be reused")
    return write_customers(driver, records=records, basis="api", actor=actor)


def _require_customers(driver: Driver, ids: Sequence[str]) -> None:
    missing = set(ids) - existing_customer_ids(driver, customer_ids=ids)
    if missing:
        raise ValidationFailed(f"{len(missing)} row(s) point at unknown customers",
                               errors=[{"loc": ["body", "customer_id"], "msg": "unknown customer", "type": "not_found"}])


def owners(driver: Driver, *, kind: str, ids: Sequence[str]) -> dict[str, str]:
    """{need or capability id: its customer id} for the ids that exist (`kind`: need | capability)."""
    name = {"need": "need_owners", "capability": "capability_owners"}[kind]
    records, _, _ = driver.execute_query(query(name), ids=list(ids), routing_=RoutingControl.READ)
    return {r["id"]: r["customer_id"] for r in records}


def _refuse_moves(driver: Driver, kind: str, pairs: Sequence[tuple[str, str]]) -> None:
    # the loader's MERGE would move an id to another customer; through the API that is someone else's record
    current = owners(driver, kind=kind, ids=[i for i, _ in pairs])
    if any(current.get(i, c) != c for i, c in pairs):
        raise Conflict(f"a {kind} id in the request belongs to another customer")


def save_needs(driver: Driver, *, records: Sequence[NeedRecord]) -> int:
    _require_customers(driver, [r.customer_id for r in records])
    _refuse_moves(driver, "need", [(r.need_id, r.customer_id) for r in records])
    return write_needs(driver, records=records)


def save_capabilities(driver: Driver, *, records: Sequence[CapabilityRecord]) -> int:
    _require_customers(driver, [r.customer_id for r in records])
    _refuse_moves(driver, "capability", [(r.capability_id, r.customer_id) for r in records])
    return write_capabilities(driver, records=records)
