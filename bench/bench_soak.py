"""Soak: a live uvicorn on a seeded bank, driven at a steady request rate for minutes (issue 5 item 8).

Reports the error rate, latency percentiles (p50/p99, overall and first vs last minute, to show drift) and the
API process's resident memory at start and end. Open loop: requests leave on a fixed schedule whether or not
earlier ones have answered, and latency counts from the scheduled send time, so a stall cannot hide itself.

    .venv/bin/python bench/bench_soak.py                       # 5 minutes at 20 req/s on 1,000 customers
    .venv/bin/python bench/bench_soak.py --minutes 2 --rate 20 --customers 1000 --json

It runs on a throwaway Neo4j of its own (ports --bolt-port/--http-port, data in a temp folder) so it never
touches your data: `icrm seed` and `icrm load` the bank, `icrm train --no-text` (`--text` for MiniLM features)
and `icrm suggest` (skip both with --no-train: matches then come from the cold-start paths), then
`uvicorn app.main:app` on --port. Loopback only.
"""

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph import server  # noqa: E402
from graph.apikeys import create_key  # noqa: E402
from graph.db import make_driver  # noqa: E402
from graph.migrate import migrate  # noqa: E402
from graph.settings import PROJECT_ROOT, get_settings  # noqa: E402
from tests.trust.live_server import LiveApi, dedicated_neo4j_settings, settings_env  # noqa: E402


@dataclass
class Sample:
    at: float  # seconds since the soak began (scheduled send time)
    latency_ms: float
    status: int  # 0 = no HTTP answer (timeout, connection error)
    source: str | None = None  # batch / inductive_model / category_rules (null: not eligible)


@dataclass
class SoakReport:
    minutes: float
    rate: float
    customers: int
    requests: int
    achieved_rate: float
    errors: int
    error_rate: float
    statuses: dict[str, int]
    sources: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    first_minute_p99_ms: float
    last_minute_p99_ms: float
    rss_start_mb: float
    rss_end_mb: float
    rss_max_mb: float
    rss_series_mb: list[float] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def icrm(*args: str, env: dict[str, str]) -> None:
    """Run one `icrm` command the way a user would; stop the bench with its output if it fails."""
    proc = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode not in (0,):
        sys.exit(f"`icrm {' '.join(args)}` failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}")


async def drive(api: LiveApi, *, key: str, customer_ids: list[str], rate: float, seconds: float,
                seed: int) -> tuple[list[Sample], list[float]]:
    """Send GET /customers/{id}/matches at `rate` per second for `seconds`; sample the API's RSS every 5 s."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    rss: list[float] = [api.rss_bytes() / 2**20]
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=api.base_url, headers=headers, timeout=10.0, limits=limits) as client:
        t0 = time.perf_counter()

        async def one(at: float, cid: str) -> None:
            source = None
            try:
                r = await client.get(f"/customers/{cid}/matches", params={"k": 10})
                status = r.status_code
                if status == 200:
                    source = r.json().get("source")
            except httpx.HTTPError:
                status = 0
            samples.append(Sample(at, (time.perf_counter() - t0 - at) * 1000, status, source))

        async def memory() -> None:
            while time.perf_counter() - t0 < seconds:
                await asyncio.sleep(5)
                rss.append(api.rss_bytes() / 2**20)

        sampler = asyncio.create_task(memory())
        tasks = []
        n = int(rate * seconds)
        for i in range(n):
            at = i / rate
            delay = t0 + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(at, rng.choice(customer_ids))))
        await asyncio.gather(*tasks)
        await sampler
    rss.append(api.rss_bytes() / 2**20)
    return samples, rss


def summarise(samples: list[Sample], rss: list[float], *, minutes: float, rate: float, customers: int) -> SoakReport:
    lat = [s.latency_ms for s in samples]
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    sources: dict[str, int] = {}
    for s in samples:
        if s.status == 200:
            sources[str(s.source)] = sources.get(str(s.source), 0) + 1
    errors = sum(1 for s in samples if s.status != 200)
    span = max((s.at for s in samples), default=0.0) or 1.0
    first = [s.latency_ms for s in samples if s.at < 60]
    last = [s.latency_ms for s in samples if s.at >= span - 60]
    return SoakReport(
        minutes=minutes, rate=rate, customers=customers, requests=len(samples),
        achieved_rate=len(samples) / span, errors=errors, error_rate=errors / max(1, len(samples)),
        statuses=statuses, sources=sources, p50_ms=percentile(lat, 50), p90_ms=percentile(lat, 90), p99_ms=percentile(lat, 99),
        max_ms=max(lat, default=float("nan")), first_minute_p99_ms=percentile(first, 99),
        last_minute_p99_ms=percentile(last, 99), rss_start_mb=rss[0], rss_end_mb=rss[-1], rss_max_mb=max(rss),
        rss_series_mb=[round(x, 1) for x in rss],
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--rate", type=float, default=20.0, help="requests per second (open loop)")
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--no-train", action="store_true", help="skip train + suggest (cold-start paths only)")
    p.add_argument("--text", action="store_true", help="train with MiniLM text features (slower)")
    p.add_argument("--port", type=int, default=8079)
    p.add_argument("--bolt-port", type=int, default=7768)
    p.add_argument("--http-port", type=int, default=7769)
    p.add_argument("--heap", default="512m")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (bank, logs, artifacts)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="icrm-soak-"))
    own = dedicated_neo4j_settings(get_settings(), home=work / "neo4j", bolt_port=args.bolt_port,
                                   http_port=args.http_port).model_copy(update={
        "neo4j_heap": args.heap, "artifacts_dir": work / "artifacts", "var_dir": work / "var",
        # the soak measures steady service, not the per-credential throttle
        "rate_limit_per_minute": max(6000, int(args.rate * 60 * 4)),
    })
    env = settings_env(own)
    api = LiveApi(own, port=args.port, log_path=work / "uvicorn.log")
    try:
        print(f"[soak] Neo4j on :{args.bolt_port}, data in {work}", file=sys.stderr)
        server.start(own)
        driver = make_driver(own)
        migrate(driver)
        icrm("seed", "--customers", str(args.customers), "--seed", str(args.seed), "--out", str(work / "bank"), env=env)
        icrm("load", str(work / "bank"), env=env)
        if not args.no_train:
            print("[soak] training and writing suggestions", file=sys.stderr)
            icrm("train", "--epochs", str(args.epochs), "--seed", str(args.seed), "--force",
                 "--text" if args.text else "--no-text", env=env)
            icrm("suggest", env=env)
        records, _, _ = driver.execute_query("MATCH (c:Customer) RETURN c.customer_id AS id ORDER BY id")
        customer_ids = [r["id"] for r in records]
        _, key = create_key(driver, role="admin")
        driver.close()
        api.start()
        print(f"[soak] uvicorn pid {api.pid} on :{args.port}; {args.minutes} min at {args.rate} req/s",
              file=sys.stderr)
        samples, rss = asyncio.run(drive(api, key=key, customer_ids=customer_ids, rate=args.rate,
                                         seconds=args.minutes * 60, seed=args.seed))
        report = summarise(samples, rss, minutes=args.minutes, rate=args.rate, customers=len(customer_ids))
    finally:
        api.stop()
        server.stop(own)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
        return
    print(f"soak: {report.minutes:g} min at {report.rate:g} req/s offered ({report.achieved_rate:.1f} achieved), "
          f"{report.customers} customers, GET /customers/{{id}}/matches")
    print(f"  requests {report.requests}, errors {report.errors} ({report.error_rate:.3%}), statuses {report.statuses}, "
          f"answered from {report.sources}")
    print(f"  latency p50 {report.p50_ms:.1f} ms, p90 {report.p90_ms:.1f} ms, p99 {report.p99_ms:.1f} ms, "
          f"max {report.max_ms:.1f} ms; p99 first minute {report.first_minute_p99_ms:.1f} ms, "
          f"last minute {report.last_minute_p99_ms:.1f} ms")
    print(f"  API resident memory: start {report.rss_start_mb:.1f} MiB, end {report.rss_end_mb:.1f} MiB, "
          f"max {report.rss_max_mb:.1f} MiB (mean {statistics.fmean(report.rss_series_mb):.1f})")


if __name__ == "__main__":
    main()
