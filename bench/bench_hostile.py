"""Hostile files (issue 9) as whole processes: seconds and peak memory against the sample validation.

    .venv/bin/python bench/bench_hostile.py [--repeat 5]

Each file of scripts/make_hostile.py is built into bench/out/hostile/ and run through the
command a user would give (`vpexcel validate FILE --format json`, or the sample budget with
the file as --settings). Yardstick: `vpexcel validate workbooks/budget-2024.xlsx --format json`
in the same run, interleaved. Peak memory is each child's own maximum resident set size
(os.wait4), not the maximum over all children. Targets: every file under 2 s and 300 MB.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "workbooks" / "budget-2024.xlsx"
SETTINGS_FILES = {"nested_json", "many_areas", "infinite_rounding", "areas_2000"}


def _builders() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("make_hostile", ROOT / "scripts" / "make_hostile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.BUILDERS)


def run_once(cmd: list[str]) -> tuple[float, float, int]:
    """Seconds, peak RSS in MiB and exit code of one process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    folder = ROOT / "bench" / "out" / "hostile"
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: build(folder) for name, build in _builders().items()}  # type: ignore[operator]
    areas = folder / "omraden-2000.json"
    areas.write_text(json.dumps({"areas": [{"name": f"Område {i}"} for i in range(2000)]}), encoding="utf-8")
    files["areas_2000"] = areas
    exe = [sys.executable, "-m", "vpexcel", "validate"]
    cases: dict[str, list[str]] = {"sample (yardstick)": [*exe, str(SAMPLE), "--format", "json"]}
    for name, path in files.items():
        if name in SETTINGS_FILES:
            cases[name] = [*exe, str(SAMPLE), "--settings", str(path), "--format", "json"]
        else:
            cases[name] = [*exe, str(path), "--format", "json"]
    seconds: dict[str, list[float]] = {n: [] for n in cases}
    peaks: dict[str, list[float]] = {n: [] for n in cases}
    codes: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, cmd in cases.items():  # interleaved: load drift hits every case alike
            s, mib, rc = run_once(cmd)
            seconds[name].append(s)
            peaks[name].append(mib)
            codes[name] = rc
    base_s = statistics.median(seconds["sample (yardstick)"])
    base_m = statistics.median(peaks["sample (yardstick)"])
    print(f"| file | size | exit | seconds | x sample | peak MiB | x sample |  (median of {args.repeat})")
    print("|---|---|---|---|---|---|---|")
    for name in cases:
        size = SAMPLE.stat().st_size if name.startswith("sample") else files[name].stat().st_size
        s, m = statistics.median(seconds[name]), statistics.median(peaks[name])
        print(f"| {name} | {size / 1024:.1f} KB | {codes[name]} | {s:.2f} s | {s / base_s:.2f}x | {m:.0f} | {m / base_m:.2f}x |")
    worst_s = max(max(v) for v in seconds.values())
    worst_m = max(max(v) for v in peaks.values())
    print(f"slowest single run {worst_s:.2f} s, largest peak {worst_m:.0f} MiB (targets: 2 s, 300 MB)")


if __name__ == "__main__":
    main()
