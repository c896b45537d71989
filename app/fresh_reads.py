"""Answers served from memory while the graph is unchanged, and never once it has changed.

`FreshnessGate.stamp()` gives a request the database's newest-commit stamp (`graph.freshness.last_commit`) from
a check that *began after the request arrived*, so any write committed before the request (by this process,
another API process, `icrm load`, an analyst in Browser) is seen by it. One check serves every request waiting
when it starts: under load the database sees about one tiny read per round-trip, however many requests arrive.

`StampedCache` keeps answers computed at one stamp and forgets them all when the stamp moves: a withdrawn
consent, an erasure or a new suggestion run takes effect on the very next request.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


class FreshnessGate:
    """Coalesces concurrent freshness checks without ever answering a request from a check older than it."""

    def __init__(self, check: Callable[[], Awaitable[str]]) -> None:
        self._check = check
        self._next: asyncio.Future[str] | None = None  # the check the requests arriving now will wait for
        self._running: asyncio.Task[None] | None = None

    async def stamp(self) -> str:
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            # a failed check may find nobody left waiting (clients gone): mark its error as seen
            self._next.add_done_callback(lambda f: f.cancelled() or f.exception())
        waiter = self._next
        if self._running is None:
            self._launch()
        # shielded: one caller giving up (client disconnect) must not cancel the answer the others wait for
        return await asyncio.shield(waiter)

    def _launch(self) -> None:
        waiter, self._next = self._next, None
        assert waiter is not None
        self._running = asyncio.get_running_loop().create_task(self._run(waiter))

    async def _run(self, waiter: asyncio.Future[str]) -> None:
        try:
            waiter.set_result(await self._check())
        except Exception as exc:  # the database is down, say: every waiter gets the error (503)
            waiter.set_exception(exc)
        finally:
            self._running = None
            if self._next is not None:  # requests that arrived during this check need a newer one
                self._launch()


class StampedCache(Generic[V]):
    """A size-bounded LRU of answers, all computed at the stamp it holds; a new stamp empties it."""

    def __init__(self, *, max_bytes: int, size_of: Callable[[V], int]) -> None:
        self._stamp: str | None = None
        self._max_bytes = max_bytes
        self._entries: LRUCache[Hashable, V] | None = (
            LRUCache(maxsize=max_bytes, getsizeof=size_of) if max_bytes > 0 else None)
        self.hits = self.misses = 0

    def get(self, stamp: str, key: Hashable) -> V | None:
        """The answer for `key` if it was computed at `stamp`, the freshest stamp the caller knows."""
        if self._entries is None:
            return None
        if stamp != self._stamp:  # the graph changed: nothing held is current any more
            self._entries.clear()
            self._stamp = stamp
        value = self._entries.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, stamp: str, key: Hashable, value: V) -> None:
        """Keep an answer computed at `stamp`; one computed before the latest change is dropped."""
        if self._entries is None or stamp != self._stamp:
            return
        try:
            self._entries[key] = value
        except ValueError:  # larger than the whole cache: serve it, don't keep it
            pass


@dataclass(frozen=True)
class CachedAnswer:
    """A rendered JSON body and the facts needed to authorise a request for it without the database."""

    manager: str | None
    body: bytes
