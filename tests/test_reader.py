"""Reading: formulas and error values from the sheet XML, and layouts found without configuration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vpexcel.findings import Report
from vpexcel.io.xlsx_reader import read_workbook, scan_formulas
from vpexcel.layout import ColumnKind, detect_tables
from vpexcel.samples import SEED_2024, Rows, area_table
from vpexcel.settings import default_settings

from .conftest import codes

SHARED = b"""<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="5"><c r="D5"><f t="shared" ref="D5:D7" si="0">B5+C5</f><v>1</v></c></row>
<row r="6"><c r="D6"><f t="shared" si="0"/><v>2</v></c></row>
<row r="7"><c r="D7"><f t="shared" si="0"/><v>3</v></c><c r="E7" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>
<row r="8"><c r="B8"><f>SUM(B5:B7)&amp;"&lt;x&gt;"</f><v>0</v></c></row>
</sheetData></worksheet>"""


def test_shared_formulas_are_expanded_and_errors_found() -> None:
    formulas, errors = scan_formulas(SHARED)
    assert formulas[(4, 3)] == "B5+C5" and formulas[(5, 3)] == "B6+C6" and formulas[(6, 3)] == "B7+C7"
    assert formulas[(7, 1)] == 'SUM(B5:B7)&"<x>"'
    assert errors == {(6, 4): "#DIV/0!"}


def test_prefixed_sheet_xml_is_read_too() -> None:
    prefixed = SHARED.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
    for tag in (b"sheetData", b"row", b"c", b"f", b"v"):
        prefixed = prefixed.replace(b"<" + tag, b"<x:" + tag).replace(b"</" + tag, b"</x:" + tag)
    formulas, errors = scan_formulas(prefixed)
    assert formulas[(5, 3)] == "B6+C6" and errors == {(6, 4): "#DIV/0!"}


def test_reader_keeps_formula_and_cached_value(make_book: Callable[..., Path]) -> None:
    book = read_workbook(make_book({"Blad": [["a", 1.5, ("=B1*2", 3.0)]]}))
    sheet = book.sheets[0]
    assert sheet.value(0, 2) == 3.0 and sheet.formula(0, 2) == "B1*2"


def test_header_anywhere_in_the_first_20_rows_and_unit_in_a_header(check: Callable[..., Report]) -> None:
    rows: Rows = [[], [], ["Budget per produktionsområde"], [], [], [], [], [], [], [], [], []]
    rows += [["Område", "Intäkter 2024", "Kostnader 2024", "Netto 2024 (mkr)"]]
    rows += [[k, r, c, round(r + c, 1)] for k, (r, c, _n) in SEED_2024.items()]
    sheet_rows = rows
    settings = default_settings()
    settings.bridge = []
    report = check({"Budget": sheet_rows}, settings)
    assert not [c for c in codes(report) if c.startswith(("VP1", "VP2"))]


def test_sheet_names_cut_at_31_and_wrapped_area_names(make_book: Callable[..., Path]) -> None:
    rows = area_table("Budget 2024 (mkr)", {2024: SEED_2024})
    i = next(n for n, r in enumerate(rows) if r and r[0] == "Kommunledning och verksamhetsstöd")
    rows[i][0] = "Kommunledning och"
    rows.insert(i + 1, ["verksamhetsstöd"])  # a name wrapped over two rows, as in the seed's text
    book = read_workbook(make_book({"Budget": rows}))
    (table,) = detect_tables(book.sheets[0], default_settings())
    names = [r.area.name for r in table.rows if r.area]
    assert "Kommunledning och verksamhetsstöd" in names and len(names) == 9
    assert [c.kind for c in table.columns] == [ColumnKind.REVENUE, ColumnKind.COST, ColumnKind.NET]


def test_formula_scan_quick_path_reads_as_the_careful_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-pass reading of the common cell shape gives what the careful scan gives: shared
    formulas expanded, entities decoded, self-closing and empty formulas handled alike."""
    from vpexcel.io import xlsx_reader

    data = (
        b'<worksheet><sheetData><row r="2">'
        b'<c r="B2"><v>1</v></c>'
        b'<c r="C2" s="3"><f>B2*2&amp;"&lt;x"</f><v>2</v></c>'
        b'<c r="D2"><f t="shared" ref="D2:D4" si="0">SUM(B2:C2)</f><v>3</v></c></row>'
        b'<row r="3"><c r="D3"><f t="shared" si="0"/><v>3</v></c><c r="E3"><f></f><v>1</v></c></row>'
        b'<row r="4"><c r="D4">\n<f t="shared" si="0" /><v>3</v></c>'
        b'<c r="AA4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row></sheetData></worksheet>'
    )
    assert xlsx_reader._quick_formulas(data, 6) is not None  # the common shape throughout
    quick = xlsx_reader.scan_formulas(data)
    assert quick[0][(2, 3)] == "SUM(B3:C3)" and quick[0][(3, 3)] == "SUM(B4:C4)"
    assert quick[0][(1, 2)] == 'B2*2&"<x"'
    monkeypatch.setattr(xlsx_reader, "_quick_formulas", lambda data, count: None)
    assert xlsx_reader.scan_formulas(data) == quick


def test_formula_scan_of_plain_formulas_reads_as_the_careful_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backward reading of plain ``<f>`` tags (every formula of most sheets) gives what the
    careful scan gives: entities decoded, attributes and blanks before <f> allowed, empty formulas
    left out, columns past Z."""
    from vpexcel.io import xlsx_reader

    data = (
        b'<worksheet><sheetData><row r="2">'
        b'<c r="B2"><v>1</v></c>'
        b'<c r="C2" s="3"><f>B2*2&amp;"&lt;x"&gt;0</f><v>2</v></c>'
        b'<c r="D2" t="str"> <f>IF(B2&gt;0,"ja","nej")</f><v>ja</v></c></row>'
        b'<row r="3"><c r="E3"><f></f><v>1</v></c><c r="AB3"><f>SUM(B2:C2)</f><v>3</v></c>'
        b'<c r="XFD1048576"><f>\xc3\xa5r+1</f><v>3</v></c>'
        b'<c r="AA4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row></sheetData></worksheet>'
    )
    assert xlsx_reader._plain_formulas(data, 6) is not None
    plain = xlsx_reader.scan_formulas(data)
    assert plain[0][(1, 2)] == 'B2*2&"<x">0'
    assert plain[0][(1048575, 16383)] == "år+1"
    assert (2, 4) not in plain[0]
    monkeypatch.setattr(xlsx_reader, "_plain_formulas", lambda data, count: None)
    monkeypatch.setattr(xlsx_reader, "_quick_formulas", lambda data, count: None)
    assert xlsx_reader.scan_formulas(data) == plain


def test_formula_scan_of_plain_formulas_leaves_odd_cells_to_the_careful_scan() -> None:
    from vpexcel.io import xlsx_reader

    second_r = b'<sheetData><row><c r="A1" x="1" r="B9"><f>1+1</f></c></row></sheetData>'
    assert xlsx_reader._plain_formulas(second_r, 1) is None
    self_closed = b'<sheetData><row><c r="A1"/><f>1+1</f></row></sheetData>'
    assert xlsx_reader._plain_formulas(self_closed, 1) is None


@pytest.mark.parametrize("cut", [0, 3, 8, 9])
def test_a_dtd_cut_between_two_chunks_is_still_refused(cut: int, tmp_path: Path) -> None:
    """The part is read in chunks; a <!DOCTYPE whose letters fall on both sides of a chunk's end is found."""
    import zipfile

    from vpexcel.errors import InputError
    from vpexcel.io import xlsx_reader

    word = b"<!DOCTYPE x>"
    body = b"<worksheet>" + b" " * (xlsx_reader._CHUNK - 11 - cut) + word + b"</worksheet>"
    assert body.index(word) == xlsx_reader._CHUNK - cut
    path = tmp_path / "delad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("part.xml", body)
    with zipfile.ZipFile(path) as zf, pytest.raises(InputError, match="entiteter"):
        xlsx_reader._read_member(path, zf, "part.xml")


def test_formula_scan_of_a_sheet_without_formulas_or_cells() -> None:
    from vpexcel.io import xlsx_reader

    assert xlsx_reader.scan_formulas(b"<worksheet><sheetData/></worksheet>") == ({}, {})
    assert xlsx_reader.scan_formulas(
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    ) == ({}, {})


def _record_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the sheets calamine is asked to build, in order (its workbook wrapped)."""
    import python_calamine

    real = python_calamine.CalamineWorkbook
    built: list[str] = []

    class Book:
        def __init__(self, book: object) -> None:
            self.book = book

        @classmethod
        def from_path(cls, path: str) -> Book:
            return cls(real.from_path(path))

        def __getattr__(self, name: str) -> object:
            return getattr(self.book, name)

        def get_sheet_by_name(self, name: str) -> object:
            built.append(name)
            return self.book.get_sheet_by_name(name)  # type: ignore[attr-defined]

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Book)
    return built


def _six_sheets(path: Path, stray_on: str | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in "ABCDEF":
        ws = wb.create_sheet(name)
        ws.append(["Område", "Budget 2024"])
        ws.append(["Kultur", -100])
        if name == stray_on:
            ws["XFD1048576"] = 1  # a rectangle of 17 billion cells if calamine built it
    wb.save(path)
    return path


def test_no_sheet_at_or_after_a_refused_one_is_built(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each sheet is vetted before calamine may build it, in workbook order: the refused sheet and
    the ones after it are never built, and the refusal names the sheet."""
    from vpexcel.errors import InputError

    book = _six_sheets(tmp_path / "stray.xlsx", stray_on="D")
    built = _record_built(monkeypatch)
    with pytest.raises(InputError, match="'D'"):
        read_workbook(book)
    assert set(built) <= {"A", "B", "C"}
    assert built == sorted(built)


def test_a_failure_while_sheets_are_handed_on_stops_the_reading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An error (or Ctrl-C) in the work on a handed-on sheet ends the read at once: calamine's thread
    is joined (so nothing is built after the call returns), and every sheet it built had passed the
    vetting before (how far ahead the vetting got depends on the threads' timing)."""
    import threading

    from vpexcel.io import xlsx_reader

    book = _six_sheets(tmp_path / "six.xlsx")
    built = _record_built(monkeypatch)
    passed: list[str] = []
    real_wait = xlsx_reader._SheetVetting.wait

    def wait(self: xlsx_reader._SheetVetting, name: str) -> None:
        real_wait(self, name)
        if self.ready[name].is_set() and not self.stopped:
            passed.append(name)

    monkeypatch.setattr(xlsx_reader._SheetVetting, "wait", wait)

    def fail(sheet: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_workbook(book, fail)
    assert not [t for t in threading.enumerate() if t.name == "vpexcel-calamine"]  # joined, not left running
    assert built == list("ABCDEF")[: len(built)] and set(built) <= set(passed)
    built.clear()
    assert [s.name for s in read_workbook(book).sheets] == list("ABCDEF")  # and a whole read reads all
    assert built == list("ABCDEF")
