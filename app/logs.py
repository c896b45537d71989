"""Keep personal data out of logs: access-log paths are reduced to their route shape (ids become `:id`).

Paths carry customer ids (`/customers/c-42/matches`), and an erased customer must leave no trace in anything
the project writes, logs included. Query strings are dropped for the same reason.
"""

import logging

ACCESS_LOGGER = "uvicorn.access"


class RedactPaths(logging.Filter):
    def __init__(self, static_segments: set[str]) -> None:
        super().__init__()
        self.static = static_segments

    def redact(self, path: str) -> str:
        path = path.split("?", 1)[0]
        return "/".join(p if p in self.static or not p else ":id" for p in path.split("/"))

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn's access record: (client, method, path, http version, status)
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], self.redact(args[2]), *args[3:])
        return True


def install_access_log_redaction(route_paths: list[str]) -> None:
    static = {seg for path in route_paths for seg in path.split("/") if seg and not seg.startswith("{")}
    static |= {"docs", "openapi.json", "redoc"}
    logger = logging.getLogger(ACCESS_LOGGER)
    for f in list(logger.filters):
        if isinstance(f, RedactPaths):
            logger.removeFilter(f)
    logger.addFilter(RedactPaths(static))
