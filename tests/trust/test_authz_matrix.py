"""Authorization matrix, generated from the route table: every operation x every role x someone else's object.

Each route carries exactly one `allow(...)` rule (a route without one fails the audit, shown on a planted
app). Then every operation is called with no credential, a forged key, and each role's key, on objects owned
by another relationship manager: no credential -> 401 (except `/health`), a role outside the rule -> 403,
the intruding RM never gets a 2xx on the owner's objects, and nobody but admin and the owning RM ever sees
the owner's private notes or contact details.
"""

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from neo4j import Driver

from app.auth import Role, allow, route_rules
from graph.ingest import write_customers
from graph.settings import Settings
from tests.trust.conftest import OWNER_RM, PRIVATE_MARKS, TrustWorld, _customer, live_app
from tests.trust.openapi_requests import request_for

PUBLIC = {("GET", "/health")}
CALLERS: tuple[str | None, ...] = (None, "forged", "analyst", "service", "rm_intruder", "rm_owner", "admin")
ROLE_OF = {"analyst": Role.analyst, "service": Role.service, "rm_intruder": Role.relationship_manager,
           "rm_owner": Role.relationship_manager, "admin": Role.admin}
SAFE_METHODS = {"GET", "HEAD"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    roles: frozenset[Role]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def audit_routes(app: FastAPI) -> tuple[list[Operation], list[str]]:
    """Every API operation with its rule's roles, and the problems: a route with no rule or several.

    Walks `iter_route_contexts`, because FastAPI >= 0.165 keeps included routers nested in `app.routes`.
    """
    ops, problems = [], []
    for ctx in iter_route_contexts(app.routes):
        if not isinstance(ctx.original_route, APIRoute):
            continue  # /openapi.json, /docs: the framework's own documentation routes
        rules = route_rules(ctx)
        for method in sorted(set(ctx.methods or ()) - {"HEAD", "OPTIONS"}):
            if (method, ctx.path) in PUBLIC:
                continue
            if len(rules) != 1:
                problems.append(f"{method} {ctx.path}: {len(rules)} allow() rules (exactly one required)")
                continue
            ops.append(Operation(method, str(ctx.path), frozenset(rules[0].roles)))
    return ops, problems


def test_audit_fails_on_a_route_without_a_rule() -> None:
    planted = FastAPI()

    @planted.get("/guarded", dependencies=[Depends(allow(Role.admin))])
    def guarded() -> dict:
        return {}

    @planted.get("/forgotten")
    def forgotten() -> dict:
        return {"leak": True}

    ops, problems = audit_routes(planted)
    assert [str(o) for o in ops] == ["GET /guarded"]
    assert problems == ["GET /forgotten: 0 allow() rules (exactly one required)"]
    # and the HTTP side of the matrix sees it too: the forgotten route answers without a credential
    with TestClient(planted) as client:
        assert client.get("/guarded").status_code == 401
        assert client.get("/forgotten").status_code == 200


# ---- the matrix ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def matrix_client(trust_world: TrustWorld, settings: Settings) -> TestClient:
    with live_app(settings, rate_limit_per_minute=1_000_000) as client:
        yield client


def _owner_introduction(client: TestClient, world: TrustWorld) -> str | None:
    r = client.post("/introductions", headers=world.headers("admin"),
                    json={"needer_id": world.owner_customers[0], "provider_id": world.owner_customers[1]})
    return r.json().get("introduction_id") if r.status_code == 201 else None


# The steps (as admin) that bring a fresh introduction to where each transition is allowed, so the matrix
# meets every transition in a state where only authorization can refuse it.
BEFORE = {"approve": [], "reject": [], "offer": ["approve"], "accept": ["approve", "offer"],
          "decline": ["approve", "offer"], "met": ["approve", "offer", "accept", "accept2"],
          "outcome": ["approve", "offer", "accept", "accept2", "met"],
          "feedback": ["approve", "offer", "accept", "accept2", "met", "outcome"]}
STEP_BODY = {"accept": ("accept", {"party": "needer"}), "accept2": ("accept", {"party": "provider"}),
             "outcome": ("outcome", {"outcome": "deal", "value": 1000.0})}


def staged_introduction(client: TestClient, driver: Driver, world: TrustWorld, action: str, serial: int) -> str:
    """A new introduction between two fresh customers of the owner, advanced to just before `action`."""
    pair = [f"own-stage-{serial}-{side}" for side in ("a", "b")]
    write_customers(driver, records=[_customer(c, OWNER_RM) for c in pair])
    r = client.post("/introductions", headers=world.headers("admin"), json={"needer_id": pair[0], "provider_id": pair[1]})
    assert r.status_code == 201, r.text
    intro = r.json()["introduction_id"]
    for step in BEFORE[action]:
        name, body = STEP_BODY.get(step, (step, {}))
        done = client.post(f"/introductions/{intro}/{name}", headers=world.headers("admin"), json=body)
        assert done.status_code == 200, f"staging {action}: {step} -> {done.status_code} {done.text[:200]}"
    return intro


def pending_review_item(driver: Driver, customer_id: str, serial: int) -> str:
    """A review item waiting for a person, on the owner's customer (as need extraction leaves one)."""
    review_id = f"rev-{serial}"
    driver.execute_query(
        "MATCH (c:Customer {customer_id: $cid}) CREATE (c)-[:HAS_REVIEW_ITEM]->(:ReviewItem {review_id: $rid, "
        "customer_id: $cid, category: 'logistics', confidence: 0.4, evidence: 'we may need a truck', "
        "status: 'pending', created_at: datetime()})", cid=customer_id, rid=review_id)
    return review_id


def test_route_table_has_one_rule_per_route(matrix_client: TestClient) -> None:
    ops, problems = audit_routes(matrix_client.app)
    assert not problems, "\n".join(problems)
    assert len(ops) >= 10, f"only {len(ops)} operations found: is every router included?"
    writes_open_to_analyst = [str(o) for o in ops if Role.analyst in o.roles and o.method not in SAFE_METHODS]
    assert not writes_open_to_analyst, f"the analyst role is read-only, yet may call {writes_open_to_analyst}"


def test_no_unauthorized_success(matrix_client: TestClient, trust_world: TrustWorld, session_driver: Driver) -> None:
    client, world = matrix_client, trust_world
    intro_id = _owner_introduction(client, world)
    assert intro_id, "could not create the owner's introduction as admin"
    owned = {"customer_id": world.owner_customers[0], "needer_id": world.owner_customers[0],
             "provider_id": world.owner_customers[1], "need_id": world.need_id,
             "capability_id": world.capability_id, "introduction_id": intro_id, "relationship_manager": "rm-owner"}
    spec = client.app.openapi()
    ops, _ = audit_routes(client.app)
    assert len(ops) >= 10, f"only {len(ops)} operations found: the matrix would prove nothing"
    ops.sort(key=lambda o: o.method == "DELETE")  # erasing the owner's customer last keeps the others meaningful
    violations: list[str] = []
    admin_denied: list[str] = []
    owner_results: dict[str, int] = {}

    for serial, op in enumerate(ops):
        objects = dict(owned)
        action = op.path.rsplit("/", 1)[-1]
        if op.path.startswith("/introductions/{introduction_id}/") and action in BEFORE:
            objects["introduction_id"] = staged_introduction(client, session_driver, world, action, serial)
        if "{review_id}" in op.path:
            objects["review_id"] = pending_review_item(session_driver, world.owner_customers[0], serial)
        request = request_for(op, spec, objects, {**objects, "value": 1000.0})  # a deal needs its value
        for who in CALLERS:
            headers = {"Authorization": "Bearer icrm_forged_0000"} if who == "forged" else world.headers(who)
            r = client.request(op.method, request["url"], params=request["params"], json=request["json"],
                               headers=headers)
            label = f"{op} as {who or 'nobody'} -> {r.status_code}"
            if r.status_code >= 500 and r.status_code != 503:  # 503: /ready without a model, documented
                violations.append(f"{label}: server error")
            if who in (None, "forged"):
                if r.status_code != 401:
                    violations.append(f"{label}: expected 401")
                continue
            role = ROLE_OF[who]
            if role not in op.roles and r.status_code != 403:
                violations.append(f"{label}: role not in {sorted(op.roles)}, expected 403")
            if who == "rm_intruder" and 200 <= r.status_code < 300 and _touches_owner(request, objects):
                violations.append(f"{label}: another RM's object")
            if who in ("analyst", "service", "rm_intruder") and 200 <= r.status_code < 300:
                leaked = [m for m in PRIVATE_MARKS if m in r.text]
                if leaked:
                    violations.append(f"{label}: shows the owner's private data {leaked}")
                if who == "rm_intruder" and objects["introduction_id"] in r.text:
                    violations.append(f"{label}: shows the owner's introduction")
            if who == "admin" and role in op.roles and r.status_code in (401, 403):
                admin_denied.append(label)
            if who == "rm_owner" and role in op.roles and op.method != "DELETE":
                owner_results[str(op)] = r.status_code

    assert client.get("/health").status_code == 200, "liveness must answer without a credential"
    assert not violations, "unauthorized outcomes:\n" + "\n".join(violations)
    # the owner's own RM succeeds on the transitions and reads: the refusals above are about ownership
    transitions = {a: owner_results[f"POST /introductions/{{introduction_id}}/{a}"] for a in BEFORE}
    assert all(200 <= code < 300 for code in transitions.values()), " ".join(f"{a}={c}" for a, c in transitions.items())
    assert all(200 <= code < 300 for op, code in owner_results.items() if op.startswith("GET /customers")), owner_results
    assert not admin_denied, "admin refused on routes that allow admin (the matrix's requests are wrong?):\n" + \
        "\n".join(admin_denied)


def _touches_owner(request: dict, owned: dict[str, Any]) -> bool:
    text = request["url"] + json.dumps(request["json"] or {}) + json.dumps(request["params"])
    return any(str(v) in text for k, v in owned.items() if k != "relationship_manager")
