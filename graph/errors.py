"""The one exception root of the graph layer; app/ maps these to HTTP status codes in one place."""


class GraphError(Exception):
    """Root of every error raised by graph/."""


class NotFound(GraphError):
    """The record asked for does not exist (or was erased)."""


class Conflict(GraphError):
    """The change is not allowed in the record's current state."""

    def __init__(self, message: str, *, allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.allowed = allowed or []


class ValidationFailed(GraphError):
    """Input rejected at the edge; `errors` lists every reason."""

    def __init__(self, message: str, *, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class DatabaseUnavailable(GraphError):
    """Neo4j cannot be reached right now."""


class ServerError(GraphError):
    """The local Neo4j server could not be started or stopped."""
