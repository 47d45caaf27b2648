"""A time-of-day or duration cell is shown the Swedish way ("12:24", "30:05") wherever vpexcel shows
a cell value: in finding messages and their "Faktiskt" value, in JSON, in the --visa map and in
`vpexcel jämför`; never "PT12H24M" (.ods's ISO 8601 text) or "12:24:00"."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import soffice_convert
from vpexcel.cli import main
from vpexcel.compare import compare_books
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.numbers import format_cell_sv, times_sv
from vpexcel.samples import SEED_2024
from vpexcel.validate import validate


def time_book(path: Path) -> Path:
    """The seed's 2024 table with 12:24 typed into an amount cell (Excel makes it a time), a row whose
    label is a time (7:30), and a duration of 30:05 ([h]:mm) in another amount cell."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Produktionsområden"
    ws.append(["Kommunstyrelsen – produktionsområden 2024 (mkr)"])
    ws.append([])
    ws.append(["", 2024])
    ws.append(["Produktionsområde", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"])
    for name, (revenue, cost, net) in SEED_2024.items():
        ws.append([name, revenue, cost, net])
    ws["B7"] = dt.time(12, 24)
    ws["B7"].number_format = "hh:mm"
    ws["B8"] = dt.timedelta(hours=30, minutes=5)
    ws["B8"].number_format = "[h]:mm"
    ws.append([dt.time(7, 30), 1.0, -2.0, -1.0])
    ws.cell(ws.max_row, 1).number_format = "hh:mm"
    wb.save(path)
    return path


def iso_ods(src: Path, dst: Path) -> Path:
    """An .ods whose times are ISO 8601 text calamine does not turn into times ("PT12H24M", 31:30 as hours)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "content.xml":
                assert b'time-value="PT12H24M00S"' in data and b'time-value="PT07H30M00S"' in data
                data = data.replace(b'time-value="PT12H24M00S"', b'time-value="PT12H24M"')
                data = data.replace(b'time-value="PT07H30M00S"', b'time-value="PT31H30M00S"')
            zout.writestr(info, data)
    return dst


def amount_findings(path: Path) -> dict[str, tuple[str, object]]:
    report = validate(read_workbook(path))
    return {f.cell or "": (f.message, f.actual) for f in report.findings if f.code == "VP202"}


def test_a_time_in_an_amount_cell_is_told_as_a_time(tmp_path: Path) -> None:
    found = amount_findings(time_book(tmp_path / "tid.xlsx"))
    assert found["B7"] == ("Cellen ska innehålla ett belopp men innehåller en tid (12:24).", "12:24")
    assert found["B8"] == ("Cellen ska innehålla ett belopp men innehåller en tid (30:05).", "30:05")


def test_an_ods_copy_says_the_same(tmp_path: Path) -> None:
    ods = soffice_convert(time_book(tmp_path / "tid.xlsx"), "ods", tmp_path)
    found = amount_findings(ods)
    assert found["B7"] == ("Cellen ska innehålla ett belopp men innehåller en tid (12:24).", "12:24")
    assert found["B8"][1] == "30:05"


def test_ods_times_kept_as_iso_text_are_never_shown_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ods = iso_ods(soffice_convert(time_book(tmp_path / "tid.xlsx"), "ods", tmp_path), tmp_path / "iso.ods")
    assert read_workbook(ods).sheets[0].value(6, 1) == "PT12H24M"  # what calamine hands on
    main(["validate", str(ods), "--visa"])
    main(["validate", str(ods), "--format", "json"])
    out = capsys.readouterr().out
    assert "en tid (12:24)" in out and "'31:30' är inget känt produktionsområde" in out
    assert "PT12H" not in out and "PT31H" not in out
    data = json.loads(out[out.index("{\n") :])
    assert {f["actual"] for f in data["findings"] if f["code"] == "VP202"} >= {"12:24"}


def test_jämför_names_a_time_label_the_swedish_way(tmp_path: Path) -> None:
    ods = iso_ods(soffice_convert(time_book(tmp_path / "tid.xlsx"), "ods", tmp_path), tmp_path / "iso.ods")
    plain = soffice_convert(time_book(tmp_path / "tid.xlsx"), "ods", tmp_path, outdir=tmp_path / "b")
    comp = compare_books(read_workbook(plain), read_workbook(ods))
    text = " ".join(c.message + " " + (c.line or "") for c in comp.changes)
    assert "PT" not in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.time(12, 24), "12:24"),
        (dt.time(0, 0, 5), "0:00:05"),
        (dt.timedelta(hours=30, minutes=5), "30:05"),
        ("PT12H24M", "12:24"),
        ("PT36H00M00S", "36:00"),
        ("P1DT2H03M00S", "26:03"),
        ("-PT01H00M00S", "-1:00"),
        (dt.datetime(2024, 3, 1, 12, 24), "2024-03-01 12:24"),
        (dt.date(2024, 3, 1), "2024-03-01"),
        ("Prognos", "Prognos"),
        ("PT", "PT"),
        (12.5, "12,5"),
    ],
)
def test_cell_values_the_swedish_way(value: object, shown: str) -> None:
    assert format_cell_sv(value) == shown


def test_times_in_a_sentence() -> None:
    assert (
        times_sv("'PT12H24M' och 'PT31H30M00S' men inte 'PTK' eller 'Personal'")
        == "'12:24' och '31:30' men inte 'PTK' eller 'Personal'"
    )


def test_time_like_text_too_long_to_be_a_time_is_told_as_text_not_a_crash(tmp_path: Path) -> None:
    """Found by the reviewer: 'PT' and 400 nines overflowed the hours arithmetic (exit 3). It is
    no time a sheet holds: the amount cell is text that is not a number (VP202), said as typed."""
    from openpyxl import load_workbook

    path = time_book(tmp_path / "tid.xlsx")
    wb = load_workbook(path)
    hostile = "PT" + "9" * 400 + "H"
    wb.active["B9"] = hostile  # type: ignore[index]
    wb.save(path)
    found = amount_findings(path)
    assert hostile in found["B9"][0] and found["B9"][1] == hostile
    assert times_sv(f"x {hostile} y") == f"x {hostile} y"
    assert format_cell_sv("PT999999999H") == "999999999:00"


def test_a_sheet_named_like_an_ods_time_keeps_its_name() -> None:
    """Found by the reviewer: a cell reference on a sheet called PT2H30M was shown as 2:30!B5, a sheet
    the user cannot find. (A quoted name alone stays ambiguous: a quoted label that is a time is shown as one.)"""
    text = "läser PT2H30M!B5 och 'PT1H'!C3; cellen innehåller PT12H24M."
    assert times_sv(text) == "läser PT2H30M!B5 och 'PT1H'!C3; cellen innehåller 12:24."


def test_a_time_label_is_read_as_its_swedish_text(tmp_path: Path) -> None:
    """A row whose label is a time (7:30 typed in column A) is a row named '7:30', in validate and in jämför."""
    from openpyxl import load_workbook

    old = time_book(tmp_path / "tid.xlsx")
    report = validate(read_workbook(old))
    assert any("'7:30' är inget känt produktionsområde" in f.message for f in report.findings)
    wb = load_workbook(old)
    ws = wb.active
    assert ws is not None
    ws.cell(ws.max_row, 1).value = dt.timedelta(hours=31, minutes=30)
    ws.cell(ws.max_row, 1).number_format = "[h]:mm"
    new = tmp_path / "tid-ny.xlsx"
    wb.save(new)
    comp = compare_books(read_workbook(old), read_workbook(new))
    text = " ".join(c.message for c in comp.changes)
    assert "Raden '7:30' heter nu '31:30'." in text
    assert "''" not in text
