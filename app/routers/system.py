"""Liveness, readiness and `whoami` (an authenticated endpoint that touches no database: the framework's ceiling)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from neo4j.exceptions import DriverError, Neo4jError
from pydantic import BaseModel, Field

from app.auth import Principal, Role, allow
from app.deps import DriverDep
from app.errors import DB_DOWN, problem
from graph.cypher import query

router = APIRouter(tags=["system"])
# outside development the API description is not public either (`Settings.docs_are_public`)
guarded_docs = APIRouter(tags=["system"])
ANY_ROLE = allow(Role.admin, Role.analyst, Role.relationship_manager, Role.service)


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    neo4j: bool
    model_version: str | None = Field(examples=["20261204-2210-a1b2"])
    model_warm: bool = Field(default=False, description="the model's base graph is built: a cold start needs "
                                                         "no full graph read")


class WhoAmI(BaseModel):
    key_id: str = Field(examples=["3f9a1c2b7d4e"])
    role: Role
    manager_id: str | None = Field(examples=["rm-007"])


@router.get("/health", response_model=Health, responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
def get_health() -> Health:
    """Liveness: the process answers (touches nothing, needs no credential)."""
    return Health(status="ok")


@router.get("/ready", response_model=Readiness, dependencies=[Depends(ANY_ROLE)], responses={200: {"content": {"application/json": {"example": {
    "status": "ready", "neo4j": True, "model_version": "20261204T224626.841Z-5c1c", "model_warm": True}}}}})
def get_ready(request: Request, driver: DriverDep) -> Readiness | JSONResponse:
    """Readiness: Neo4j answers and a promoted model is loaded; 503 (problem details) otherwise."""
    try:
        driver.execute_query(query("ping"))
        neo4j_ok = True
    except (DriverError, Neo4jError, OSError):
        neo4j_ok = False
    version = request.app.state.models.version if request.app.state.models.get() is not None else None
    if not neo4j_ok or version is None:
        detail = DB_DOWN if not neo4j_ok else "no trained model is promoted yet (run `icrm train`)"
        return problem(503, detail, neo4j=neo4j_ok, model_version=version)
    return Readiness(status="ready", neo4j=True, model_version=version,
                     model_warm=request.app.state.models.warm_version == version)


@router.get("/whoami", response_model=WhoAmI, responses={200: {"content": {"application/json": {"example": {
    "key_id": "3f9a1c2b7d4e", "role": "relationship_manager", "manager_id": "rm-007"}}}}})
def get_whoami(principal: Annotated[Principal, Depends(ANY_ROLE)]) -> WhoAmI:
    """The caller's key id, role and manager id (from the in-process key cache: no database round-trip)."""
    return WhoAmI(key_id=principal.key_id, role=principal.role, manager_id=principal.manager_id)


@guarded_docs.get("/openapi.json", include_in_schema=False)
def get_openapi(request: Request, _: Annotated[Principal, Depends(ANY_ROLE)]) -> JSONResponse:
    """The OpenAPI description, for callers with a key (`curl -H "Authorization: Bearer …"`)."""
    return JSONResponse(request.app.openapi())
