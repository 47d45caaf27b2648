"""Reconciling a 1,000,000-line ledger, as a whole process, against DuckDB doing the same group-by.

    .venv/bin/python bench/bench_reconcile.py [--lines 1000000] [--repeat 5]

Needs the bench extra (``pip install -e '.[bench]'``) for DuckDB, the yardstick only.
Both are timed as whole processes (interpreter start to exit), interleaved, median
of ``repeat``; peak memory is the child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DUCKDB = """
import duckdb, sys
rows = duckdb.sql('''
SELECT Ansvar, substr(Konto, 1, 1) AS klass, coalesce(Motpart, '') IN ('1','2','3','4') AS intern,
       Period, sum(Belopp) AS belopp, count(*) AS rader
FROM read_csv(?, delim=';', decimal_separator=',', header=true, ignore_errors=true,
              types={'Period':'VARCHAR','Ansvar':'VARCHAR','Konto':'VARCHAR','Motpart':'VARCHAR','Belopp':'DOUBLE'})
GROUP BY ALL
''', params=[sys.argv[1]]).fetchall()
print(len(rows))
"""

MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def ledger(path: Path, lines: int) -> Path:
    if path.exists():
        return path
    from vpexcel.samples import ledger_rows, write_ledger_csv

    fixed = 2 * len(ledger_rows(scale=1)) - len(ledger_rows(scale=2))  # lines that do not grow with scale
    per_unit = len(ledger_rows(scale=1)) - fixed
    rows = ledger_rows(scale=max(1, math.ceil((lines - fixed) / per_unit)))
    return write_ledger_csv(path, rows)


def measure(cmd: list[str]) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    csv = ledger(out / f"huvudbok-{args.lines}.csv", args.lines)
    n_lines = sum(1 for _ in csv.open("rb")) - 1
    exe = str(ROOT / ".venv" / "bin" / "vpexcel")
    budget = str(ROOT / "workbooks" / "budget-2024.xlsx")
    ours = [
        exe,
        "reconcile",
        budget,
        str(csv),
        "--period",
        "2024-04",
        "--format",
        "json",
        "--output",
        str(out / "avstamning.json"),
    ]
    theirs = [sys.executable, "-c", DUCKDB, str(csv)]
    t_ours, t_duck, m_ours, m_duck = [], [], [], []
    for _ in range(args.repeat):
        t, m = measure(theirs)
        t_duck.append(t)
        m_duck.append(m)
        t, m = measure(ours)
        t_ours.append(t)
        m_ours.append(m)
    d, o = statistics.median(t_duck), statistics.median(t_ours)
    print(f"ledger: {n_lines} lines, {csv.stat().st_size / 1e6:.0f} MB")
    print(f"DuckDB group-by, whole process (yardstick): {d:.2f} s, peak {max(m_duck) / 1024:.0f} MiB")
    print(f"vpexcel reconcile, whole process:          {o:.2f} s, peak {max(m_ours) / 1024:.0f} MiB, ratio {o / d:.2f}x")


if __name__ == "__main__":
    main()
