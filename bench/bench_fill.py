"""Filling a template as a whole process, against the bare interpreter and against openpyxl's load and save.

    .venv/bin/python bench/bench_fill.py [--repeat 9]

openpyxl load + save of the same template is the naive way to write into it (and
the one that loses charts, images and buttons); it is timed as a yardstick only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
W = ROOT / "workbooks"

from bench.timing import interleaved_medians  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    template = W / "templates" / "delarsrapport-augusti.xlsx"
    exe = str(ROOT / ".venv" / "bin" / "vpexcel")
    ours = [
        exe,
        "fill",
        str(template),
        "--period",
        "2024-08",
        "--budget",
        str(W / "budget-2024.xlsx"),
        "--ledger",
        str(W / "huvudbok-2024.csv"),
        "--forecast",
        str(W / "prognos-2024.xlsx"),
        "--indicators",
        str(W / "kolada-1441.json"),
        "--output",
        str(out / "delar.xlsx"),
    ]
    bare = [sys.executable, "-c", "pass"]
    naive = [
        sys.executable,
        "-c",
        f"import openpyxl; openpyxl.load_workbook({str(template)!r}).save({str(out / 'naive.xlsx')!r})",
    ]
    medians = interleaved_medians({"bare": bare, "naive": naive, "ours": ours}, args.repeat)
    b, n, o = medians["bare"], medians["naive"], medians["ours"]
    print(f"python -c pass:                       {b:.3f} s")
    print(f"openpyxl load + save of the template: {n:.3f} s")
    print(f"vpexcel fill (delårsrapport), whole process: {o:.3f} s  ({o / n:.2f}x openpyxl load+save)")


if __name__ == "__main__":
    main()
