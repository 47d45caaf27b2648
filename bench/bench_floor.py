"""Where issue 10's validation time goes, and what compiled code could buy, measured in one run.

Run: `.venv/bin/python bench/bench_floor.py --shape groups|konto|unknown [--repeat 7]`
(the workbooks are bench_validate.py's, made in bench/out/ when missing).

Four figures, timed interleaved (one of each per repetition, median):
- python-calamine reading every sheet (the yardstick of bench_validate.py);
- vpexcel's validation as `vpexcel validate` runs it;
- the same validation with the sheet XML's extent bound and formula scan taken as free
  (their results computed before the clock starts): the best a compiled scanner could do;
- the main thread's CPU per stage when the stages run one after the other on every sheet
  (unzip, extent bound, formula scan, table map, then the checks), and calamine's own CPU.

The last line is the bound no threading or second process can beat on this machine's two
cores: (calamine's CPU + the Python work) / 2.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_validate import SHAPES, calamine_only, vpexcel_validate  # noqa: E402


def _sheet_parts(book: Path) -> list[str]:
    with zipfile.ZipFile(book) as zf:
        return sorted(
            (n for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")),
            key=lambda n: int(n.rsplit("sheet", 1)[1].split(".")[0]),
        )


def stage_cpu(book: Path) -> dict[str, float]:
    """Main-thread CPU per stage, every stage run on each sheet in turn as the reading thread does."""
    import python_calamine

    from vpexcel.grid import SheetGrid, WorkbookGrid
    from vpexcel.io import xlsx_reader
    from vpexcel.perf import cyclic_gc_paused
    from vpexcel.validate import SheetMapper, validate

    clock = time.thread_time
    cal = python_calamine.CalamineWorkbook.from_path(str(book))
    t = clock()
    grids = [cal.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in cal.sheet_names]
    spent = {"calamine (parse and lists)": clock() - t}
    names = cal.sheet_names
    cal.close()
    spent.update({"unzip": 0.0, "extent bound": 0.0, "formula scan": 0.0, "table map": 0.0})
    mapper = SheetMapper()
    sheets = []
    with cyclic_gc_paused(), zipfile.ZipFile(book) as zf:
        for name, part, rows in zip(names, _sheet_parts(book), grids, strict=True):
            t0 = clock()
            data = zf.read(part)
            t1 = clock()
            xlsx_reader.surely_small(data)
            t2 = clock()
            formulas, _errors = xlsx_reader.scan_formulas(data)
            t3 = clock()
            sheet = SheetGrid(name, rows, formulas)
            mapper(sheet)
            t4 = clock()
            sheets.append(sheet)
            for key, took in zip(
                ("unzip", "extent bound", "formula scan", "table map"), (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True
            ):
                spent[key] += took
        t = clock()
        validate(WorkbookGrid(book.name, sheets, {}), mapped=mapper)
        spent["checks"] = clock() - t
    return spent


def scanned_beforehand(book: Path) -> Callable[[], Any]:
    """Validation with the bound and the formula scan answered from results computed before the clock."""
    from vpexcel.io import xlsx_reader

    with zipfile.ZipFile(book) as zf:
        known = {zf.read(part): xlsx_reader.scan_formulas(zf.read(part)) for part in _sheet_parts(book)}

    def run() -> Any:
        real_scan, real_bound = xlsx_reader.scan_formulas, xlsx_reader.surely_small
        xlsx_reader.scan_formulas = known.__getitem__  # type: ignore[assignment]
        xlsx_reader.surely_small = lambda data: True
        try:
            return vpexcel_validate(book)
        finally:
            xlsx_reader.scan_formulas, xlsx_reader.surely_small = real_scan, real_bound

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", choices=list(SHAPES), default="konto")
    ap.add_argument("--sheets", type=int, default=50)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    book = SHAPES[args.shape](out / f"bench-{args.shape}-{args.sheets}x{args.rows}.xlsx", args.sheets, args.rows)
    free = scanned_beforehand(book)
    runs: dict[str, list[float]] = {"calamine": [], "vpexcel": [], "scan free": []}
    jobs = {"calamine": lambda: calamine_only(book), "vpexcel": lambda: vpexcel_validate(book), "scan free": free}
    for job in jobs.values():
        job()  # warm imports and the page cache
    stages: list[dict[str, float]] = []
    for _ in range(args.repeat):
        for key, job in jobs.items():
            t0 = time.perf_counter()
            job()
            runs[key].append(time.perf_counter() - t0)
        stages.append(stage_cpu(book))
    med = {k: statistics.median(v) for k, v in runs.items()}
    cal = med["calamine"]
    print(f"workbook ({args.shape}): {args.sheets} sheets x {args.rows} rows; median of {args.repeat}, interleaved")
    for key, took in med.items():
        print(f"  {key:<40} {took:6.3f} s  {took / cal:5.2f}x calamine")
    print("  main-thread CPU per stage (stages one after the other):")
    stage = {k: statistics.median(s[k] for s in stages) for k in stages[0]}
    for key, took in stage.items():
        print(f"    {key:<38} {took:6.3f} s")
    python = sum(v for k, v in stage.items() if not k.startswith("calamine"))
    two_cores = (python + stage["calamine (parse and lists)"]) / 2
    print(
        f"  Python work in all {python:.3f} s; two-core bound (calamine + Python) / 2 = {two_cores:.3f} s = {two_cores / cal:.2f}x"
    )


if __name__ == "__main__":
    main()
