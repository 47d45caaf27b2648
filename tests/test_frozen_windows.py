"""The Windows program, built here under wine (build/build_windows_wine.sh), against the Python install.

scripts/test.sh builds it where it runs as root (CI); elsewhere, without a build, these tests
are skipped. The program writes its results to files (under wine its console output is a
terminal's), which are compared byte for byte with the Python install's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, WORKBOOKS, sample_fill_args

EXE = ROOT / "build" / "work" / "wine" / "dist" / "vpexcel" / "vpexcel.exe"
pytestmark = pytest.mark.skipif(
    not EXE.exists() and not (os.environ.get("CI") == "true" and os.geteuid() == 0),
    reason="the Windows program is not built (bash build/build_windows_wine.sh)",
)


def windows(args: list[str], tmp: Path) -> int:
    assert EXE.exists(), "run bash build/build_windows_wine.sh"
    prefix = os.environ.get("VPEXCEL_WINEPREFIX", str(Path.home() / ".cache" / "vpexcel" / "wine-prefix"))
    env = {**os.environ, "WINEDEBUG": "-all", "WINEPREFIX": prefix}
    command = " ".join(f"'{a}'" for a in ["wine", str(EXE), *args])
    done = subprocess.run(
        ["script", "-qec", f"{command}; echo EXIT=$?", "/dev/null"],
        capture_output=True,
        env=env,
        cwd=tmp,
        timeout=300,
        check=False,
    )
    text = done.stdout.decode("utf-8", "replace")
    assert "EXIT=" in text, text[-500:]
    return int(text.rsplit("EXIT=", 1)[1].split()[0])


def python(args: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "vpexcel", *args], capture_output=True, timeout=120, check=False).returncode


def same(args: list[str], out_name: str, tmp: Path) -> bytes:
    a, b = tmp / f"windows-{out_name}", tmp / f"python-{out_name}"
    assert windows([*args, "--output", str(a)], tmp) == python([*args, "--output", str(b)])
    assert a.read_bytes() == b.read_bytes()
    return a.read_bytes()


@pytest.mark.parametrize("book", ["budget-2024.xlsx", "budget-2024-med-fel.xlsx"])
def test_validate_json(book: str, tmp_path: Path) -> None:
    assert same(["validate", str(WORKBOOKS / book), "--format", "json"], "v.json", tmp_path).startswith(b"{")


def test_reconcile_json(tmp_path: Path) -> None:
    same(
        [
            "reconcile",
            str(WORKBOOKS / "budget-2024.xlsx"),
            str(WORKBOOKS / "huvudbok-2024.csv"),
            "--period",
            "2024-04",
            "--format",
            "json",
        ],
        "r.json",
        tmp_path,
    )


def test_fill_template(tmp_path: Path) -> None:
    same(
        [
            *sample_fill_args("tertialrapport-april.xlsx", "2024-04", "2024-05-15"),
        ],
        "t1.xlsx",
        tmp_path,
    )


def test_text_report_file(tmp_path: Path) -> None:
    assert shutil.which("script")
    out = tmp_path / "v.txt"
    assert windows(["validate", str(WORKBOOKS / "budget-2024.xlsx"), "--output", str(out)], tmp_path) == 0
    assert out.read_text(encoding="utf-8").startswith("Validering av budget-2024.xlsx")
