"""The model the API serves, swapped without a restart when a new version is promoted.

A request never waits for a load: the promoted version is checked at most once a second (a small file read),
a new one is loaded in a background thread, and the reference is swapped in one assignment once it is ready.
"""

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
