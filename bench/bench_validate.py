"""Validation speed against python-calamine reading the same workbook, in one run.

    .venv/bin/python bench/bench_validate.py [--sheets 50] [--rows 2000] [--repeat 5]

1. A generated workbook of SHEETS sheets x ROWS rows (an area's account groups per
   sheet, with SUM subtotals and a Resultat formula): the median time of
   python-calamine alone reading every sheet (the yardstick), and of a whole
   vpexcel validation (reading included), in this process.
2. The sample workbook as a whole process (`vpexcel validate ... --format json`),
   against the bare interpreter start (`python -c pass`) as the yardstick.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def generate(path: Path, sheets: int, rows: int) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    half = rows // 2
    for s in range(sheets):
        ws = wb.add_worksheet(f"Område {s + 1}")
        ws.write_row(0, 0, [f"Område {s + 1} – budget 2024 (tkr)"])
        ws.write_row(2, 0, ["Kontogrupp", "Budget 2023", "Budget 2024", "Utfall 2024", "Prognos 2024"])
        r = 3
        totals = [0.0] * 4
        for i in range(half):
            vals = [float(100 + (i * 7 + s) % 900), float(110 + (i * 5 + s) % 900), float(40 + i % 300), float(105 + i % 700)]
            ws.write_row(r, 0, [f"Intäkt {i + 1}", *vals])
            totals = [a + b for a, b in zip(totals, vals, strict=True)]
            r += 1
        rev_row = r
        ws.write(r, 0, "Summa intäkter")
        for c in range(4):
            ws.write_formula(r, c + 1, f"=SUM({chr(66 + c)}4:{chr(66 + c)}{r})", None, totals[c])
        r += 1
        first = r
        ctotals = [0.0] * 4
        for i in range(rows - half):
            vals = [
                -float(120 + (i * 3 + s) % 800),
                -float(130 + (i * 11 + s) % 800),
                -float(50 + i % 250),
                -float(125 + i % 650),
            ]
            ws.write_row(r, 0, [f"Kostnad {i + 1}", *vals])
            ctotals = [a + b for a, b in zip(ctotals, vals, strict=True)]
            r += 1
        cost_row = r
        ws.write(r, 0, "Summa kostnader")
        for c in range(4):
            ws.write_formula(r, c + 1, f"=SUM({chr(66 + c)}{first + 1}:{chr(66 + c)}{r})", None, ctotals[c])
        r += 1
        ws.write(r, 0, "Resultat")
        for c in range(4):
            col = chr(66 + c)
            ws.write_formula(r, c + 1, f"={col}{rev_row + 1}+{col}{cost_row + 1}", None, totals[c] + ctotals[c])
    wb.close()
    return path


def generate_konto(path: Path, sheets: int, rows: int) -> Path:
    """Account rows with their own columns: Konto, Benämning, Brutto intäkt, Brutto kostnad, Budgeterat resultat
    (a formula per row) and a Totalt row of SUMs, one sheet per enhet."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for s in range(sheets):
        ws = wb.add_worksheet(f"Enhet {s + 1}")
        ws.write_row(0, 0, [f"Enhet {s + 1} – budget 2024 per konto (tkr)"])
        ws.write_row(2, 0, ["Konto", "Benämning", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"])
        totals = [0.0, 0.0, 0.0]
        for i in range(rows):
            r = 3 + i
            revenue = float((i * 7 + s) % 400) if i % 3 == 0 else 0.0
            cost = -float(100 + (i * 11 + s) % 900)
            ws.write_string(r, 0, str(3000 + i if i % 3 == 0 else 4000 + i))
            ws.write_string(r, 1, f"Konto {i + 1}")
            ws.write_number(r, 2, revenue)
            ws.write_number(r, 3, cost)
            ws.write_formula(r, 4, f"=C{r + 1}+D{r + 1}", None, revenue + cost)
            totals = [totals[0] + revenue, totals[1] + cost, totals[2] + revenue + cost]
        r = 3 + rows
        ws.write_string(r, 1, "Totalt")
        for c in range(3):
            col = chr(67 + c)
            ws.write_formula(r, 2 + c, f"=SUM({col}4:{col}{r})", None, totals[c])
    wb.close()
    return path


def generate_unknown(path: Path, sheets: int, rows: int) -> Path:
    """Rows that all name an area no settings know ("Verksamhet 17 ..."), net budget per year and a Totalt."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for s in range(sheets):
        ws = wb.add_worksheet(f"Blad {s + 1}")
        ws.write_row(0, 0, [f"Nettobudget del {s + 1} (tkr)"])
        ws.write_row(2, 0, ["Verksamhet", "Budget 2023", "Budget 2024"])
        totals = [0.0, 0.0]
        for i in range(rows):
            vals = [-float(100 + (i * 7 + s) % 900), -float(110 + (i * 5 + s) % 900)]
            ws.write_row(3 + i, 0, [f"Verksamhet {s * rows + i + 1} Norrgården", *vals])
            totals = [a + b for a, b in zip(totals, vals, strict=True)]
        r = 3 + rows
        ws.write_string(r, 0, "Totalt")
        for c in range(2):
            col = chr(66 + c)
            ws.write_formula(r, 1 + c, f"=SUM({col}4:{col}{r})", None, totals[c])
    wb.close()
    return path


SHAPES = {"groups": generate, "konto": generate_konto, "unknown": generate_unknown}


def calamine_only_gc_paused(path: Path) -> int:
    from vpexcel.perf import cyclic_gc_paused

    with cyclic_gc_paused():
        return calamine_only(path)


def calamine_only(path: Path) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in book.sheet_names:
        data = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in data)
    book.close()
    return cells


def vpexcel_validate(path: Path) -> int:
    """What ``vpexcel validate BOOK`` runs: each sheet's tables found while the next is read, then the checks."""
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.validate import SheetMapper, validate

    mapper = SheetMapper()
    return len(validate(read_workbook(path, mapper), mapped=mapper).findings)


CLOCK = time.perf_counter


def median_time(fn, *args, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = CLOCK()
        fn(*args)
        times.append(CLOCK() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=50)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--shape",
        choices=list(SHAPES),
        default="groups",
        help="groups: account groups with subtotals; "
        "konto: Konto/Benämning rows with revenue/cost/net columns; unknown: rows naming no known area",
    )
    ap.add_argument("--no-process", action="store_true", help="skip the whole-process run on the sample")
    ap.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="cpu: the process's CPU time (all its threads), steadier than the wall clock on a shared machine",
    )
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    book = SHAPES[args.shape](out / f"bench-{args.shape}-{args.sheets}x{args.rows}.xlsx", args.sheets, args.rows)
    size = book.stat().st_size / 1e6
    calamine_only(book)
    vpexcel_validate(book)  # warm the imports and the page cache for both
    # interleaved, so drift in the machine's load hits the yardstick and vpexcel alike
    runs: dict[str, list[float]] = {"cal": [], "val": [], "paused": []}
    for _ in range(args.repeat):
        runs["cal"].append(median_time(calamine_only, book, repeat=1))
        runs["val"].append(median_time(vpexcel_validate, book, repeat=1))
        runs["paused"].append(median_time(calamine_only_gc_paused, book, repeat=1))
    t_cal, t_val, t_cal_paused = (statistics.median(runs[k]) for k in ("cal", "val", "paused"))
    print(f"workbook ({args.shape}): {args.sheets} sheets x {args.rows} rows, {size:.1f} MB, findings: {vpexcel_validate(book)}")
    print(f"python-calamine read (yardstick): {t_cal:.3f} s  (median of {args.repeat}, {args.clock} clock)")
    print(f"vpexcel validate (read + checks): {t_val:.3f} s  ratio {t_val / t_cal:.2f}x")
    print(f"python-calamine read, collector paused too: {t_cal_paused:.3f} s  ratio {t_val / t_cal_paused:.2f}x")
    if args.no_process:
        return
    exe = str(ROOT / ".venv" / "bin" / "vpexcel")
    sample = str(ROOT / "workbooks" / "budget-2024.xlsx")
    from bench.timing import interleaved_medians

    medians = interleaved_medians(
        {"py": [sys.executable, "-c", "pass"], "cli": [exe, "validate", sample, "--format", "json"]}, args.repeat * 2
    )
    t_py, t_cli = medians["py"], medians["cli"]
    print(f"python -c pass (yardstick):           {t_py:.3f} s")
    print(f"vpexcel validate sample, whole process: {t_cli:.3f} s  ({t_cli / t_py:.1f}x the bare interpreter)")


if __name__ == "__main__":
    main()
