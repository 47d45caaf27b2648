"""Timing whole processes for the benchmarks: wall clock from start to exit."""

from __future__ import annotations

import statistics
import subprocess
import time


def process_seconds(cmd: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """One run of ``cmd``, output discarded; an exit code outside ``ok`` is a broken benchmark."""
    t = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - t
    if done.returncode not in ok:
        raise RuntimeError(f"{cmd[:3]} exited with {done.returncode}")
    return elapsed


def interleaved_medians(cases: dict[str, list[str]], repeat: int, ok: tuple[int, ...] = (0,)) -> dict[str, float]:
    """Median seconds per case, the cases run in turn so that load drift hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, cmd in cases.items():
            times[name].append(process_seconds(cmd, ok))
    return {name: statistics.median(t) for name, t in times.items()}
