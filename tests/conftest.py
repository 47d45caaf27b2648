from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vpexcel.findings import Finding, Report
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.samples import Rows, write_book
from vpexcel.settings import Settings
from vpexcel.validate import validate

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"


@pytest.fixture
def make_book(tmp_path: Path) -> Callable[..., Path]:
    """Write sheets of rows (values, or ("=FORMULA", cached)) to a new .xlsx."""
    counter = iter(range(10_000))

    def make(sheets: dict[str, Rows], name: str | None = None) -> Path:
        return write_book(tmp_path / (name or f"book{next(counter)}.xlsx"), sheets)

    return make


@pytest.fixture
def check(make_book: Callable[..., Path]) -> Callable[..., Report]:
    """Write sheets and validate them."""

    def run(sheets: dict[str, Rows], settings: Settings | None = None) -> Report:
        return validate(read_workbook(make_book(sheets)), settings)

    return run


def sample_fill_args(template: str, period: str, date: str) -> list[str]:
    """`vpexcel fill` of a shipped template from the shipped samples (budget, ledger, forecasts, Kolada)."""
    return [
        "fill", str(WORKBOOKS / "templates" / template), "--period", period,
        "--budget", str(WORKBOOKS / "budget-2024.xlsx"), "--ledger", str(WORKBOOKS / "huvudbok-2024.csv"),
        "--forecast", str(WORKBOOKS / "prognos-2024.xlsx"), "--indicators", str(WORKBOOKS / "kolada-1441.json"),
        "--date", date,
    ]  # fmt: skip


def codes(report: Report, severity: str | None = None) -> list[str]:
    return [f.code for f in report.findings if severity is None or f.severity.value == severity]


def find(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


@pytest.fixture(autouse=True)
def _no_history_beside_the_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in tests keep no history (it would land beside workbooks/); tests/test_history.py turns it on."""
    monkeypatch.setenv("VPEXCEL_HISTORIK", "av")


def soffice_convert(src: Path, kind: str, folder: Path, infilter: str | None = None, outdir: Path | None = None) -> Path:
    """``src`` saved by LibreOffice as ``kind`` (xls, ods, xlsx) in ``outdir`` (a folder of ``folder``
    by default), read with the import filter ``infilter`` if given; the test is skipped where
    LibreOffice is not installed (scripts/test.sh installs it)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    out = outdir or folder / f"som-{kind}"
    command = [soffice, f"-env:UserInstallation=file://{folder / 'profil'}", "--headless"]
    command += [f"--infilter={infilter}"] if infilter else []
    subprocess.run(
        [*command, "--convert-to", kind, "--outdir", str(out), str(src)], capture_output=True, timeout=180, check=False
    )
    path = out / f"{src.stem}.{kind}"
    assert path.exists(), f"LibreOffice did not write {path.name}"
    return path
