"""Click to result: what one click on Validera costs as a whole process, on the sample workbook.

    .venv/bin/python bench/bench_click.py [--repeat 9]

A click starts a process that imports xlwings, gets the calling book and runs the
button. Without Excel the book comes from xlwings' remote engine (the workbook's
values as a JSON payload, as Excel would hand them over); the button code is the
same. Yardsticks in the same run: the bare interpreter, the interpreter importing
xlwings, and the command line validating the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLICK = """
import json, os, sys
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw
book = xw.Book(json=json.load(open(sys.argv[1], encoding="utf-8")))
book.set_mock_caller()
import vpexcel.excel as vp
vp.validate()
assert any(a["func"] == "alert" for a in book.json()["actions"])
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    from bench.timing import interleaved_medians
    from tests.test_excel import payload

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    book = ROOT / "workbooks" / "budget-2024-med-fel.xlsx"
    data = out / "click-payload.json"
    data.write_text(json.dumps(payload(book), ensure_ascii=False), encoding="utf-8")
    py = sys.executable
    cases = {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import xlwings'": [py, "-c", "import xlwings"],
        "vpexcel validate (command line)": [str(ROOT / ".venv" / "bin" / "vpexcel"), "validate", str(book), "--format", "json"],
        "click on Validera (xlwings book + button)": [py, "-c", CLICK, str(data)],
    }
    # exit code 1 is right for the command line: the mistakes sample has errors
    for name, seconds in interleaved_medians(cases, args.repeat, ok=(0, 1)).items():
        print(f"{name:45s} {seconds:.3f} s")


if __name__ == "__main__":
    main()
