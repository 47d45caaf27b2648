"""Error values in .xls and .ods: python-calamine gives them as empty cells, so the reader finds them
in the file itself. A total broken by #N/A is an error (VP205) at its cell, as in the .xlsx, not a
missing amount (found by the tester: exit 0 and 'Belopp saknas')."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.errors import InputError
from vpexcel.io.legacy_formats import MAX_ERROR_CELLS, vet_ods
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.samples import clean_budget, write_book

from .conftest import soffice_convert


def _findings(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    rc = main(["validate", str(path), "--format", "json", "--ingen-historik"])
    return rc, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample budget with #N/A in one area's cost (spread to its net) and #DIV/0! in another's
    revenue."""
    rows = [list(r) for r in clean_budget()["Produktionsområden"]]
    rows[5][5] = ("=NA()", "#N/A")  # Kommundirektör's cost 2024: F6, with the value Excel shows
    rows[5][6] = ("=E6+F6", "#N/A")
    rows[7][4] = ("=1/0", "#DIV/0!")  # Vuxenutbildning's revenue 2024: E8
    rows[7][6] = ("=E8+F8", "#DIV/0!")
    folder = tmp_path_factory.mktemp("fel")
    return write_book(folder / "budget-fel.xlsx", {"Produktionsområden": rows})


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_error_values_in_xls_and_ods_are_errors_at_their_cells(
    kind: str, broken: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = soffice_convert(broken, kind, tmp_path)
    rc_x, want = _findings(broken, capsys)
    rc, got = _findings(legacy, capsys)
    errors = {(f["cell"], f["actual"]) for f in got["findings"] if f["code"] == "VP205"}  # type: ignore[attr-defined, index]
    assert {("F6", "#N/A"), ("G6", "#N/A"), ("E8", "#DIV/0!"), ("G8", "#DIV/0!")} <= errors
    assert errors == {(f["cell"], f["actual"]) for f in want["findings"] if f["code"] == "VP205"}  # type: ignore[attr-defined, index]
    assert not [f for f in got["findings"] if f["code"] == "VP203"]  # type: ignore[attr-defined]
    assert rc == rc_x == 1


def test_an_ods_error_cell_is_placed_through_row_and_column_repeats(tmp_path: Path) -> None:
    """Positions follow number-rows-repeated and number-columns-repeated; a table nested in a cell
    does not move them; a repeated error fills each cell it covers."""
    err = (
        '<table:table-cell office:value-type="string" calcext:value-type="error"{rep}><text:p>{code}</text:p></table:table-cell>'
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:table="t" '
        'xmlns:text="x" xmlns:calcext="c"><office:body><office:spreadsheet>'
        '<table:table table:name="Budget"><table:table-row table:number-rows-repeated="3">'
        '<table:table-cell table:number-columns-repeated="2"/></table:table-row>'
        '<table:table-row><table:table-cell><table:table table:name="inre"><table:table-row>'
        "<table:table-cell/></table:table-row></table:table></table:table-cell>"
        + err.format(rep=' table:number-columns-repeated="2"', code="#N/A")
        + "</table:table-row><table:table-row>"
        '<table:table-cell office:value-type="float" office:value="1"/>'
        + err.format(rep="", code="#DIV/0!")
        + "</table:table-row>"
        '</table:table><table:table table:name="Tom"><table:table-row><table:table-cell/></table:table-row></table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = _ods(tmp_path / "fel.ods", content)
    assert _errors(path) == {"Budget": {(3, 1): "#N/A", (3, 2): "#N/A", (4, 1): "#DIV/0!"}}
    sheet = read_workbook(path).sheet("Budget")
    assert sheet is not None and [str(sheet.value(3, 1)), str(sheet.value(4, 1))] == ["#N/A", "#DIV/0!"]


def _ods(path: Path, content: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="m"/>')
        zf.writestr("content.xml", content)
    return path


def _errors(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    with zipfile.ZipFile(path) as zf:
        return vet_ods(path, zf)


def _content(tables: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:table="t" '
        'xmlns:text="x" xmlns:calcext="c"><office:body><office:spreadsheet>'
        + tables
        + "</office:spreadsheet></office:body></office:document-content>"
    )


_DIV0 = '<table:table-cell office:value-type="string" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'


def test_an_ods_error_cell_is_found_on_a_sheet_whose_name_has_an_ampersand(tmp_path: Path) -> None:
    """The name as calamine gives it ("Drift & investering", not "Drift &amp; investering"), and the
    table's own name, not its style's (found by the reviewer: the error was lost, exit 0)."""
    row = f'<table:table-row><table:table-cell office:value-type="float" office:value="1"/>{_DIV0}</table:table-row>'
    content = _content(
        f'<table:table table:style-name="ta1" table:name="Drift &amp; investering">{row}</table:table>'
        f"<table:table table:name='Plan &quot;B&quot;'>{row}</table:table>"
    )
    path = _ods(tmp_path / "namn.ods", content)
    assert _errors(path) == {"Drift & investering": {(0, 1): "#DIV/0!"}, 'Plan "B"': {(0, 1): "#DIV/0!"}}
    book = read_workbook(path)
    assert [str(s.value(0, 1)) for s in book.sheets] == ["#DIV/0!", "#DIV/0!"]


def test_a_repeated_ods_error_stops_at_the_cap(tmp_path: Path) -> None:
    """One error cell repeated over 2000 x 2000 cells is placed in at most MAX_ERROR_CELLS cells, and the
    walk does not go on turning over the rest (it took minutes)."""
    rep = _DIV0.replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated="2000" ')
    content = _content(
        f'<table:table table:name="Budget"><table:table-row table:number-rows-repeated="2000">{rep}</table:table-row>'
        + f'<table:table-row table:number-rows-repeated="2000">{rep}</table:table-row>' * 50
        + "</table:table>"
    )
    with pytest.raises(InputError):  # 4 million valued cells x 51: over the workbook bound
        _errors(_ods(tmp_path / "for-manga.ods", content))
    small = _content(
        f'<table:table table:name="Budget"><table:table-row table:number-rows-repeated="400">{rep}</table:table-row></table:table>'
    )
    found = _errors(_ods(tmp_path / "manga.ods", small))
    assert sum(map(len, found.values())) == MAX_ERROR_CELLS


def test_an_ods_cell_opened_inside_a_cell_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valued cell repeated 16384 times with another cell opened inside it was counted as one cell, and
    calamine then built 33 million (found by the reviewer); no spreadsheet program writes it."""
    inner = (
        '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384">'
        "<table:table-cell></table:table-cell></table:table-cell>"
    )
    content = _content(
        f'<table:table table:name="Budget"><table:table-row table:number-rows-repeated="2000">{inner}</table:table-row></table:table>'
    )
    path = _ods(tmp_path / "cell-i-cell.ods", content)
    rc = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert rc == 2 and "trasigt" in err and "cell inne i en annan cell" in err
