"""Load generators for the API benchmark: wrk for closed loops, a lean asyncio HTTP/1.1 client for both loops.

The asyncio client speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to cost the server's
machine little CPU; its open loop sends at fixed instants and measures from them (no coordinated omission).
"""

import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter

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


async def each_once(port: int, paths: list[str], headers: dict[str, str], *, clients: int) -> dict:
    """Every path exactly once, `clients` at a time: a server's cold path (nothing remembered yet)."""
    latencies: list[float] = []
    errors = 0
    queue = list(reversed(paths))

    async def client() -> None:
        nonlocal errors
        conn = await Connection.open(port)
        while queue:
            path = queue.pop()
            t0 = time.perf_counter()
            status = await conn.get(path, headers)
            latencies.append(time.perf_counter() - t0)
            errors += status >= 300
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
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
