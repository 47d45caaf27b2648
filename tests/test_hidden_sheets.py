"""Findings on a hidden sheet say, once per sheet, that the sheet is hidden and how to show it.

A user looking for "Område D!B6" cannot find a sheet that is not among the tabs. The
workbook is the board's summary with a sheet per produktionsområde
(tests/test_knock_on_sheets.py), one area sheet hidden (or very hidden) in the file.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import soffice_convert
from tests.test_knock_on_sheets import AREA_SHEET, board
from vpexcel.cli import main
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.validate import validate

AREA = AREA_SHEET["Vuxenutbildning"]  # its Bidrag typed as text: a VP201 and its sum's VP302 on that sheet
UNHIDE = "högerklicka på en bladflik > Ta fram"


def hide(path: Path, sheet: str, state: str = "hidden") -> Path:
    """The workbook with ``sheet`` hidden (state="hidden") or very hidden ("veryHidden") in workbook.xml."""
    out = path.with_name(f"{path.stem}-{state}.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                tag = f'<sheet name="{sheet}"'.encode()
                assert tag in data
                data = data.replace(tag, tag + f' state="{state}"'.encode())
            zout.writestr(info, data)
    return out


@pytest.fixture
def hidden_book(tmp_path: Path) -> Path:
    return hide(board(tmp_path, text_in=("Vuxenutbildning", "Bidrag")), AREA)


def test_the_reader_knows_which_sheets_are_hidden(tmp_path: Path, hidden_book: Path) -> None:
    book = read_workbook(hidden_book)
    assert [s.name for s in book.sheets if s.hidden] == [AREA]
    very = read_workbook(hide(board(tmp_path), AREA, "veryHidden"))
    assert [(s.name, s.visibility) for s in very.sheets if s.hidden] == [(AREA, "very_hidden")]


def test_the_text_report_says_once_that_the_sheet_is_hidden_and_how_to_show_it(
    hidden_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["validate", str(hidden_book)])
    out = capsys.readouterr().out
    assert out.count(f"Bladet '{AREA}' är dolt") == 1  # two findings on the sheet, one note
    assert out.count(UNHIDE) == 1 and f"välj '{AREA}'" in out
    assert f"Blad: {AREA} (dolt blad)" in out
    assert "Blad: Sammanställning (dolt" not in out  # the summary is visible


def test_json_lists_the_hidden_sheet_once(hidden_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", str(hidden_book), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert [(h["sheet"], h["visibility"]) for h in data["hidden_sheets"]] == [(AREA, "hidden")]
    assert UNHIDE in data["hidden_sheets"][0]["note"]
    assert {f["sheet"] for f in data["findings"]} == {AREA, "Sammanställning"}


def test_the_report_workbook_has_the_note_above_the_findings(hidden_book: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "rapport.xlsx"
    main(["validate", str(hidden_book), "--format", "xlsx", "--output", str(target)])
    ws = load_workbook(target)["Valideringsrapport"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    notes = [t for t in texts if UNHIDE in t]
    assert notes == [f"Bladet '{AREA}' är dolt. Visa det i Excel: högerklicka på en bladflik > Ta fram > välj '{AREA}' > OK."]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Nivå")
    note_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == notes[0])
    assert note_row < header


def test_a_very_hidden_sheet_is_shown_from_the_vba_editor(tmp_path: Path) -> None:
    path = hide(board(tmp_path, text_in=("Vuxenutbildning", "Bidrag")), AREA, "veryHidden")
    report = validate(read_workbook(path))
    [note] = report.hidden_sheets
    assert note.sheet == AREA and note.visibility == "very_hidden"
    assert "mycket dolt" in note.note and "Alt+F11" in note.note and "Ta fram" in note.note


def test_a_hidden_sheet_without_findings_is_not_in_the_findings(tmp_path: Path) -> None:
    report = validate(read_workbook(hide(board(tmp_path, text_in=("Vuxenutbildning", "Bidrag")), AREA_SHEET["Räddningstjänst"])))
    assert report.hidden_sheets == []
    assert validate(read_workbook(board(tmp_path / "synlig", text_in=("Vuxenutbildning", "Bidrag")))).hidden_sheets == []


def test_the_map_says_the_sheet_is_hidden(hidden_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", str(hidden_book), "--visa"])
    out = capsys.readouterr().out
    map_part = out.split("Validering av")[0]
    assert f"Blad: {AREA}\n" in map_part and f"Bladet '{AREA}' är dolt" in map_part


def test_an_ods_copy_keeps_the_sheet_hidden(hidden_book: Path, tmp_path: Path) -> None:
    ods = soffice_convert(hidden_book, "ods", tmp_path)
    report = validate(read_workbook(ods))
    assert [h.sheet for h in report.hidden_sheets] == [AREA]
    assert any(f.sheet == AREA and f.code == "VP201" for f in report.findings)
