"""RFC 9457 problem details for every error the API returns, mapped in this one place.

Problems never echo request input back (it may be personal data): validation errors name the field and the
rule, not the value. Uncaught exceptions become a 500 without a stack trace; the log gets the traceback
frames and the exception type, never its message (which may quote data).
"""

import logging
import traceback
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import Conflict, DatabaseUnavailable, GraphError, NotFound, ValidationFailed

log = logging.getLogger("icrm.api")
PROBLEM_MEDIA_TYPE = "application/problem+json"
DB_DOWN = "The graph database is unreachable right now; retry in a few seconds."


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="where the problem is, e.g. ['body', 'name']")
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem: the same shape for every error."""

    type: str = Field(examples=["urn:icrm:problem:not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no customer with that id"])
    errors: list[FieldError] | None = Field(default=None, description="every reason, for 422")
    allowed: list[str] | None = Field(default=None, description="the allowed transitions, for 409")


def _slug(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-")
    except ValueError:
        return "error"


def problem(status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": f"urn:icrm:problem:{_slug(status)}", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _problem_doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# Every router is included with these, so the OpenAPI schema documents each error a route can return.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_doc("Malformed request: a body that is not parseable JSON, or an invalid header"),
    401: _problem_doc("No credential, or an unknown or revoked one"),
    403: _problem_doc("The credential's role or ownership does not allow this"),
    404: _problem_doc("No such record (or it was erased)"),
    409: _problem_doc("Conflicts with the record's current state (an existing id, a transition not allowed now)"),
    413: _problem_doc("Request body too large"),
    422: _problem_doc("Invalid input; `errors` lists every reason"),
    429: _problem_doc("Rate limit exceeded; see Retry-After"),
    503: _problem_doc("The graph database is unreachable"),
}


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # loc/msg/type only: pydantic's `input` and `ctx` may hold the submitted (personal) value
    return [{"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
             "msg": str(e.get("msg", "invalid")), "type": str(e.get("type", "value_error"))} for e in errors]


def _graph_field_errors(errors: list[dict]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = e.get("loc") or [e.get("field") or e.get("row") or "body"]
        msg = e.get("msg") or e.get("message") or e.get("reason") or "invalid"
        out.append({"loc": [p if isinstance(p, int) else str(p) for p in (loc if isinstance(loc, list | tuple) else [loc])],
                    "msg": str(msg), "type": str(e.get("type", "value_error"))})
    return out


async def http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, detail, headers=dict(exc.headers) if exc.headers else None)


async def validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(list(exc.errors()))
    return problem(422, f"{len(errors)} invalid field(s) in the request", errors=errors)


async def graph_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFound):
        return problem(404, str(exc))
    if isinstance(exc, Conflict):
        return problem(409, str(exc), allowed=list(exc.allowed))
    if isinstance(exc, ValidationFailed):
        return problem(422, str(exc), errors=_graph_field_errors(exc.errors))
    if isinstance(exc, DatabaseUnavailable):
        return problem(503, DB_DOWN, headers={"Retry-After": "5"})
    log.error("graph error %s", type(exc).__name__)
    return problem(500, "The server could not complete the request.")


async def database_down(_: Request, exc: Exception) -> JSONResponse:
    log.warning("Neo4j unreachable (%s)", type(exc).__name__)
    return problem(503, DB_DOWN, headers={"Retry-After": "5"})


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(GraphError, graph_error)
    app.add_exception_handler(ServiceUnavailable, database_down)
    app.add_exception_handler(SessionExpired, database_down)


class UnhandledErrors:
    """Outermost ASGI layer: any exception that escaped the handlers becomes a 500 problem, logged without data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # frames and type only: an exception's message may quote personal data
            route = scope.get("route")
            log.error("unhandled %s on %s %s\n%s", type(exc).__name__, scope.get("method"),
                      getattr(route, "path", "?"),
                      "".join(traceback.format_tb(exc.__traceback__)))
            if started:
                raise
            if isinstance(exc, ServiceUnavailable | SessionExpired | DatabaseUnavailable):
                response = problem(503, DB_DOWN, headers={"Retry-After": "5"})
            else:
                response = problem(500, "The server could not complete the request.")
            await response(scope, receive, send)
