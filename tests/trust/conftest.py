"""Shared fixtures of the trust tests (both trust engineers append here; nothing above is edited)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from graph.apikeys import create_key
from graph.ingest import write_capabilities, write_customers, write_needs
from graph.records import CapabilityRecord, CustomerRecord, NeedRecord
from graph.settings import Settings
from tests.conftest import wipe

# ---- trust A (fuzzing, authorization matrix, injection, limits) ---------------------------------------------

OWNER_RM, INTRUDER_RM = "rm-owner", "rm-intruder"
PRIVATE_MARKS = ("owner-private-note-7f3a", "owner.secret@example.test", "+00 7f3a 0000")


@dataclass
class TrustWorld:
    """Two relationship managers' books: the owner's customers are 'someone else's objects' for the intruder."""

    owner_customers: list[str]
    intruder_customers: list[str]
    need_id: str
    capability_id: str
    keys: dict[str, str] = field(default_factory=dict)  # role name (and "rm_owner"/"rm_intruder") -> plaintext

    def headers(self, who: str | None) -> dict[str, str]:
        return {} if who is None else {"Authorization": f"Bearer {self.keys[who]}"}


def _customer(cid: str, rm: str, **extra: Any) -> CustomerRecord:
    return CustomerRecord(customer_id=cid, name=f"Company {cid}", industry="logistics", region="north-coast",
                          segment="sme", vetted=True, risk_rating="low", consent="opt_in",
                          relationship_manager=rm, **extra)


def build_trust_world(driver: Driver) -> TrustWorld:
    """A tiny bank: two eligible customers per RM with matching needs and capabilities, and a key per role."""
    owner = ["own-1", "own-2"]
    intruder = ["intr-1", "intr-2"]
    write_customers(driver, records=[
        _customer(owner[0], OWNER_RM, private_notes=PRIVATE_MARKS[0], contact_email=PRIVATE_MARKS[1],
                  contact_phone=PRIVATE_MARKS[2]),
        _customer(owner[1], OWNER_RM, private_notes=PRIVATE_MARKS[0]),
        *[_customer(c, INTRUDER_RM) for c in intruder]])
    write_needs(driver, records=[NeedRecord(need_id=f"n-{c}", customer_id=c, category="logistics",
                                            description="a refrigerated truck route") for c in owner + intruder])
    write_capabilities(driver, records=[CapabilityRecord(capability_id=f"p-{c}", customer_id=c, category="logistics",
                                                         description="cold-chain transport", quality=4.0)
                                        for c in owner + intruder])
    world = TrustWorld(owner, intruder, need_id=f"n-{owner[0]}", capability_id=f"p-{owner[1]}")
    for role in ("admin", "analyst", "service"):
        world.keys[role] = create_key(driver, role=role)[1]
    world.keys["rm_owner"] = create_key(driver, role="relationship_manager", manager_id=OWNER_RM)[1]
    world.keys["rm_intruder"] = create_key(driver, role="relationship_manager", manager_id=INTRUDER_RM)[1]
    return world


@pytest.fixture(scope="module")
def trust_world(session_driver: Driver) -> TrustWorld:
    """The two-RM bank on a freshly wiped graph, shared by one test module."""
    wipe(session_driver)
    return build_trust_world(session_driver)


@contextmanager
def live_app(settings: Settings, **overrides: Any) -> Iterator[TestClient]:
    """The real application (lifespan included) with some settings changed, e.g. `max_body_bytes=4096`."""
    from app.main import create_app  # imported here so the graph-only trust tests do not need the app

    with TestClient(create_app(settings.model_copy(update=overrides)), raise_server_exceptions=False) as client:
        yield client
