"""Smoke tests of the packaged program (PyInstaller, one folder) against the Python install.

scripts/test.sh builds it first (build/build_program.py); CI must have it. Outside CI,
without a build, these tests are skipped. Every output is compared byte for byte with
what the Python install writes for the same command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vpexcel import __version__

from .conftest import ROOT, WORKBOOKS, sample_fill_args

BUILT = sorted((ROOT / "dist").glob(f"vpexcel-{__version__}-*/vpexcel/vpexcel"))
FOLDER = BUILT[0].parent.parent if BUILT else None
pytestmark = pytest.mark.skipif(
    not BUILT and os.environ.get("CI") != "true", reason="the packaged program is not built (python build/build_program.py)"
)
PYTHON_CLI = [sys.executable, "-m", "vpexcel"]


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(cmd, capture_output=True, timeout=120, check=False, **kw)  # type: ignore[call-overload, no-any-return]


def frozen() -> list[str]:
    assert BUILT, "dist/vpexcel-*/vpexcel/vpexcel is missing: run python build/build_program.py"
    return [str(BUILT[0])]


@pytest.mark.parametrize("book", ["budget-2024.xlsx", "budget-2024-per-omrade.xlsx", "budget-2024-med-fel.xlsx"])
def test_validate_json_is_the_same(book: str) -> None:
    args = ["validate", str(WORKBOOKS / book), "--format", "json"]
    ours, theirs = run(frozen() + args), run(PYTHON_CLI + args)
    assert ours.returncode == theirs.returncode and ours.returncode in (0, 1)
    assert ours.stdout == theirs.stdout and ours.stdout.startswith(b"{")


def test_reconcile_json_is_the_same() -> None:
    args = [
        "reconcile",
        str(WORKBOOKS / "budget-2024.xlsx"),
        str(WORKBOOKS / "huvudbok-2024.csv"),
        "--period",
        "2024-04",
        "--format",
        "json",
    ]
    ours, theirs = run(frozen() + args), run(PYTHON_CLI + args)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stdout == theirs.stdout
    assert json.loads(ours.stdout)["board"]["budget"]["net"] == pytest.approx(-253.2)


def test_fill_writes_the_same_workbook(tmp_path: Path) -> None:
    def fill(cmd: list[str], out: Path) -> bytes:
        args = [
            *sample_fill_args("delarsrapport-augusti.xlsx", "2024-08", "2024-09-10"),
            "--output",
            str(out),
        ]
        done = run(cmd + args)
        assert done.returncode == 0, done.stderr.decode()
        return out.read_bytes()

    assert fill(frozen(), tmp_path / "frozen.xlsx") == fill(PYTHON_CLI, tmp_path / "python.xlsx")


def test_bad_input_gives_the_same_swedish_refusal(tmp_path: Path) -> None:
    bad = tmp_path / "trasig.xlsx"
    bad.write_bytes(b"PK\x03\x04 inte en arbetsbok")
    ours, theirs = run([*frozen(), "validate", str(bad)]), run([*PYTHON_CLI, "validate", str(bad)])
    assert ours.returncode == theirs.returncode == 2
    assert ours.stderr == theirs.stderr and b"Traceback" not in ours.stderr


def test_version_names_the_build_and_doctor_finds_the_addin() -> None:
    version = run([*frozen(), "--version"]).stdout.decode()
    assert version.startswith(f"vpexcel {__version__} (paketerat program, byggt ")
    assert FOLDER is not None
    doctor = run([*frozen(), "doctor", "--workbook", str(FOLDER / "exempel" / "budget-2024.xlsx")])
    text = doctor.stdout.decode()
    assert doctor.returncode == 0 and "tillägget finns" in text and "Allt ser bra ut." in text
    assert (FOLDER / "LÄS MIG.txt").read_text(encoding="utf-8").startswith(f"vpexcel {__version__}")


def test_a_dropped_workbook_is_checked_and_reported_beside_it(tmp_path: Path) -> None:
    book = tmp_path / "budget.xlsx"
    book.write_bytes((WORKBOOKS / "budget-2024.xlsx").read_bytes())
    done = run([*frozen(), str(book)])
    assert done.returncode == 0 and (tmp_path / "budget-valideringsrapport.xlsx").exists()


def test_the_frozen_program_runs_the_validate_button(tmp_path: Path) -> None:
    """The same button function, in the packaged program, on a workbook handed over as xlwings' payload."""
    from tests.test_excel import payload

    data = tmp_path / "book.json"
    data.write_text(json.dumps(payload(WORKBOOKS / "budget-2024-med-fel.xlsx")), encoding="utf-8")
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    args = ["knapp", "validate", f"--xlwings-json={data}", "--wb=budget-2024-med-fel.xlsx", "--from_xl=1"]
    ours, theirs = run(frozen() + args, env=env), run(PYTHON_CLI + args, env=env)
    assert ours.returncode == theirs.returncode == 0, ours.stderr.decode()
    assert ours.stdout == theirs.stdout
    actions = json.loads(ours.stdout)["actions"]
    assert any(a["func"] == "setRangeColor" for a in actions)
    assert any(a["func"] == "alert" and a["args"][0].startswith("Valideringen är klar") for a in actions)
