"""Who is calling and what they may do: API keys as bearer tokens, one `allow(...)` rule per route, ownership.

Every route carries exactly one `allow(*roles)` dependency; its roles are readable (`rule.roles`), so the
route table can be audited (`operations(app)`). Key lookups are cached in-process for `KEY_CACHE_SECONDS`, which
bounds how long a revoked key keeps working.
"""

import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from neo4j import Driver
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from graph.apikeys import Role, hash_key, principal_for
from graph.customers import customer_manager
from graph.errors import NotFound

KEY_CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    manager_id: str | None


class KeyCache:
    """Recent key lookups (hits and misses) so most requests need no database round-trip to authenticate."""

    def __init__(self, *, ttl_s: float = KEY_CACHE_SECONDS) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def cached(self, plaintext: str) -> tuple[bool, Principal | None]:
        """(found, principal) from memory only: no I/O, safe on the event loop."""
        hit = self._entries.get(hash_key(plaintext))
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def lookup(self, driver: Driver, plaintext: str) -> Principal | None:
        found, principal = self.cached(plaintext)
        if found:
            return principal
        digest = hash_key(plaintext)
        now = time.monotonic()
        owner = principal_for(driver, plaintext=plaintext)
        principal = None if owner is None else Principal(owner.key_id, Role(owner.role), owner.manager_id)
        with self._lock:
            if len(self._entries) > 10_000:  # a flood of bad keys must not grow memory without bound
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            self._entries[digest] = (now + self.ttl_s, principal)
        return principal


_bearer = HTTPBearer(auto_error=False, description="An API key from `icrm apikey create`")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


class AuthRule:
    """The dependency `allow(...)` returns: authenticates, rate-limits, then checks the role."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        if not roles:
            raise ValueError("allow() needs at least one role")
        self.roles = frozenset(roles)

    def __repr__(self) -> str:
        return f"allow({', '.join(sorted(self.roles))})"

    async def __call__(self, request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise _unauthorized("an API key is required: send `Authorization: Bearer <key>`")
        state = request.app.state
        # a cache hit costs no thread hop; only a miss goes to Neo4j, off the event loop
        found, principal = state.key_cache.cached(credentials.credentials)
        if not found:
            principal = await run_in_threadpool(state.key_cache.lookup, state.driver, credentials.credentials)
        if principal is None:
            raise _unauthorized("unknown or revoked API key")
        state.rate_limiter.enforce(principal.key_id)
        if principal.role not in self.roles:
            raise HTTPException(403, f"the {principal.role} role may not do this")
        request.state.principal = principal
        return principal


def allow(*roles: Role) -> AuthRule:
    """`Depends(allow(Role.admin, ...))`: the one authorization rule of a route."""
    return AuthRule(tuple(roles))


def route_rules(route: Any) -> list[AuthRule]:
    """Every `allow(...)` rule in a route's dependency tree (exactly one on a guarded route).

    `route` is an `APIRoute` or a `fastapi.routing.RouteContext` (what `operations(app)` yields); a context's
    effective tree includes the dependencies of the routers it is mounted under.
    """
    original = getattr(route, "original_route", route)
    if not isinstance(original, APIRoute):
        return []
    found: list[AuthRule] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, AuthRule):
            found.append(dep.call)
        stack.extend(dep.dependencies)
    return found


@dataclass(frozen=True)
class Operation:
    path: str
    methods: frozenset[str]
    rules: tuple[AuthRule, ...]
    endpoint_name: str


def operations(app: FastAPI) -> list[Operation]:
    """Every API operation with its full path and its `allow(...)` rules (FastAPI ≥ 0.165 keeps included
    routers nested, so `app.routes` alone does not list them)."""
    out = []
    for ctx in iter_route_contexts(app.routes):
        if not isinstance(ctx.original_route, APIRoute):
            continue
        out.append(Operation(path=str(ctx.path), methods=frozenset(ctx.methods or ()),
                             rules=tuple(route_rules(ctx)), endpoint_name=ctx.original_route.name))
    return out


def ensure_customer_access(driver: Driver, principal: Principal, customer_id: str, *, write: bool = False) -> None:
    """404 for an unknown customer; 403 when the caller may not see (or, with `write`, change) this one.

    admin: all; analyst: read only; service: the ingestion routes that allow it; relationship_manager: only
    customers whose `relationship_manager` is the key's manager id.
    """
    exists, manager = customer_manager(driver, customer_id=customer_id)
    if not exists:
        raise NotFound("no customer with that id")
    if principal.role == Role.analyst and write:
        raise HTTPException(403, "the analyst role is read-only")
    if principal.role == Role.relationship_manager and (principal.manager_id is None or manager != principal.manager_id):
        raise HTTPException(403, "this customer belongs to another relationship manager")
