"""The schemathesis checks every fuzz run applies (the suite's bounded run and bench/bench_fuzz.py's long one)."""

from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> None:
    """No 5xx, except `/ready`'s documented 503 when no model is promoted (that is its job)."""
    if response.status_code >= 500 and not (response.status_code == 503 and case.operation.path == "/ready"):
        raise AssertionError(f"server error {response.status_code}: {response.text[:200]}")


CHECKS = [no_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
