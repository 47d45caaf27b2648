"""Peak memory and time: hostile .xls/.ods files read by python-calamine alone, and by vpexcel (which
refuses them before calamine builds them), against validating the sample budget (the yardstick),
each in a fresh process, all in the same run.

Run: `.venv/bin/python bench/bench_legacy_hostile.py [NAME ...]` (names of scripts/make_hostile.py's
builders; all of this bench's files when none). Needs about 8 GB free for calamine alone.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 8 * 1024**3  # address space for the calamine-only runs: an allocation beyond it aborts

CALAMINE = """
import json, resource, sys, time
import python_calamine as pc
t = time.perf_counter()
try:
    book = pc.CalamineWorkbook.from_path(sys.argv[1])
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    what = "read"
except BaseException as exc:
    what = type(exc).__name__
print(json.dumps([what, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))
"""

VPEXCEL = """
import json, resource, sys, time
t = time.perf_counter()
from vpexcel.cli import main
rc = main(["validate", sys.argv[1], "--ingen-historik", "--format", "json"])
print(json.dumps([f"exit {rc}", time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]), file=sys.stderr)
"""


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def measure(code: str, path: Path, limited: bool) -> tuple[str, float, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_limit if limited else None,
    )
    for line in reversed((done.stdout + "\n" + done.stderr).splitlines()):
        if line.startswith('["'):
            what, secs, mb = json.loads(line)
            return what, secs, mb
    return f"killed ({done.returncode})", float("nan"), float("nan")


def main() -> None:
    spec = importlib.util.spec_from_file_location("make_hostile", ROOT / "scripts" / "make_hostile.py")
    assert spec and spec.loader
    hostile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hostile)
    folder = Path(tempfile.mkdtemp())
    yard = measure(VPEXCEL, ROOT / "workbooks" / "budget-2024.xlsx", False)
    print(f"yardstick: validate budget-2024.xlsx {yard[1]:.2f} s, {yard[2]:.0f} MB")
    print("| file | calamine alone | MB | s | vpexcel validate | MB | x yardstick MB | s | x yardstick s |")
    print("|---|---|---|---|---|---|---|---|---|")
    names = ["xls", "ods", "xls_far_cell", "xls_macro_sheet_far_cell", "xls_lying_dimensions", "ods_repeated_values"]
    names += ["ods_many_tables", "xls_shared_substream", "xls_mulrk_claims", "xls_cell_after_chart"]
    for name in sys.argv[1:] or names:
        path = hostile.BUILDERS[name](folder)
        cal = measure(CALAMINE, path, True)
        vp = measure(VPEXCEL, path, False)
        print(
            f"| {name} | {cal[0]} | {cal[2]:.0f} | {cal[1]:.2f} | {vp[0]} | {vp[2]:.0f} | {vp[2] / yard[2]:.2f}x "
            f"| {vp[1]:.2f} | {vp[1] / yard[1]:.2f}x |"
        )


if __name__ == "__main__":
    main()
