"""`vpexcel jämför` with sheet names that differ only in case ("Budget" and "BUDGET").

Excel refuses such names, but LibreOffice's .ods and programs that write .xlsx
themselves keep them. A file compared with itself must be quiet whatever its sheet
names are, and a change on one of the two sheets is told on that sheet.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import soffice_convert
from tests.test_compare import areas
from vpexcel.cli import main
from vpexcel.compare import Comparison, compare_books
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.samples import Rows

OTHER = {"KS-reserv": (0, -7, -7)}  # the second sheet's table differs from the first's


def renamed(src: Path, dst: Path, member: str, old: bytes, new: bytes) -> Path:
    """A copy of a zip-based workbook with one member's text replaced (here: a sheet's name)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data.replace(old, new) if info.filename == member else data)
    return dst


def case_xlsx(make_book: Callable[..., Path], tmp_path: Path, second: Rows, name: str = "fall.xlsx") -> Path:
    """Sheets "Budget" and "BUDGET" in one .xlsx (written as "BUDGX", then renamed in workbook.xml)."""
    raw = make_book({"Budget": areas(), "BUDGX": second}, name=f"rå-{name}")
    return renamed(raw, tmp_path / name, "xl/workbook.xml", b'name="BUDGX"', b'name="BUDGET"')


def compared(old: Path, new: Path) -> Comparison:
    return compare_books(read_workbook(old), read_workbook(new))


def test_the_reader_keeps_both_sheets(make_book: Callable[..., Path], tmp_path: Path) -> None:
    book = read_workbook(case_xlsx(make_book, tmp_path, areas(OTHER)))
    assert [s.name for s in book.sheets] == ["Budget", "BUDGET"]
    assert book.sheet("BUDGET") is book.sheets[1] and book.sheet("Budget") is book.sheets[0]


def test_an_xlsx_with_sheets_differing_in_case_compared_with_itself_is_quiet(
    make_book: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case_xlsx(make_book, tmp_path, areas(OTHER))
    assert compared(path, path).changes == []
    assert main(["jämför", str(path), str(path)]) == 0
    out = capsys.readouterr().out
    assert "Inga ändringar i innehållet" in out and "borttaget" not in out


def test_an_ods_with_tables_differing_in_case_compared_with_itself_is_quiet(
    make_book: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = make_book({"Budget": areas(), "BUDGX": areas(OTHER)}, name="rå.xlsx")
    ods = soffice_convert(raw, "ods", tmp_path)
    path = renamed(ods, tmp_path / "fall.ods", "content.xml", b'table:name="BUDGX"', b'table:name="BUDGET"')
    assert [s.name for s in read_workbook(path).sheets] == ["Budget", "BUDGET"]
    assert compared(path, path).changes == []
    assert main(["jämför", str(path), str(path)]) == 0
    out = capsys.readouterr().out
    assert "Inga ändringar i värdena" in out and "borttaget" not in out


def test_a_change_on_one_of_the_two_is_told_on_that_sheet(make_book: Callable[..., Path], tmp_path: Path) -> None:
    old = case_xlsx(make_book, tmp_path, areas(OTHER), "före.xlsx")
    new = case_xlsx(make_book, tmp_path, areas({"KS-reserv": (0, -8, -8)}), "efter.xlsx")
    comp = compared(old, new)
    assert {c.sheet for c in comp.changes} == {"BUDGET"}
    assert [c.kind for c in comp.changes if c.kind.startswith("sheet_")] == []
    ks = [c for c in comp.changes if c.line == "KS-reserv" and c.column == "Budget 2024, brutto kostnad"]
    assert [(c.old, c.new) for c in ks] == [(-7.0, -8.0)]


def test_the_second_sheet_added_or_removed_is_said(make_book: Callable[..., Path], tmp_path: Path) -> None:
    one = make_book({"Budget": areas()}, name="ett.xlsx")
    two = case_xlsx(make_book, tmp_path, areas(OTHER))
    added = compared(one, two)
    assert [(c.kind, c.sheet) for c in added.changes if c.kind.startswith("sheet_")] == [("sheet_added", "BUDGET")]
    assert not [c for c in added.changes if c.sheet == "Budget"]  # the first sheet is the same sheet
    removed = compared(two, one)
    assert [(c.kind, c.sheet) for c in removed.changes if c.kind.startswith("sheet_")] == [("sheet_removed", "BUDGET")]


def test_a_sheet_whose_name_only_changed_case_is_the_same_sheet(make_book: Callable[..., Path]) -> None:
    old = make_book({"Budget": areas()}, name="före.xlsx")
    new = make_book({"BUDGET": areas()}, name="efter.xlsx")
    assert compared(old, new).changes == []
