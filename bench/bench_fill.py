"""Filling a template as a whole process, against the bare interpreter and against openpyxl's load and save.

    .venv/bin/python bench/bench_fill.py [--repeat 9]

openpyxl load + save of the same template is the naive way to write into it (and
the one that loses charts, images and buttons); it is timed as a yardstick only.
A kommun's own "Månadsuppföljning" (tests/template_corpus.py, tkr, formulas and a
Summa row) is filled as a whole process too. In the same run, in one process: the
fill with and without computing the formulas' stored values (what previews show),
to give that step's own cost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
W = ROOT / "workbooks"

from bench.timing import interleaved_medians  # noqa: E402


def in_process(args: list[str], repeat: int) -> tuple[float, float]:
    """Median seconds of ``vpexcel.cli.main(args)`` with and without the stored-value computation, interleaved."""
    import contextlib
    import io
    import statistics
    import time

    import vpexcel.fill as fill
    from vpexcel.cli import main as cli
    from vpexcel.formula_eval import Recalculated

    real = fill.recalculate
    times: dict[bool, list[float]] = {True: [], False: []}
    with contextlib.redirect_stdout(io.StringIO()):
        cli(args)  # warm: imports and first reads
    for _ in range(repeat):
        for computed in (True, False):
            fill.recalculate = real if computed else (lambda sheet, filled: Recalculated())  # type: ignore[assignment]
            t = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                cli(args)
            times[computed].append(time.perf_counter() - t)
    fill.recalculate = real
    return statistics.median(times[True]), statistics.median(times[False])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument(
        "--against",
        type=Path,
        help="a checkout of an earlier commit (git archive COMMIT | tar -x -C DIR): its fill of the delårsrapport is timed too",
    )
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
    from tests.template_corpus import monthly_followup

    own = monthly_followup(out / "manadsuppfoljning.xlsx", "tkr")
    kommun = [*ours[:2], str(own), *ours[3:14], str(out / "manadsuppfoljning-ifylld.xlsx")]
    cases = {"bare": bare, "naive": naive, "ours": ours, "kommun": kommun}
    if args.against:
        cases["before"] = [
            "env",
            f"PYTHONPATH={args.against}",
            sys.executable,
            "-m",
            "vpexcel",
            *ours[1:-1],
            str(out / "before.xlsx"),
        ]
    medians = interleaved_medians(cases, args.repeat)
    b, n, o, k = medians["bare"], medians["naive"], medians["ours"], medians["kommun"]
    print(f"python -c pass:                       {b:.3f} s")
    print(f"openpyxl load + save of the template: {n:.3f} s")
    print(f"vpexcel fill (delårsrapport), whole process: {o:.3f} s  ({o / n:.2f}x openpyxl load+save)")
    print(f"vpexcel fill (a kommun's Månadsuppföljning, tkr), whole process: {k:.3f} s")
    if args.against:
        print(f"the same fill from {args.against}: {medians['before']:.3f} s  (now {o / medians['before']:.2f}x that)")
    with_values, without = in_process(ours[1:], args.repeat)
    print(
        f"in one process, delårsrapport: {with_values * 1000:.1f} ms with the stored values computed, "
        f"{without * 1000:.1f} ms without ({(with_values - without) * 1000:+.1f} ms)"
    )


if __name__ == "__main__":
    main()
