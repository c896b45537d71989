"""The model the API serves, swapped without a restart when a new version is promoted, and kept warm.

A request never waits for a load: the promoted version is checked at most once a second (a small file read),
a new one is loaded in a background thread, and the reference is swapped in one assignment once it is ready.
A second background thread builds the scorer's base graph before the first cold start needs it and re-reads it
before it goes stale, so a request does not pay for reading the whole graph (seconds at bank scale).
"""

import gc
import logging
import threading
import time
from typing import Any

from graph.settings import Settings

log = logging.getLogger("icrm.api")
CHECK_INTERVAL_S = 1.0


def _load(settings: Settings) -> Any:
    from models.serve import load_current  # the model core; optional until a model exists

    return load_current(settings)


def _promoted(settings: Settings) -> str | None:
    from models.artifacts import current_version

    return current_version(settings)


class ModelHolder:
    """Holds the current `Scorer` (or None); `get()` is cheap and never blocks on a load."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._current: tuple[Any, str | None] = (None, None)
        self._failed: str | None = None
        self._checked_at = 0.0
        self._loading = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._warm_thread: threading.Thread | None = None
        self._driver: Any = None  # set by keep_warm(): from then on a swapped-in model is warmed before it serves
        self.warm_version: str | None = None  # the model whose base graph is built (cold starts need no read)

    def load_now(self) -> None:
        """Load the promoted model in the calling thread (at start-up); a failure leaves no model, not a crash."""
        self._checked_at = time.monotonic()
        self._swap_in()

    def _swap_in(self) -> None:
        version = None
        try:
            version = _promoted(self.settings)
            scorer = _load(self.settings) if version else None
            if version and scorer is None:
                raise RuntimeError("load_current returned no model")
            if scorer is not None and self._driver is not None:  # a swap: the new model arrives warm
                try:
                    scorer.base(self._driver)
                    self.warm_version = scorer.version
                except Exception as exc:  # the warm thread retries; requests can still build it on demand
                    log.warning("could not build the new model's base graph yet: %s", type(exc).__name__)
            # one assignment of a tuple: a reader sees the old pair or the new pair, never a mix
            self._current = (scorer, getattr(scorer, "version", None) or version if scorer else None)
        except Exception as exc:  # a broken artifact must not take the API down; cold start falls back to rules
            log.warning("could not load the promoted model %s: %s", version, type(exc).__name__)
            self._failed = version
        finally:
            with self._lock:
                self._loading = False

    def get(self) -> Any:
        now = time.monotonic()
        if now - self._checked_at >= CHECK_INTERVAL_S:
            self._checked_at = now
            try:
                promoted = _promoted(self.settings)
            except Exception:
                promoted = self.version
            if promoted != self.version and promoted != self._failed:
                with self._lock:
                    start = not self._loading
                    self._loading = True
                if start:
                    threading.Thread(target=self._swap_in, name="model-swap", daemon=True).start()
        return self._current[0]

    @property
    def version(self) -> str | None:
        return self._current[1]

    # -- keeping the current scorer's base graph warm ----------------------------------------------------------
    def keep_warm(self, driver: Any) -> None:
        """Start the background thread that builds and refreshes the current scorer's base graph."""
        self._stop.clear()
        self._driver = driver
        self._warm_thread = threading.Thread(target=self._warm_loop, args=(driver,), name="model-warm", daemon=True)
        self._warm_thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._warm_thread is not None:
            self._warm_thread.join(timeout=5)

    def _warm_loop(self, driver: Any) -> None:
        refresh_s = self.settings.scorer_refresh_s
        warmed: tuple[int, float] | None = None  # (id of the scorer, when this thread last built its base)
        while not self._stop.is_set():
            scorer = self._current[0]
            if scorer is not None:
                now = time.monotonic()
                try:
                    if warmed is None or warmed[0] != id(scorer):
                        scorer.base(driver)  # under the scorer's lock: a request arriving meanwhile waits, once
                        warmed = (id(scorer), now)
                        self.warm_version = scorer.version
                        settle_heap()
                    elif now - warmed[1] > 0.8 * refresh_s:  # before `base()` would refresh inside a request
                        scorer.refresh(driver)
                        warmed = (id(scorer), now)
                        settle_heap()
                except Exception as exc:  # Neo4j down, say: requests still refresh on demand
                    log.warning("could not warm the model's base graph: %s", type(exc).__name__)
            self._stop.wait(min(5.0, max(0.5, refresh_s / 10)))


def settle_heap() -> None:
    """Move what is alive now (libraries, the model, its base graph: about a million objects at bank scale) out
    of the cyclic garbage collector's sight: a full collection over them pauses every request for ~0.2-0.4 s."""
    gc.collect()
    gc.freeze()
