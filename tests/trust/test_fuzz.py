"""API fuzzing: schemathesis drives every operation of the live OpenAPI schema with admin credentials.

On the real test database holding a small seeded bank plus the two-RM world: no 5xx (503 only where the
schema documents it and the database is really down: never here), and every response, problem details
included, conforms to the schema (status code documented, content type, body, headers). Examples per
operation are few (`FUZZ_EXAMPLES`) so the file runs in about a minute; `bench/bench_fuzz.py` runs many more.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from neo4j import Driver
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup

from app.main import create_app
from graph.loader import load_folder
from graph.settings import Settings, get_settings
from tests.conftest import wipe
from tests.trust.conftest import TrustWorld, build_trust_world
from tests.trust.fuzz_checks import CHECKS

FUZZ_EXAMPLES = int(os.environ.get("ICRM_FUZZ_EXAMPLES", "6"))


# operations whose label lists are computed from the app without touching any database
# (erasing customers last keeps the real ids the others aim at alive)
OPERATIONS = sorted((f"{method.upper()} {path}" for path, ops in create_app(get_settings()).openapi()["paths"].items()
                     for method in ops), key=lambda label: (label.startswith("DELETE"), label))


class Fuzzer:
    """The schema loaded from the running app, the admin header, and real ids to aim path parameters at."""

    def __init__(self, schema: Any, headers: dict[str, str], real_ids: dict[str, list[str]]) -> None:
        self.schema, self.headers, self.real_ids = schema, headers, real_ids

    def run(self, label: str, *, examples: int, seed: int = 0) -> list[str]:
        """Fuzz one operation; returns the failures (empty when every response was right)."""
        method, path = label.split(" ", 1)
        operation = self.schema[path][method]
        modes = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        if operation.body or operation.query or operation.path_parameters:
            modes.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        failures: list[str] = []

        @given(case=st.one_of(modes), aim=st.integers(min_value=0, max_value=1000))
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def fuzz(case: Any, aim: int) -> None:
            self._aim(case, aim)
            try:
                case.call_and_validate(headers=self.headers, checks=CHECKS, timeout=60)
            except (FailureGroup, Failure) as exc:  # keep going: report every distinct failure once
                group = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
                for failure in group:
                    line = f"{label}: {failure.title}: {failure.message}".strip()[:600]
                    if line not in failures:
                        failures.append(line)

        fuzz()
        return failures

    def _aim(self, case: Any, aim: int) -> None:
        """Most of the time point path parameters at records that exist, so deeper code runs, not just 404s."""
        for name in list(case.path_parameters or {}):
            ids = self.real_ids.get(name)
            if ids and aim % 4:
                case.path_parameters[name] = ids[aim % len(ids)]


@pytest.fixture(scope="module")
def fuzzer(session_driver: Driver, sample_bank_dir: Path, tmp_path_factory: pytest.TempPathFactory,
           settings: Settings) -> Iterator[Fuzzer]:
    wipe(session_driver)
    world: TrustWorld = build_trust_world(session_driver)
    load_folder(session_driver, folder=sample_bank_dir, report_path=tmp_path_factory.mktemp("fuzz") / "r.csv")
    ids, _, _ = session_driver.execute_query("MATCH (c:Customer) RETURN c.customer_id AS id ORDER BY id LIMIT 20")
    real = {"customer_id": [r["id"] for r in ids], "need_id": [world.need_id], "capability_id": [world.capability_id]}
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 1_000_000}))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # runs the app's lifespan (driver, model)
    proposed = TestClient(app).post("/introductions", headers=world.headers("admin"), json={
        "needer_id": world.owner_customers[0], "provider_id": world.owner_customers[1]})
    assert proposed.status_code == 201, proposed.text
    real["introduction_id"] = [proposed.json()["introduction_id"]]
    yield Fuzzer(schema, world.headers("admin"), real)


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_answers_within_its_schema(fuzzer: Fuzzer, label: str) -> None:
    failures = fuzzer.run(label, examples=FUZZ_EXAMPLES)
    assert not failures, "\n".join(failures)
