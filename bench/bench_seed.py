"""Benchmark the sample-bank generator: wall time, peak memory and output size for N customers.

    .venv/bin/python bench/bench_seed.py --customers 1000000
"""

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from graph.seed import generate_bank


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None, help="keep the files here (default: a temp folder, removed)")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="icrm-bench-seed-"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    stats = generate_bank(customers=args.customers, seed=args.seed, out=out)
    seconds = time.perf_counter() - t
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux reports KiB
    size = sum(p.stat().st_size for p in out.glob("*.csv"))
    report = {"customers": args.customers, "seconds": round(seconds, 2), "rows": stats.rows,
              "total_rows": sum(stats.rows.values()), "rows_per_s": round(sum(stats.rows.values()) / seconds),
              "peak_rss_mib": round(peak_kib / 1024, 1), "rss_before_mib": round(before / 1024, 1),
              "csv_mib": round(size / 2**20, 1)}
    print(json.dumps(report, indent=1))
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
