"""What reading the history costs a fill and a reconciliation: prognosutveckling and the previous run.

    .venv/bin/python bench/bench_history_read.py [--runs 300] [--repeat 15]

A history of a busy year is built from real runs of the samples (one validate, one
reconcile, one fill, each kept through the command line), copied to ``--runs`` runs:
a fifth fills, half reconciliations, the rest validations, spread over the months.
Then, each in a fresh process with the settings module loaded (as every command has it
before it reads the history), timed from importing the history module: ``forecast_development_for``
(what ``vpexcel fill`` reads for the Prognosutveckling table) and ``previous_run_for``
(what ``vpexcel reconcile --format xlsx`` reads for "samma period vid förra
avstämningen"). Yardstick, in the same fresh processes: reading and validating the
sample budget (``read_workbook`` + ``validate``). Medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READ = """
import sys, time
from pathlib import Path
from vpexcel.settings import default_settings  # every command has the settings loaded before it reads the history
budget, db, what = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
from vpexcel.io import history_db
if what == "development":
    got = history_db.forecast_development_for(default_settings(), budget, 2024, db)
    assert got is not None and got.periods
elif what == "previous":
    got = history_db.previous_run_for(default_settings(), budget, "reconcile", "2024-04", db)
    assert got is not None
else:
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.validate import validate
    validate(read_workbook(budget))
print((time.perf_counter() - t) * 1000)
"""


def _ms(budget: Path, db: Path, what: str) -> float:
    done = subprocess.run([sys.executable, "-c", READ, str(budget), str(db), what], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def build_history(folder: Path, runs: int) -> Path:
    """A history of ``runs`` runs copied from one real validate, reconcile and fill of the samples."""
    from vpexcel.cli import main as cli
    from vpexcel.io.history_db import load_runs, save_run

    wb = ROOT / "workbooks"
    budget, ledger = folder / "budget-2024.xlsx", wb / "huvudbok-2024.csv"
    shutil.copy(wb / "budget-2024.xlsx", budget)
    seed = folder / "seed.sqlite"
    quiet = ["--historik", str(seed)]
    cli(["validate", str(budget), "--format", "json", *quiet])
    cli(["reconcile", str(budget), str(ledger), "--period", "2024-04", "--format", "json", *quiet])
    cli(
        [
            "fill", str(wb / "templates" / "tertialrapport-april.xlsx"), "--period", "2024-04", "--budget", str(budget),
            "--ledger", str(ledger), "--forecast", str(wb / "prognos-2024.xlsx"), "--date", "2024-05-15",
            "--output", str(folder / "ut.xlsx"), *quiet,
        ]
    )  # fmt: skip
    check, rec, fill = load_runs(seed)
    db = folder / "vpexcel-historik.sqlite"
    for i in range(runs):
        month = 1 + i * 12 // runs
        template = fill if i % 5 == 0 else rec if i % 2 else check
        template.id = None
        template.when = f"2024-{month:02d}-{1 + i % 28:02d}T09:{i % 60:02d}:00+01:00"
        if template.command != "validate":
            template.period = f"2024-{max(1, month - 1):02d}"
        save_run(db, template)
    return db


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    os.environ.pop("VPEXCEL_HISTORIK", None)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed program runs: compiled modules cached
    sys.stdout, real = open(os.devnull, "w"), sys.stdout  # noqa: SIM115 (the seed runs print their results)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            db = build_history(Path(tmp), args.runs)
        finally:
            sys.stdout.close()
            sys.stdout = real
        budget = Path(tmp) / "budget-2024.xlsx"
        times: dict[str, list[float]] = {"validate": [], "development": [], "previous": []}
        for _ in range(args.repeat):
            for what in times:
                times[what].append(_ms(budget, db, what))
        size = db.stat().st_size
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"history: {args.runs} runs, {size / 1e6:.1f} MB")
    print(f"read + validate the sample (yardstick): {med['validate']:.0f} ms")
    for what, label in (("development", "prognosutveckling (fill)"), ("previous", "previous run (reconcile)")):
        print(f"{label:<40}{med[what]:.0f} ms  ({med[what] / med['validate']:.2f}x the yardstick)")


if __name__ == "__main__":
    main()
