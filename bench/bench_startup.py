"""Start-up of the packaged program: `vpexcel --version`, one folder (shipped) against one file.

    .venv/bin/python bench/bench_startup.py [--repeat 11]

Needs the one-folder build (python build/build_program.py); builds the one-file
variant itself into build/work/onefile (about a minute). Whole processes, median of
``repeat``, interleaved, with the bare interpreter and `python -m vpexcel --version`
as yardsticks; sizes from the disk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def size_mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    from bench.timing import interleaved_medians
    from vpexcel import __version__

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=11)
    args = ap.parse_args()
    onedir = next((ROOT / "dist").glob(f"vpexcel-{__version__}-*/vpexcel/vpexcel"))
    onefile_dir = ROOT / "build" / "work" / "onefile"
    onefile = onefile_dir / "vpexcel"
    if not onefile.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level",
                "WARN",
                "--distpath",
                str(onefile_dir),
                "--workpath",
                str(ROOT / "build" / "work" / "pyi-onefile"),
                str(ROOT / "build" / "vpexcel.spec"),
            ],
            check=True,
            env={**os.environ, "VPEXCEL_ONEFILE": "1"},
        )
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -m vpexcel --version": [sys.executable, "-m", "vpexcel", "--version"],
        "packaged, one folder: vpexcel --version": [str(onedir), "--version"],
        "packaged, one file: vpexcel --version": [str(onefile), "--version"],
    }
    for name, seconds in interleaved_medians(cases, args.repeat).items():
        print(f"{name:42s} {seconds:.3f} s")
    archive = Path(f"{onedir.parent.parent}.zip")
    zipped = f"{size_mib(archive):.0f} MiB" if archive.exists() else "not built"
    print(f"one folder: {size_mib(onedir.parent):.0f} MiB on disk; the zip users get (with add-in and samples): {zipped}")
    print(f"one file:   {size_mib(onefile):.0f} MiB")


if __name__ == "__main__":
    main()
