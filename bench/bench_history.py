"""What keeping the history adds to a run: `vpexcel validate` of the sample with and without it.

    .venv/bin/python bench/bench_history.py [--repeat 21]

Whole processes, interleaved (one of each per repetition), medians: the bare
interpreter (yardstick), validate with `--ingen-historik`, and validate keeping
its run in a history file (hashing the workbook, reading the figures per area,
one SQLite transaction). On a loaded machine the difference of two whole
processes is noisy, so the same cost is also timed inside a fresh process:
importing the history modules and recording one validate. The history file grows by one run per repetition, as it
does during a year. Modules are imported from their compiled cache, as in an
installed program. Target: the history adds under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=41)
    args = ap.parse_args()
    from bench.timing import interleaved_medians

    os.environ.pop("VPEXCEL_HISTORIK", None)
    # as an installed program runs: with compiled modules cached (this machine's shell turns the cache off)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    exe = str(ROOT / ".venv" / "bin" / "vpexcel")
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "budget-2024.xlsx"
        shutil.copy(ROOT / "workbooks" / "budget-2024.xlsx", book)
        db = Path(tmp) / "vpexcel-historik.sqlite"
        base = [exe, "validate", str(book), "--format", "json"]
        medians = interleaved_medians(
            {
                "py": [sys.executable, "-c", "pass"],
                "off": [*base, "--ingen-historik"],
                "on": [*base, "--historik", str(db)],
            },
            args.repeat,
        )
        runs = sqlite3.connect(db).execute("SELECT count(*) FROM runs").fetchone()[0]
        inside = [_inside(book, Path(tmp) / "inside.sqlite") for _ in range(args.repeat)]
    t_py, t_off, t_on = medians["py"], medians["off"], medians["on"]
    print(f"python -c pass (yardstick):          {t_py:.3f} s")
    print(f"validate sample, no history:         {t_off:.3f} s")
    print(f"validate sample, history kept:       {t_on:.3f} s  ({runs} runs in the file at the end)")
    print(f"the history adds:                    {(t_on - t_off) * 1000:.0f} ms  (median of {args.repeat})")
    print(f"inside the process, import + record: {statistics.median(inside):.1f} ms  (median of {args.repeat})")


INSIDE = """
import sys, time
from pathlib import Path
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.validate import validate
book = Path(sys.argv[1])
grid = read_workbook(book)
report = validate(grid)
t = time.perf_counter()
from vpexcel.io.history_db import remember
remember("validate", {"budget": book}, 0, book=grid, findings=report.findings, db=Path(sys.argv[2]))
print((time.perf_counter() - t) * 1000)
"""


def _inside(book: Path, db: Path) -> float:
    """Milliseconds that importing the history and recording one validate take, timed inside a fresh process."""
    done = subprocess.run([sys.executable, "-c", INSIDE, str(book), str(db)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


if __name__ == "__main__":
    main()
