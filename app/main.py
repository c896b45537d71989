"""The FastAPI application: lifespan (driver, current model), routers, limits and error handlers."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.auth import KeyCache, operations
from app.errors import PROBLEM_RESPONSES, UnhandledErrors, register_error_handlers
from app.fresh_reads import CachedAnswer, FreshnessGate, StampedCache
from app.limits import BodySizeLimit, RateLimiter
from app.logs import install_access_log_redaction
from app.model_state import ModelHolder, settle_heap
from app.routers import (
    consent,
    customers,
    erasure,
    interactions,
    introductions,
    matches,
    needs,
    program,
    system,
)
from graph.db import make_driver
from graph.freshness import last_commit
from graph.settings import Settings, get_settings

log = logging.getLogger("icrm.api")

DESCRIPTION = """Who should this customer meet, and why: ranked, explained introductions between a bank's
customers, and the vetting / double opt-in / outcome workflow. Send an API key from `icrm apikey create`
as `Authorization: Bearer <key>`. Errors are RFC 9457 problem details."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # not verified here: the API starts while Neo4j is down and the driver reconnects by itself
    driver = make_driver(settings, verify=False, fail_fast=True)
    try:
        driver.verify_connectivity()
    except Exception as exc:
        log.warning("Neo4j not reachable at start (%s); serving 503 until it is", type(exc).__name__)
    app.state.driver = driver
    app.state.fresh_gate = FreshnessGate(lambda: run_in_threadpool(last_commit, driver, database=settings.neo4j_database))
    app.state.match_cache = StampedCache[CachedAnswer](max_bytes=settings.match_cache_mb * 2**20,
                                                       size_of=lambda a: len(a.body) + 256)
    install_access_log_redaction([op.path for op in operations(app)])
    app.state.models.load_now()
    settle_heap()
    app.state.models.keep_warm(driver)
    try:
        yield
    finally:
        app.state.models.close()
        driver.close()
        gc.unfreeze()  # let the interpreter's shutdown collect what settle_heap() set aside


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    public = settings.docs_are_public
    app = FastAPI(title="ICRM", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url="/docs" if public else None, redoc_url="/redoc" if public else None,
                  openapi_url="/openapi.json" if public else None)
    app.state.settings = settings
    app.state.key_cache = KeyCache()
    app.state.rate_limiter = RateLimiter(per_minute=settings.rate_limit_per_minute)
    app.state.models = ModelHolder(settings)
    for module in (system, matches, customers, needs, consent, interactions, erasure, introductions, program):
        app.include_router(module.router, responses=PROBLEM_RESPONSES)
    if not public:
        app.include_router(system.guarded_docs, responses=PROBLEM_RESPONSES)
    register_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(UnhandledErrors)  # added last = outermost: nothing escapes as a bare stack trace
    return app


app = create_app()
