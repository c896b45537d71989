"""GET /customers/{id}/matches: who this customer should meet, with reasons, filtered at request time."""

import logging
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.auth import Principal, Role, allow
from app.deps import DriverDep, ScorerDep, SettingsDep
from app.fresh_reads import CachedAnswer
from app.limits import capped
from app.routers.customers import CustomerId
from graph.errors import NotFound
from graph.matches import MatchRow, Reason, live_matches, stored_matches
from graph.reasons import category_match_candidates

log = logging.getLogger("icrm.api")
router = APIRouter(prefix="/customers", tags=["matches"])


class Source(StrEnum):
    batch = "batch"
    inductive_model = "inductive_model"
    category_rules = "category_rules"


class OtherCustomer(BaseModel):
    customer_id: str = Field(examples=["c-000917"])
    name: str | None = Field(default=None, examples=["Northside Builders"])
    industry: str | None = Field(default=None, examples=["construction"])
    region: str | None = Field(default=None, examples=["north-coast"])


class Match(BaseModel):
    customer: OtherCustomer
    score: float = Field(examples=[0.91])
    rank: int = Field(examples=[1])
    model_version: str | None = Field(examples=["20261204-2210-a1b2"])
    reasons: list[Reason] = Field(examples=[[{
        "need_id": "n-000042-1", "need_category": "commercial_construction",
        "need_text": "extension of the warehouse next spring", "capability_id": "p-000917-1",
        "capability_category": "commercial_construction", "capability_text": "industrial buildings and extensions",
        "quality": 4.4}]])
    shared_connections: int = Field(description="customers with past referrals to or from both sides", examples=[2])


class Matches(BaseModel):
    customer_id: str = Field(examples=["c-000042"])
    source: Source | None = Field(description="batch suggestions, the inductive model (cold start) or category "
                                              "rules (no model); null when the customer is not eligible")
    model_version: str | None = Field(description="the model that produced these scores", examples=["20261204-2210-a1b2"])
    eligible: bool
    not_eligible_reasons: list[str] = Field(examples=[[]])
    matches: list[Match]


def _match(row: MatchRow, version: str | None) -> Match:
    return Match(customer=OtherCustomer(customer_id=row.customer_id, name=row.name, industry=row.industry,
                                        region=row.region),
                 score=row.score, rank=row.rank, model_version=version, reasons=row.reasons,
                 shared_connections=row.shared_connections)


def _cold_start(driver: DriverDep, scorer: Any, customer_id: str, k: int) -> tuple[Source, str | None, list[MatchRow]]:
    """Score live: the inductive model when one is loaded, else need-category ↔ capability-category rules."""
    fetch = 2 * k + 10
    if scorer is not None:
        try:
            scored = [(c.customer_id, float(c.score)) for c in scorer.rank(driver, customer_id=customer_id, k=fetch)]
            return Source.inductive_model, scorer.version, live_matches(driver, customer_id=customer_id,
                                                                        scored=scored, k=k)
        except NotFound:
            raise
        except Exception as exc:  # the rules below still give an answer with reasons
            log.warning("inductive scoring failed (%s); falling back to category rules", type(exc).__name__)
    scored = [(c, float(s)) for c, s in category_match_candidates(driver, customer_id=customer_id, k=fetch)]
    return Source.category_rules, None, live_matches(driver, customer_id=customer_id, scored=scored, k=k)


def _answer(driver: DriverDep, scorer: Any, principal: Principal, customer_id: str, k: int) -> CachedAnswer:
    """Compute the answer from the graph (and the model, for a cold start); raises 404 / 403 first."""
    stored = stored_matches(driver, customer_id=customer_id, k=k)
    if not stored.exists:
        raise NotFound("no customer with that id")
    _authorise(principal, stored.manager)
    if not stored.eligibility.eligible:
        body = Matches(customer_id=customer_id, source=None, model_version=None, eligible=False,
                       not_eligible_reasons=stored.eligibility.reasons, matches=[])
        return CachedAnswer(manager=stored.manager, body=body.model_dump_json().encode())
    version: str | None
    if stored.version is not None and not stored.new_needs and stored.rows:
        source, version, rows = Source.batch, stored.version, stored.rows
    elif stored.open_needs == 0:
        # both live scorers rank providers for open needs only: without one there is nothing to score, so
        # skip them (most customers without stored suggestions are in this case)
        source = Source.batch if stored.version is not None else Source.category_rules
        version, rows = stored.version, []
    else:
        source, version, rows = _cold_start(driver, scorer, customer_id, k)
    body = Matches(customer_id=customer_id, source=source, model_version=version, eligible=True,
                   not_eligible_reasons=[], matches=[_match(r, version) for r in rows])
    # serialised once here, not re-validated by FastAPI on every request
    return CachedAnswer(manager=stored.manager, body=body.model_dump_json().encode())


def _authorise(principal: Principal, manager: str | None) -> None:
    if principal.role == Role.relationship_manager and manager != principal.manager_id:
        raise HTTPException(403, "this customer belongs to another relationship manager")


@router.get("/{customer_id}/matches", response_model=Matches)
async def list_matches(request: Request, driver: DriverDep, settings: SettingsDep, scorer: ScorerDep,
                       principal: Annotated[Principal, Depends(allow(Role.admin, Role.analyst,
                                                                     Role.relationship_manager))],
                       customer_id: CustomerId,
                       k: Annotated[int, Query(ge=1, description="how many matches (at most the server's max_k)")] = 10
                       ) -> Matches | Response:
    """Ranked matches with reasons; customers who withdrew consent, lost vetting or were erased never appear.

    An answer is reused from memory only while the graph is exactly as it was when it was computed
    (`app.fresh_reads`): any committed write, by anyone, is seen by the next request.
    """
    capped(k, cap=settings.max_k, loc=("query", "k"))
    state = request.app.state
    stamp = await state.fresh_gate.stamp()
    key = (customer_id, k, getattr(scorer, "version", None))
    answer = state.match_cache.get(stamp, key)
    if answer is None:
        answer = await run_in_threadpool(_answer, driver, scorer, principal, customer_id, k)
        state.match_cache.put(stamp, key, answer)
    else:
        _authorise(principal, answer.manager)
    return Response(content=answer.body, media_type="application/json")
