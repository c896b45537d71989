"""Benchmark `icrm load` against Neo4j's own `LOAD CSV ... CALL {...} IN TRANSACTIONS` on the same files.

Seeds a bank (default 100,000 customers), wipes the database that the settings point at (it asks for `--wipe`
when the graph holds data), loads with the loader's code path, measures rows/s and peak resident memory of this
process and of the local Neo4j server, then wipes and loads the same files with LOAD CSV (copied into the server's
import folder) and prints both and the ratio (target: ours >= 1.0x). Starts the local server if it is not running.
Each run also reports the CPU seconds of both processes: the loader keeps two write transactions in flight and
checks rows in Python meanwhile, so it needs spare cores to win, while LOAD CSV runs on one server thread; on a
machine other work keeps busy, compare the CPU seconds as well as the wall time. `--writers 1` runs the loader
with one transaction at a time.

    .venv/bin/python bench/bench_load.py --customers 10000 --wipe
"""

import argparse
import json
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil

from graph import server
from graph.cypher import query
from graph.db import driver_session
from graph.loader import DEFAULT_WRITERS, LOAD_ORDER, load_folder
from graph.migrate import migrate
from graph.seed import generate_bank
from graph.settings import get_settings


class PeakRss:
    """Samples the resident memory of some processes in a thread and keeps the peak of each."""

    def __init__(self, pids: dict[str, int | None], every_s: float = 0.2) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items() if pid}
        self.peak = {name: 0 for name in self.procs}
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, proc in self.procs.items():
                try:
                    self.peak[name] = max(self.peak[name], proc.memory_info().rss)
                except psutil.Error:
                    pass
            self._stop.wait(self.every_s)

    def __enter__(self) -> "PeakRss":
        self.cpu_start = {name: _cpu(proc) for name, proc in self.procs.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def mib(self) -> dict[str, float]:
        return {name: round(v / 2**20, 1) for name, v in self.peak.items()}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time each process used since `__enter__`: on a shared machine it drifts less than wall time."""
        return {name: round(_cpu(proc) - self.cpu_start[name], 1) for name, proc in self.procs.items()}


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def count_graph(driver) -> dict[str, int]:  # noqa: ANN001 - a neo4j Driver
    nodes = driver.execute_query("MATCH (n) WHERE NOT n:_Migration RETURN count(n) AS n")[0][0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n")[0][0]["n"]
    return {"nodes": nodes, "relationships": rels}


def wipe(driver) -> None:  # noqa: ANN001
    with driver.session() as session:
        for step in ("bench/wipe_relationships", "bench/wipe_nodes"):
            session.run(query(step)).consume()


def load_ours(driver, folder: Path, var_dir: Path, batch_size: int, writers: int,  # noqa: ANN001
              neo4j_pid: int | None) -> dict:
    """The `icrm load` code path."""
    with PeakRss({"python": psutil.Process().pid, "neo4j": neo4j_pid}) as mem:
        t = time.perf_counter()
        result = load_folder(driver, folder=folder, report_path=var_dir / "bench-load-report.csv",
                             batch_size=batch_size, writers=writers)
        seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 2), "peak_rss_mib": mem.mib(), "cpu_s": mem.cpu_seconds(),
            "rejected": result.rejected,
            "seconds_per_file": {f.file: round(f.seconds, 2) for f in result.files.values()}}


def load_theirs(driver, batch_size: int, neo4j_pid: int | None) -> dict:  # noqa: ANN001
    """Neo4j's LOAD CSV ... CALL { ... } IN TRANSACTIONS, file by file from the server's import folder."""
    per_file = {}
    with PeakRss({"python": psutil.Process().pid, "neo4j": neo4j_pid}) as mem, driver.session() as session:
        t = time.perf_counter()
        for kind in LOAD_ORDER:
            t_file = time.perf_counter()
            # LOAD CSV ... IN TRANSACTIONS must run in an implicit (auto-commit) transaction
            session.run(query(f"bench/load_csv_{kind.value}"), url=f"file:///{kind.value}.csv",
                        batch=batch_size).consume()
            per_file[f"{kind.value}.csv"] = round(time.perf_counter() - t_file, 2)
        seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 2), "peak_rss_mib": mem.mib(), "cpu_s": mem.cpu_seconds(),
            "seconds_per_file": per_file}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--writers", type=int, default=DEFAULT_WRITERS, help="loader transactions in flight at once")
    ap.add_argument("--out", type=Path, default=None, help="where the seeded files go (default var/bench-load-N)")
    ap.add_argument("--wipe", action="store_true", help="allow wiping a database that holds data")
    ap.add_argument("--rounds", type=int, default=2, help="runs of each method, alternating; the best counts")
    args = ap.parse_args()
    settings = get_settings()
    folder = args.out or settings.var_dir / f"bench-load-{args.customers}"
    if not (folder / "customers.csv").exists():
        t = time.perf_counter()
        generate_bank(customers=args.customers, seed=args.seed, out=folder)
        print(f"seeded {args.customers:,} customers into {folder} in {time.perf_counter() - t:.1f} s")
    rows = {f"{k.value}.csv": sum(1 for _ in (folder / f"{k.value}.csv").open(encoding="utf-8")) - 1
            for k in LOAD_ORDER}
    total_rows = sum(rows.values())
    server.start(settings)  # idempotent: the running server, or a started one
    neo4j_pid = server.status(settings).pid
    with driver_session(settings) as driver:
        migrate(driver)
        if count_graph(driver)["nodes"] and not args.wipe:
            print("the database holds data; rerun with --wipe to let the benchmark delete it", file=sys.stderr)
            return 1
        import_dir = settings.neo4j_home / "import"
        import_dir.mkdir(parents=True, exist_ok=True)
        for name in rows:
            shutil.copyfile(folder / name, import_dir / name)
        runs: dict[str, list[dict]] = {"icrm_load": [], "load_csv": []}
        # alternate the order each round: on a shared machine the load drifts, so compare the best of each
        for rnd in range(args.rounds):
            order = ("icrm_load", "load_csv") if rnd % 2 == 0 else ("load_csv", "icrm_load")
            for method in order:
                wipe(driver)
                run = (load_ours(driver, folder, settings.var_dir, args.batch_size, args.writers, neo4j_pid)
                       if method == "icrm_load"
                       else load_theirs(driver, args.batch_size, neo4j_pid))
                run.update(rows_per_s=round(total_rows / run["seconds"]), **count_graph(driver))
                runs[method].append(run)
                print(f"round {rnd + 1} {method}: {run}", flush=True)
    best = {m: min(rs, key=lambda r: r["seconds"]) for m, rs in runs.items()}
    report = {"customers": args.customers, "rows": rows, "total_rows": total_rows, "batch_size": args.batch_size, "writers": args.writers,
              "rounds": args.rounds, "best": best, "all_runs": runs,
              "ratio_ours_over_load_csv": round(best["load_csv"]["seconds"] / best["icrm_load"]["seconds"], 2),
              "cpu_count": psutil.cpu_count(), "load_average": [round(x, 2) for x in psutil.getloadavg()]}
    print(json.dumps(report, indent=1))
    out = settings.var_dir / f"bench-load-{args.customers}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
