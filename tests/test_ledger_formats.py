"""A ledger export saved as .xls or .ods reconciles as its CSV does: the same reader (and its
bounds, vet_xls and vet_ods) that reads a budget in those formats reads the ledger."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vpexcel.cli import main

from .conftest import WORKBOOKS, soffice_convert

BUDGET = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"
# LibreOffice's CSV import: separator ";" (59), quote '"' (34), UTF-8 (76), from line 1, Swedish (1053) for decimal comma
CSV_FILTER = "Text - txt - csv (StarCalc):59,34,76,1,,1053"


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped sample ledger saved by LibreOffice as .xls and as .ods (one conversion per module), and as
    "dated-xls"/"dated-ods" with a booking date in Period (2024-01-15), which LibreOffice stores as a date cell."""
    folder = tmp_path_factory.mktemp("huvudbok")
    dated = folder / "datum" / LEDGER.name
    dated.parent.mkdir()
    dated.write_bytes(re.sub(rb"(?m)^(\d{4}-\d{2});", rb"\1-15;", LEDGER.read_bytes()))
    out: dict[str, Path] = {"dated-csv": dated}
    for kind in ("xls", "ods", "dated-xls", "dated-ods"):
        source, kind_out = (dated, kind[6:]) if kind.startswith("dated-") else (LEDGER, kind)
        out[kind] = soffice_convert(source, kind_out, folder, infilter=CSV_FILTER, outdir=folder / kind)
    return out


def _reconcile(ledger: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> tuple[int, str, str]:
    rc = main(["reconcile", str(BUDGET), str(ledger), "--period", "2024-04", "--format", fmt])
    out, err = capsys.readouterr()
    return rc, out.replace(ledger.name, "HUVUDBOK"), err


@pytest.mark.parametrize("kind", ["xls", "ods", "dated-xls", "dated-ods"])
def test_an_xls_or_ods_ledger_reconciles_as_its_csv(
    kind: str, converted: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    csv = converted["dated-csv"] if kind.startswith("dated-") else LEDGER
    rc_csv, json_csv, _ = _reconcile(csv, capsys, "json")
    rc, json_kind, err = _reconcile(converted[kind], capsys, "json")
    assert rc == rc_csv, err
    assert json.loads(json_kind) == json.loads(json_csv)  # every area's budget, actual, deviation, and the lines left out
    assert json.loads(json_kind)["areas"]  # (not two equal refusals)
    assert "kan inte läsas" not in err and "formlerna" not in err  # a ledger has no formula checks to miss
    _, text_csv, _ = _reconcile(csv, capsys, "text")
    _, text_kind, _ = _reconcile(converted[kind], capsys, "text")
    assert text_kind == text_csv


def test_a_broken_xls_ledger_is_refused_in_swedish(
    converted: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "trasig.xls"
    broken.write_bytes(converted["xls"].read_bytes()[:3000])
    rc = main(["reconcile", str(BUDGET), str(broken), "--period", "2024-04"])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "trasig.xls kan inte läsas" in err and "Traceback" not in err
