"""API benchmark (issue 4 §5): `/customers/{id}/matches` against the trivial authenticated `/whoami`, in one run.

Seeds and loads a bank (default 100,000 customers; `--customers` to shrink), trains and writes suggestions
(or `--reuse` an already prepared database), starts `uvicorn app.main:app` in a subprocess on loopback and:
  1. closed loop, 32 clients: `/whoami` then `/matches` over many customers -> p50/p99 and req/s, and the ratio
     (target: matches >= 0.5x whoami);
  2. open loop at a steady 200 req/s on `/matches` -> p50/p99 (target: p99 <= 20 ms). Latency is measured
     from each request's scheduled send time, so a stalled server cannot hide its queue (no coordinated omission).
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
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import server  # noqa: E402
from graph.apikeys import create_key  # noqa: E402
from graph.db import driver_session, make_driver  # noqa: E402
from graph.eligibility import eligible_customer_ids  # noqa: E402
from graph.migrate import migrate  # noqa: E402
from graph.settings import get_settings  # noqa: E402

KEEP_ALIVE_S = 4.0  # below uvicorn's default keep-alive timeout (5 s)
WRK_SCRIPT = """
local paths, i = {}, 0
init = function(args) for _, p in ipairs(args) do table.insert(paths, p) end; i = math.random(#paths) end
request = function() i = (i % #paths) + 1; return wrk.format("GET", paths[i]) end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"errors": %d, "non_2xx": %d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), errors, summary.errors.status))
end
"""


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


async def fetch_once(port: int, path: str, headers: dict[str, str]) -> int:
    conn = await Connection.open(port)
    try:
        return await conn.get(path, headers)
    finally:
        conn.close()


class Connection:
    """A minimal HTTP/1.1 keep-alive client: little CPU per request, so the load tool disturbs the server less."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int) -> None:
        self.reader, self.writer, self.port = reader, writer, port

    @classmethod
    async def open(cls, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, port)

    async def get(self, path: str, headers: dict[str, str]) -> int:
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"] + [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        length = next((int(h.split(":", 1)[1]) for h in head if h.lower().startswith("content-length:")), 0)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


async def closed_loop_py(port: int, paths: list[str], headers: dict[str, str], *, clients: int,
                         seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def client(offset: int) -> None:
        nonlocal errors
        conn = await Connection.open(port)
        i = offset
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            status = await conn.get(paths[i % len(paths)], headers)
            latencies.append(time.perf_counter() - t0)
            errors += status >= 300
            i += 1
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(k * 997) for k in range(clients)))
    return summarize(latencies, errors, time.perf_counter() - t0)


def closed_loop_wrk(port: int, paths: list[str], headers: dict[str, str], *, clients: int, seconds: float,
                    threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    cmd = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{int(seconds)}s", "--timeout", "5s",
           "-s", script.name, *[arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")],
           f"http://127.0.0.1:{port}", "--", *paths]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    os.unlink(script.name)
    raw = json.loads(next(line for line in out.splitlines() if line.startswith("WRKJSON ")).removeprefix("WRKJSON "))
    return {"requests": raw["requests"], "errors": raw["errors"] + raw["non_2xx"],
            "rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50_ms": raw["p50_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000}


async def open_loop(port: int, paths: list[str], headers: dict[str, str], *, rate: float, seconds: float) -> dict:
    """Send at fixed instants t0 + i/rate whatever the server does; latency counts from the scheduled instant."""
    idle: list[tuple[Connection, float]] = []  # with the time each was last used
    latencies: list[float] = []
    kinds: Counter[str] = Counter()

    def reuse() -> Connection | None:
        # uvicorn closes a keep-alive connection idle for 5 s; a request sent on it would be lost unread
        while idle:
            conn, last = idle.pop()
            if time.perf_counter() - last < KEEP_ALIVE_S:
                return conn
            conn.close()
        return None

    async def one(path: str, scheduled: float) -> None:
        try:
            conn = reuse() or await Connection.open(port)
            status = await conn.get(path, headers)
        except (OSError, asyncio.IncompleteReadError) as exc:
            kinds[type(exc).__name__] += 1
            return
        latencies.append(time.perf_counter() - scheduled)
        if status >= 300:
            kinds[str(status)] += 1
        idle.append((conn, time.perf_counter()))

    tasks = []
    t0 = time.perf_counter()
    for i in range(int(rate * seconds)):
        scheduled = t0 + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(paths[i % len(paths)], scheduled)))
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    for conn, _ in idle:
        conn.close()
    return {**summarize(latencies, sum(kinds.values()), time.perf_counter() - t0), "error_kinds": dict(kinds)}


def summarize(latencies: list[float], errors: int, elapsed: float) -> dict:
    ms = sorted(x * 1000 for x in latencies)
    pct = (lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]) if ms else (lambda q: float("nan"))
    return {"requests": len(ms), "errors": errors, "rps": len(ms) / elapsed, "p50_ms": pct(0.50),
            "p99_ms": pct(0.99), "mean_ms": statistics.fmean(ms) if ms else float("nan")}


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
    api = start_api(args.port, env, log)
    try:
        # warm up: every customer's first request loads caches that a steady server already holds
        asyncio.run(closed_loop_py(args.port, matches, headers, clients=4, seconds=5))

        def closed(paths: list[str]) -> dict:
            if use_wrk:
                return closed_loop_wrk(args.port, paths, headers, clients=args.clients, seconds=args.seconds,
                                       threads=args.threads)
            return asyncio.run(closed_loop_py(args.port, paths, headers, clients=args.clients, seconds=args.seconds))

        results = {"whoami": closed(["/whoami"]), "matches": closed(matches)}
        results["open_matches"] = asyncio.run(open_loop(args.port, matches, headers, rate=args.rate,
                                                        seconds=args.open_seconds))
    finally:
        api.terminate()
        api.wait(timeout=30)

    tool = "wrk" if use_wrk else "asyncio client"
    print(f"\n/matches cycles over {len(matches)} customers "
          f"({'all eligible, cold starts included' if args.include_cold else 'with batch suggestions'})")
    print(f"closed loop ({args.clients} clients, {args.seconds:.0f} s each, {tool}); "
          f"open loop {args.rate:.0f} req/s for {args.open_seconds:.0f} s")
    for name, r in results.items():
        print(f"  {name:13s} {r['requests']:7d} req  {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.2f} ms  "
              f"p99 {r['p99_ms']:7.2f} ms  errors {r['errors']} {r.get('error_kinds') or ''}")
    ratio = results["matches"]["rps"] / results["whoami"]["rps"]
    p99 = results["open_matches"]["p99_ms"]
    print(f"  matches/whoami throughput ratio {ratio:.2f} (target >= 0.5): {'PASS' if ratio >= 0.5 else 'MISS'}")
    print(f"  open-loop p99 {p99:.2f} ms at {args.rate:.0f} req/s (target <= 20 ms): {'PASS' if p99 <= 20 else 'MISS'}")
    print(json.dumps({"customers": args.customers, "ratio": ratio, **results}))


if __name__ == "__main__":
    main()
