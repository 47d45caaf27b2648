"""Tester's faults 15 and 23: what --output's ending means, and the exit code when the reader of the
output stops early (`vpexcel fill ... | head -1`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vpexcel.cli import main

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"
FLAWED = WORKBOOKS / "budget-2024-med-fel.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"


def test_an_xlsx_output_without_format_is_the_report_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`validate budget.xlsx --output rapport.xlsx` used to write the text table into rapport.xlsx."""
    target = tmp_path / "rapport.xlsx"
    assert main(["validate", str(FLAWED), "--output", str(target), "--ingen-historik"]) == 1
    assert zipfile.is_zipfile(target)
    assert "Rapporten är sparad i" in capsys.readouterr().out
    rec = tmp_path / "avst.xlsx"
    assert main(["reconcile", str(BUDGET), str(LEDGER), "--period", "2024-04", "--output", str(rec), "--ingen-historik"]) == 1
    assert zipfile.is_zipfile(rec)
    cmp = tmp_path / "jamforelse.xlsx"
    assert main(["jämför", str(BUDGET), str(FLAWED), "--output", str(cmp)]) == 0
    assert zipfile.is_zipfile(cmp)


def test_a_json_output_without_format_is_json_and_other_endings_text(tmp_path: Path) -> None:
    target = tmp_path / "rapport.json"
    assert main(["validate", str(FLAWED), "--output", str(target), "--ingen-historik"]) == 1
    assert json.loads(target.read_text(encoding="utf-8"))["findings"]
    text = tmp_path / "rapport.txt"
    assert main(["validate", str(FLAWED), "--output", str(text), "--ingen-historik"]) == 1
    assert text.read_text(encoding="utf-8").startswith("Validering av budget-2024-med-fel.xlsx")


@pytest.mark.parametrize(
    ("args", "name", "said"),
    [
        (["--format", "text"], "r.xlsx", "--format text skriver text, men filnamnet r.xlsx säger .xlsx"),
        (["--format", "json"], "r.xlsx", "--format json skriver JSON, men filnamnet r.xlsx säger .xlsx"),
        (["--format", "xlsx"], "r.txt", "--format xlsx skriver en arbetsbok (.xlsx), men --output heter r.txt"),
        ([], "r.xlsm", "--output r.xlsm: vpexcel skriver resultatet som arbetsbok (.xlsx), JSON (.json) eller text (.txt)"),
        ([], "r.ods", "inte som .ods"),
    ],
)
def test_an_output_ending_that_contradicts_the_format_is_refused(
    args: list[str], name: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    assert main(["validate", str(BUDGET), *args, "--output", str(target), "--ingen-historik"]) == 2
    assert said in capsys.readouterr().err
    assert not target.exists()
    assert main(["reconcile", str(BUDGET), str(LEDGER), *args, "--output", str(target), "--ingen-historik"]) == 2
    assert said in capsys.readouterr().err
    assert not target.exists()


def test_fill_init_and_history_export_refuse_an_ending_excel_cannot_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = WORKBOOKS / "templates" / "tertialrapport-april.xlsx"
    args = ["fill", str(template), "--period", "2024-04", "--budget", str(BUDGET), "--ledger", str(LEDGER)]
    assert main([*args, "--output", str(tmp_path / "fylld.txt"), "--ingen-historik"]) == 2
    assert "måste ha samma filändelse (.xlsx) för att Excel ska öppna den. Skriv till exempel --output fylld.xlsx" in (
        capsys.readouterr().err
    )
    assert main(["init", "--output", str(tmp_path / "inst.json")]) == 2
    assert "--output inst.json: vpexcel skriver en arbetsbok (.xlsx)" in capsys.readouterr().err
    assert main(["historik", "--db", str(tmp_path), "--export", str(tmp_path / "spar.csv")]) == 2
    assert "--export spar.csv: vpexcel skriver en arbetsbok (.xlsx)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _closed_pipe_run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    read, write = os.pipe()
    os.close(read)  # the reader has already gone (`| head -1` that has read its line): every write fails with EPIPE
    try:
        return subprocess.run(
            [sys.executable, "-m", "vpexcel", *args], stdout=write, stderr=subprocess.PIPE, timeout=120, check=False
        )
    finally:
        os.close(write)


def test_fill_piped_into_a_reader_that_stops_keeps_its_exit_code(tmp_path: Path) -> None:
    """Fault 23: `vpexcel fill ... | head -1` exited 0 although areas could not be placed (exit 1)."""
    from .template_corpus import other_kommun

    template = other_kommun(tmp_path / "mall.xlsx")  # most rows are no area of the default settings: exit 1
    out = tmp_path / "fylld.xlsx"
    args = ["fill", str(template), "--period", "2024-04", "--budget", str(BUDGET), "--ledger", str(LEDGER)]
    done = _closed_pipe_run([*args, "--date", "2024-05-15", "--output", str(out), "--ingen-historik"])
    assert done.returncode == 1, done.stderr.decode()
    assert out.exists()
    assert b"internt fel" not in done.stderr and b"Traceback" not in done.stderr


def test_validate_piped_into_a_reader_that_stops_exits_with_its_own_code() -> None:
    """A budget without errors is exit 0 also when the reader of the table goes away (rich's own exit 1 on a
    broken pipe used to decide it), and one with errors exit 1."""
    assert _closed_pipe_run(["validate", str(BUDGET), "--ingen-historik"]).returncode == 0
    assert _closed_pipe_run(["validate", str(FLAWED), "--ingen-historik"]).returncode == 1
