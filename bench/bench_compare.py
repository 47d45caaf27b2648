"""`vpexcel jämför` of two large versions against one validation of one of them, in one run.

    .venv/bin/python bench/bench_compare.py [--sheets 50] [--rows 2000] [--repeat 5]

The old version is bench_validate's generated workbook (SHEETS sheets x ROWS rows of
account groups with SUM subtotals and a Resultat formula). The new version is a copy
with changes written into it: one figure per sheet, two row labels swapped on every
fifth sheet (rows that moved), a label renamed on every tenth. Timed in this
process, interleaved, medians: a whole validation of the new version (reading
included, the yardstick) and a whole comparison as `vpexcel jämför` runs it
(each version read and its tables found in its own thread, the comparison, the
changes in Swedish). Target: at most 3x the yardstick.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_new_version(old: Path, new: Path, sheets: int) -> Path:
    from vpexcel.io.xlsx_patch import patch_workbook

    updates: dict[str, dict[tuple[int, int], object]] = {}
    for s in range(sheets):
        cells: dict[tuple[int, int], object] = {(10 + s, 2): 12345.0}  # a figure (Budget 2024) changed
        if s % 5 == 0:
            cells[(20, 0)], cells[(21, 0)] = "Intäkt 19", "Intäkt 18"  # two rows swapped by their labels
        if s % 10 == 0:
            cells[(30, 0)] = "Intäkt 28 (omdöpt)"
        updates[f"Område {s + 1}"] = cells
    return patch_workbook(old, new, updates)  # type: ignore[arg-type]


def validate_one(path: Path) -> int:
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.validate import validate

    return len(validate(read_workbook(path)).findings)


def compare_two(old: Path, new: Path) -> int:
    from vpexcel.compare import text_lines
    from vpexcel.io.compare_xlsx import compare_paths
    from vpexcel.perf import cyclic_gc_paused

    with cyclic_gc_paused():
        comp = compare_paths(old, new)
        text_lines(comp)
    return len(comp.changes)


def main() -> None:
    from bench.bench_validate import generate

    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=50)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    old = generate(out / f"bench-{args.sheets}x{args.rows}.xlsx", args.sheets, args.rows)
    new = make_new_version(old, out / f"bench-{args.sheets}x{args.rows}-ny.xlsx", args.sheets)
    validate_one(new)
    changes = compare_two(old, new)  # warm the imports and the page cache
    runs: dict[str, list[float]] = {"val": [], "cmp": []}
    for _ in range(args.repeat):
        for name, fn, fargs in (("val", validate_one, (new,)), ("cmp", compare_two, (old, new))):
            t = time.perf_counter()
            fn(*fargs)  # type: ignore[operator]
            runs[name].append(time.perf_counter() - t)
    t_val, t_cmp = statistics.median(runs["val"]), statistics.median(runs["cmp"])
    print(f"workbooks: {args.sheets} sheets x {args.rows} rows, {old.stat().st_size / 1e6:.1f} MB each; {changes} changes found")
    print(f"vpexcel validate, one version (yardstick): {t_val:.3f} s  (median of {args.repeat})")
    print(f"vpexcel jämför, both versions:            {t_cmp:.3f} s  ratio {t_cmp / t_val:.2f}x")


if __name__ == "__main__":
    main()
