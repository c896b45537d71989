"""API keys: issue, look up and revoke credentials, storing only a SHA-256 hash of each key.

Keys are 256-bit random tokens, so a plain SHA-256 is enough (no slow hash needed: nothing to brute-force).
"""

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from neo4j import Driver, RoutingControl

from graph.cypher import query
from graph.errors import NotFound, ValidationFailed


class Role(StrEnum):
    """The roles a key can carry (the API's `allow(...)` rules name these)."""

    admin = "admin"
    analyst = "analyst"
    relationship_manager = "relationship_manager"
    service = "service"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
KEY_PREFIX = "icrm"


@dataclass(frozen=True)
class KeyOwner:
    key_id: str
    role: str
    manager_id: str | None


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    role: str
    manager_id: str | None
    created_at: str
    revoked: bool


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_key(driver: Driver, *, role: str, manager_id: str | None = None) -> tuple[str, str]:
    """Issue a key for `role`; returns (key_id, plaintext). The plaintext is not stored anywhere."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}", errors=[{"field": "role", "allowed": list(ROLES)}])
    if role == "relationship_manager" and not manager_id:
        raise ValidationFailed("a relationship_manager key needs the manager's id (--manager)",
                               errors=[{"field": "manager_id", "message": "required for relationship_manager"}])
    key_id = secrets.token_hex(6)
    plaintext = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    driver.execute_query(query("create_api_key"), key_hash=hash_key(plaintext), key_id=key_id, role=role,
                         manager_id=manager_id)
    return key_id, plaintext


def principal_for(driver: Driver, *, plaintext: str) -> KeyOwner | None:
    """Who holds this key, or None when it is unknown or revoked."""
    records, _, _ = driver.execute_query(query("principal_for"), key_hash=hash_key(plaintext),
                                         routing_=RoutingControl.READ)
    if not records:
        return None
    r = records[0]
    return KeyOwner(key_id=r["key_id"], role=r["role"], manager_id=r["manager_id"])


def revoke_key(driver: Driver, *, key_id: str) -> None:
    records, _, _ = driver.execute_query(query("revoke_key"), key_id=key_id)
    if not records or records[0]["revoked"] == 0:
        raise NotFound(f"no API key with id {key_id!r}")


def list_keys(driver: Driver) -> list[KeyInfo]:
    records, _, _ = driver.execute_query(query("list_keys"), routing_=RoutingControl.READ)
    return [KeyInfo(**r.data()) for r in records]
