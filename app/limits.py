"""Resource limits: request body cap (counted on bytes actually read), per-credential rate limit, page sizes."""

import math
import threading
import time
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class BodySizeLimit:
    """413 for a body over `max_bytes`: by Content-Length when given, else by counting what is received.

    Counting the received chunks covers chunked uploads and lying Content-Length headers. If some layer
    turns our exception into another error, the 413 still wins because the response is swapped here.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = problem(413, f"request body larger than {self.max_bytes} bytes")
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await problem(400, "invalid Content-Length header")(scope, receive, send)
                    return
                if declared > self.max_bytes:
                    await too_large(scope, receive, send)
                    return
        received = 0
        exceeded = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal replaced
            if exceeded:
                if message["type"] == "http.response.start" and not replaced:
                    replaced = True
                    await too_large(scope, receive, send)
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not replaced:
                await too_large(scope, receive, send)


class RateLimiter:
    """A token bucket per credential: `per_minute` requests, bursts up to the same number.

    In-process: with several workers each enforces its own share, which is what a single-node deployment needs.
    """

    def __init__(self, *, per_minute: int) -> None:
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        """Take one token for `key`; returns 0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def enforce(self, key: str) -> None:
        wait = self.check(key)
        if wait > 0:
            raise HTTPException(429, "rate limit exceeded for this credential",
                                headers={"Retry-After": str(max(1, math.ceil(wait)))})


def capped(value: int, *, cap: int, loc: tuple[str, ...]) -> int:
    """`value`, or a 422 naming the field when it is over the configured cap."""
    if value > cap:
        raise RequestValidationError([{"loc": loc, "msg": f"must be at most {cap}", "type": "less_than_equal"}])
    return value


async def _page_size(request: Request, limit: Annotated[int, Query(ge=1, description="page size (capped by the server)")] = 50) -> int:
    return capped(limit, cap=request.app.state.settings.max_page_size, loc=("query", "limit"))


PageSize = Annotated[int, Depends(_page_size)]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]
