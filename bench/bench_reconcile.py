"""Reconciling a large ledger, as a whole process, against DuckDB doing the same group-by.

    .venv/bin/python bench/bench_reconcile.py [--lines 1000000 10000000] [--repeat 5] [--dir /tmp] [--keep]

Needs the bench extra (``pip install -e '.[bench]'``) for DuckDB, the yardstick only.
Both are timed as whole processes (interpreter start to exit), interleaved, median
of ``repeat``; peak memory is the child's maximum resident set size (median and
maximum over the repeats). The ledgers are generated in ``--dir`` (the system's temp
folder by default: 10 million lines are about 550 MB) and deleted afterwards unless
``--keep``; above a million lines the million-line ledger's lines are repeated.
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


BASE_LINES = 1_000_000


def ledger(path: Path, lines: int) -> Path:
    if path.exists():
        return path
    from vpexcel.samples import ledger_rows, write_ledger_csv

    if lines > BASE_LINES:  # the sample generator holds every row in memory: repeat a million-line ledger instead
        base = ledger(path.with_name(f"huvudbok-{BASE_LINES}.csv"), BASE_LINES)
        body = base.read_bytes().split(b"\n", 1)[1]
        with path.open("wb") as fh:
            fh.write(base.read_bytes().split(b"\n", 1)[0] + b"\n")
            for _ in range(math.ceil(lines / BASE_LINES)):
                fh.write(body)
        return path
    fixed = 2 * len(ledger_rows(scale=1)) - len(ledger_rows(scale=2))  # lines that do not grow with scale
    per_unit = len(ledger_rows(scale=1)) - fixed
    rows = ledger_rows(scale=max(1, math.ceil((lines - fixed) / per_unit)))
    return write_ledger_csv(path, rows)


def measure(cmd: list[str]) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def run(csv: Path, repeat: int, out: Path) -> None:
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
    for _ in range(repeat):
        t, m = measure(theirs)
        t_duck.append(t)
        m_duck.append(m)
        t, m = measure(ours)
        t_ours.append(t)
        m_ours.append(m)
    d, o = statistics.median(t_duck), statistics.median(t_ours)
    md, mo = statistics.median(m_duck) / 1024, statistics.median(m_ours) / 1024
    print(f"ledger: {n_lines} lines, {csv.stat().st_size / 1e6:.0f} MB, median of {repeat}")
    print(f"DuckDB group-by, whole process (yardstick): {d:.2f} s, peak {md:.0f} MiB (max {max(m_duck) / 1024:.0f})")
    print(
        f"vpexcel reconcile, whole process:          {o:.2f} s, peak {mo:.0f} MiB (max {max(m_ours) / 1024:.0f}); "
        f"time {o / d:.2f}x, memory {mo / md:.2f}x"
    )


def main() -> None:
    import tempfile

    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, nargs="+", default=[BASE_LINES])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "vpexcel-bench")
    ap.add_argument("--keep", action="store_true", help="keep the generated ledgers")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    try:
        for lines in args.lines:
            csv = args.dir / f"huvudbok-{lines}.csv"
            base = args.dir / f"huvudbok-{BASE_LINES}.csv"
            for p in (csv, base):
                if not p.exists() and p not in made:
                    made.append(p)
            run(ledger(csv, lines), args.repeat, args.dir)
    finally:
        if not args.keep:
            for p in [*made, args.dir / "avstamning.json"]:
                p.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
