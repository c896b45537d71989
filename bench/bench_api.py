"""API benchmark (issue 4 §5): `/customers/{id}/matches` against the trivial authenticated `/whoami`, in one run.

Seeds and loads a bank (default 100,000 customers; `--customers` to shrink), trains and writes suggestions
(or `--reuse` an already prepared database), starts `uvicorn app.main:app` in a subprocess on loopback and:
  0. asks for every sampled customer once (4 clients): the cold path, each answer computed from the graph;
  1. closed loop, 32 clients: `/whoami` then `/matches` over many customers -> p50/p99 and req/s, and the ratio
     (target: matches >= 0.5x whoami);
  2. open loop at a steady 200 req/s on `/matches` -> p50/p99 (target: p99 <= 20 ms). Latency is measured
     from each request's scheduled send time, so a stalled server cannot hide its queue (no coordinated omission).
Phases 1 and 2 run on an unchanged graph, so /matches answers from memory (app/fresh_reads.py); `--uncached`
repeats them with that cache off, every request going to Neo4j, to show what a write-heavy day would see.
The closed loop uses wrk (Debian: `apt-get install -y wrk`) when present, else the built-in asyncio client;
the open loop always uses the built-in client (wrk cannot hold a fixed rate). Everything is bounded in time.

    ICRM_NEO4J_BOLT_PORT=... NEO4J_URI=... ICRM_ARTIFACTS_DIR=/tmp/bench-artifacts \
        .venv/bin/python bench/bench_api.py --customers 3000 --wipe --port 8061
It trains and promotes a model in ICRM_ARTIFACTS_DIR: point that (and NEO4J_URI) at a scratch place.
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_load import closed_loop_py, closed_loop_wrk, each_once, fetch_once, open_loop  # noqa: E402
from graph import server  # noqa: E402
from graph.apikeys import create_key  # noqa: E402
from graph.db import driver_session, make_driver  # noqa: E402
from graph.eligibility import eligible_customer_ids  # noqa: E402
from graph.migrate import migrate  # noqa: E402
from graph.settings import get_settings  # noqa: E402


def icrm(*args: str, env: dict[str, str]) -> None:
    """Run an `icrm` command the way a user does; stop the benchmark if it fails."""
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "icrm"), *args], check=True, env=env, cwd=ROOT)
    print(f"  icrm {' '.join(args)}: {time.perf_counter() - started:.1f} s", flush=True)


def prepare(args: argparse.Namespace, env: dict[str, str]) -> None:
    if not args.reuse_data:
        with tempfile.TemporaryDirectory(prefix="icrm-bench-api-") as tmp:
            icrm("seed", "--customers", str(args.customers), "--seed", str(args.seed), "--out", tmp, env=env)
            icrm("load", tmp, env=env)
    icrm("train", "--epochs", str(args.epochs), "--seed", str(args.seed), "--force", *args.train_flag, env=env)
    icrm("suggest", "--k", "10", env=env)


def start_api(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "uvicorn"), "app.main:app", "--host", "127.0.0.1", "--port", str(port),
           "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited with {proc.returncode}; see {log}")
        try:
            if asyncio.run(fetch_once(port, "/health", {})) == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"uvicorn did not answer /health within 90 s; see {log}")


def wait_warm(port: int, headers: dict[str, str], *, seconds: float = 600) -> None:
    """A steady server: wait until the model's base graph is built (the API does it in the background)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        r = httpx.get(f"http://127.0.0.1:{port}/ready", headers=headers, timeout=10)
        if r.status_code != 200 or r.json().get("model_warm"):
            break  # warm, or no model at all (then nothing needs warming)
        time.sleep(1)
    print(f"  API warm after {time.monotonic() - started:.1f} s", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--no-text", dest="train_flag", action="store_const", const=["--no-text"], default=[],
                   help="train without MiniLM text features (faster)")
    p.add_argument("--reuse", action="store_true", help="use the database as it is (already loaded and suggested)")
    p.add_argument("--reuse-data", action="store_true", help="keep the loaded bank; only train and suggest")
    p.add_argument("--wipe", action="store_true", help="delete every record in the database before loading")
    p.add_argument("--port", type=int, default=8061)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--seconds", type=float, default=15, help="length of each closed-loop phase")
    p.add_argument("--rate", type=float, default=200, help="open-loop requests per second")
    p.add_argument("--open-seconds", type=float, default=20)
    p.add_argument("--sample", type=int, default=1000, help="how many customers /matches cycles over")
    p.add_argument("--include-cold", action="store_true",
                   help="cycle over every eligible customer, cold starts (live model scoring) included")
    p.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--uncached", action="store_true",
                   help="also measure /matches with the answer cache off (ICRM_MATCH_CACHE_MB=0)")
    args = p.parse_args()

    settings = get_settings()
    server.start(settings)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ICRM_RATE_LIMIT_PER_MINUTE": "100000000"}
    print(f"bench_api: {args.customers} customers, Neo4j at {settings.neo4j_uri}", flush=True)
    if args.wipe and not (args.reuse or args.reuse_data):
        with driver_session(settings) as driver:
            with driver.session() as session:  # CALL IN TRANSACTIONS needs an implicit transaction
                session.run("MATCH (n) WHERE NOT n:_Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()
    if not args.reuse:
        prepare(args, env)
    driver = make_driver(settings)
    migrate(driver)
    _, key = create_key(driver, role="admin")
    ids = eligible_customer_ids(driver)
    if not args.include_cold:  # customers the batch has scored: the path the targets are about
        with_rows, _, _ = driver.execute_query("MATCH (c:Customer)-[:SUGGESTED_INTRO]->() "
                                               "RETURN DISTINCT c.customer_id AS id")
        suggested = {r["id"] for r in with_rows}
        ids = [i for i in ids if i in suggested]
    driver.close()
    if not ids:
        raise SystemExit("no eligible customers in the database: load a bank first (drop --reuse)")
    random.Random(args.seed).shuffle(ids)
    matches = [f"/customers/{cid}/matches?k=10" for cid in ids[:args.sample]]
    headers = {"Authorization": f"Bearer {key}"}
    use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and shutil.which("wrk"))

    log = Path(tempfile.gettempdir()) / f"icrm-bench-api-{args.port}.log"

    def closed(paths: list[str]) -> dict:
        if use_wrk:
            return closed_loop_wrk(args.port, paths, headers, clients=args.clients, seconds=args.seconds,
                                   threads=args.threads)
        return asyncio.run(closed_loop_py(args.port, paths, headers, clients=args.clients, seconds=args.seconds))

    @contextmanager
    def serving(extra_env: dict[str, str]) -> Iterator[None]:
        api = start_api(args.port, {**env, **extra_env}, log)
        try:
            wait_warm(args.port, headers)
            yield
        finally:
            api.terminate()
            api.wait(timeout=30)

    def open_matches() -> dict:
        return asyncio.run(open_loop(args.port, matches, headers, rate=args.rate, seconds=args.open_seconds))

    results: dict[str, dict] = {}
    with serving({}):
        # each customer's first request is computed from the graph (the cold path); a steady server with an
        # unchanged graph then answers from memory (app/fresh_reads.py)
        results["first_request"] = asyncio.run(each_once(args.port, matches, headers, clients=4))
        results["whoami"] = closed(["/whoami"])
        results["matches"] = closed(matches)
        results["open_matches"] = open_matches()
    if args.uncached:  # the same server with its answer cache off: every request goes to the graph
        with serving({"ICRM_MATCH_CACHE_MB": "0"}):
            results["matches_uncached"] = closed(matches)
            results["open_uncached"] = open_matches()

    tool = "wrk" if use_wrk else "asyncio client"
    print(f"\n/matches cycles over {len(matches)} customers "
          f"({'all eligible, cold starts included' if args.include_cold else 'with batch suggestions'})")
    print(f"closed loop ({args.clients} clients, {args.seconds:.0f} s each, {tool}); "
          f"open loop {args.rate:.0f} req/s for {args.open_seconds:.0f} s")
    for name, r in results.items():
        print(f"  {name:13s} {r['requests']:7d} req  {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.2f} ms  "
              f"p99 {r['p99_ms']:7.2f} ms  errors {r['errors']} {r.get('error_kinds') or ''}")
    ratio = results["matches"]["rps"] / results["whoami"]["rps"]
    if "matches_uncached" in results:
        print(f"  without the answer cache: {results['matches_uncached']['rps'] / results['whoami']['rps']:.2f}x "
              f"whoami, open-loop p99 {results['open_uncached']['p99_ms']:.2f} ms")
    p99 = results["open_matches"]["p99_ms"]
    print(f"  matches/whoami throughput ratio {ratio:.2f} (target >= 0.5): {'PASS' if ratio >= 0.5 else 'MISS'}")
    print(f"  open-loop p99 {p99:.2f} ms at {args.rate:.0f} req/s (target <= 20 ms): {'PASS' if p99 <= 20 else 'MISS'}")
    print(json.dumps({"customers": args.customers, "ratio": ratio, **results}))


if __name__ == "__main__":
    main()
