"""A long schemathesis run: every API operation, many examples each, admin credentials, in process (ASGI).

The same checks as `tests/trust/test_fuzz.py` (no 5xx except `/ready`'s documented 503, documented status
codes, content types, response bodies and headers conform to the OpenAPI schema), with positive and negative
examples; prints per operation how many requests were sent, the status codes seen and the distinct failures.

    NEO4J_URI=... .venv/bin/python bench/bench_fuzz.py --examples 200 --wipe   # seeds a small bank first
"""

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.core.failures import Failure, FailureGroup  # noqa: E402

from app.main import create_app  # noqa: E402
from graph import server  # noqa: E402
from graph.apikeys import create_key  # noqa: E402
from graph.db import make_driver  # noqa: E402
from graph.loader import load_folder  # noqa: E402
from graph.migrate import migrate  # noqa: E402
from graph.seed import generate_bank  # noqa: E402
from graph.settings import get_settings  # noqa: E402
from tests.trust.fuzz_checks import CHECKS  # noqa: E402


def fuzz_operation(operation: Any, *, headers: dict[str, str], real_ids: dict[str, list[str]],
                   examples: int) -> tuple[Counter, list[str]]:
    modes = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
    if operation.body or operation.query or operation.path_parameters:
        modes.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    statuses: Counter = Counter()
    failures: list[str] = []

    @given(case=st.one_of(modes), aim=st.integers(min_value=0, max_value=1000))
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate])
    def run(case: Any, aim: int) -> None:
        for name in list(case.path_parameters or {}):
            if real_ids.get(name) and aim % 4:  # aim most path parameters at records that exist
                case.path_parameters[name] = real_ids[name][aim % len(real_ids[name])]
        try:
            response = case.call(headers=headers, timeout=60)  # the first call of some routes loads MiniLM
        except requests.exceptions.Timeout:
            statuses["timeout"] += 1
            failures.append(f"no answer within 60 s: {case.as_curl_command(headers=headers)[:300]}")
            return
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, Failure) as exc:
            for failure in exc.exceptions if isinstance(exc, FailureGroup) else [exc]:
                line = f"{failure.title}: {failure.message}".strip().replace("\n", " ")[:300]
                if line not in failures:
                    failures.append(line)

    run()
    return statuses, failures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=200, help="examples per operation")
    p.add_argument("--customers", type=int, default=200, help="size of the seeded bank")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--wipe", action="store_true", help="wipe the database and load a fresh seeded bank first")
    p.add_argument("--only", default="", help="fuzz only operations whose label contains this text")
    args = p.parse_args()

    settings = get_settings().model_copy(update={"rate_limit_per_minute": 100_000_000})
    server.start(settings)
    driver = make_driver(settings)
    migrate(driver)
    if args.wipe:
        with driver.session() as session:  # CALL IN TRANSACTIONS needs an implicit transaction
            session.run("MATCH (n) WHERE NOT n:_Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()
        with tempfile.TemporaryDirectory() as tmp:
            generate_bank(customers=args.customers, seed=args.seed, out=Path(tmp))
            load_folder(driver, folder=Path(tmp), report_path=Path(tmp) / "report.csv")
    records, _, _ = driver.execute_query("MATCH (c:Customer) RETURN c.customer_id AS id ORDER BY id LIMIT 50")
    real = {"customer_id": [r["id"] for r in records]}
    _, key = create_key(driver, role="admin")
    headers = {"Authorization": f"Bearer {key}"}

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))
    total_requests, total_failures = 0, 0
    started = time.perf_counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in sorted(operations, key=lambda op: op.method.upper() == "DELETE"):  # erase last
        label = f"{operation.method.upper()} {operation.path}"
        if args.only and args.only not in label:
            continue
        t0 = time.perf_counter()
        statuses, failures = fuzz_operation(operation, headers=headers, real_ids=real, examples=args.examples)
        total_requests += sum(statuses.values())
        total_failures += len(failures)
        codes = " ".join(f"{c}x{n}" for c, n in sorted(statuses.items(), key=str))
        print(f"{label:55s} {sum(statuses.values()):5d} req {time.perf_counter() - t0:6.1f} s  [{codes}]"
              f"{'  FAILURES: ' + str(len(failures)) if failures else ''}", flush=True)
        for failure in failures:
            print(f"    - {failure}")
    driver.close()
    print(f"\n{total_requests} requests in {time.perf_counter() - started:.0f} s, "
          f"{total_failures} distinct failures")
    sys.exit(1 if total_failures else 0)


if __name__ == "__main__":
    main()
