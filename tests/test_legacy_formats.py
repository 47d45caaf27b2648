"""Old .xls and OpenDocument .ods workbooks are read as values (issue 10), bounded before calamine
builds them (issue 9): hostile ones are refused with one Swedish sentence and nothing is written."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from vpexcel.cli import main
from vpexcel.io.xlsx_reader import read_workbook

from .conftest import WORKBOOKS, soffice_convert
from .test_hostile import build, refused, run

SAMPLE = WORKBOOKS / "budget-2024.xlsx"


def convert(src: Path, kind: str, folder: Path) -> Path:
    return soffice_convert(src, kind, folder, outdir=folder / "konverterad")


def _findings(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[list[tuple[str, str | None, str | None]], str]:
    rc = main([*args, "--format", "json"])
    out, err = capsys.readouterr()
    assert rc in (0, 1), err
    found = json.loads(out)["findings"]
    return [(f["code"], f["sheet"], f["cell"]) for f in found], err


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_the_sample_as_xls_or_ods_gives_the_xlsx_findings_plus_one_vp405(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    converted = convert(SAMPLE, kind, tmp_path)
    expected, _ = _findings(["validate", str(SAMPLE)], capsys)
    got, err = _findings(["validate", str(converted)], capsys)
    assert got.count(("VP405", None, None)) == 1
    assert [f for f in got if f[0] != "VP405"] == expected
    assert err.count("vpexcel: OBS:") == 1 and f".{kind}" in err and "formlerna" in err


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_reconcile_reads_an_xls_or_ods_budget(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    converted = convert(SAMPLE, kind, tmp_path)
    ledger = WORKBOOKS / "huvudbok-2024.csv"
    out_x, out_c = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    rc_x = main(["reconcile", str(SAMPLE), str(ledger), "--output", str(out_x)])
    rc_c = main(["reconcile", str(converted), str(ledger), "--output", str(out_c)])
    _, err = capsys.readouterr()
    assert rc_c == rc_x, err
    assert "Traceback" not in err
    # jämför reads both versions through the same reader: the same figures, so no change
    rc = main(["jämför", str(SAMPLE), str(converted), "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 0 and "Traceback" not in err, err
    assert json.loads(out)["changes"] == []  # a formula is not "replaced by its value" where formulas are unknown


@pytest.mark.parametrize("name", ["xls", "ods"])
def test_text_that_looks_like_a_formula_stays_text(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = build(name, tmp_path)
    before = path.read_bytes()
    book = read_workbook(path)
    assert book.has_formulas is False
    cells = [v for s in book.sheets for row in s.rows for v in row]
    assert '=HYPERLINK("http://example.invalid","klicka")' in cells
    report = tmp_path / "rapport.xlsx"
    rc = main(["validate", str(path), "--format", "xlsx", "--output", str(report)])
    capsys.readouterr()
    assert rc in (0, 1) and report.exists()
    wb = openpyxl.load_workbook(report)
    assert not [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert path.read_bytes() == before  # the input is never written


def test_libreoffice_filling_the_sheet_with_empty_repeats_is_read(tmp_path: Path) -> None:
    book = read_workbook(build("ods", tmp_path))
    sheet = book.sheets[0]
    assert len(sheet.rows) == 5 and max(len(r) for r in sheet.rows) == 2


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("xls_far_cell", ["'Produktionsområden'", "IV65536", "Ta bort"]),
        ("xls_lying_dimensions", ["'Produktionsområden'", "utanför rutnätet för .xls"]),
        ("xls_macro_sheet_far_cell", ["'Makro1'", "IV65536", "Ta bort"]),
        ("ods_repeated_values", ["'Produktionsområden'", "XFD2004", "Ta bort"]),
        ("ods_dtd", ["entiteter"]),
    ],
)
def test_hostile_xls_and_ods_are_refused_before_calamine_builds_them(
    name: str, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = build(name, tmp_path)
    rc, _, err = run(["validate", str(path), "--format", "xlsx"], capsys)
    refused(rc, err, *words)
    assert not list(tmp_path.glob("*rapport*"))


def test_an_encrypted_xls_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    stream = hostile.xls_stream([("Blad1", [(0, 0, 1.0)])])
    at = stream.index(b"\x42\x00")  # after BOF: a FILEPASS record as Excel writes for RC4 encryption
    stream = stream[:at] + hostile._biff(0x002F, b"\x01\x00" + b"\0" * 52) + stream[at:]
    path = tmp_path / "skyddad.xls"
    path.write_bytes(hostile.cfb({"Workbook": stream}))
    rc, _, err = run(["validate", str(path)], capsys)
    refused(rc, err, "lösenordsskyddad")


@pytest.mark.parametrize("cut", [600, 2000, 3000])
def test_a_truncated_xls_is_refused_in_swedish(cut: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = build("xls", tmp_path).read_bytes()
    path = tmp_path / "trasig.xls"
    path.write_bytes(data[:cut])
    rc, _, err = run(["validate", str(path)], capsys)
    refused(rc, err, "trasig.xls")


def test_an_xls_record_cut_off_at_the_end_of_the_stream_is_refused_in_swedish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CODEPAGE record whose payload runs past the stream gave an internal error (exit 3; found by the reviewer)."""
    rc, _, err = run(["validate", str(build("xls_cut_record", tmp_path))], capsys)
    refused(rc, err, "avklippt-post.xls")


def test_an_ods_without_content_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tom.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    rc, _, err = run(["validate", str(path)], capsys)
    refused(rc, err, "tom.ods")


def test_ods_extent_counts_repeats_and_rows_after_a_nested_table(tmp_path: Path) -> None:
    from vpexcel.io.legacy_formats import ods_tables

    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    inner = '<table:table table:name="inre"><table:table-row>' + hostile.ods_cell(1) + "</table:table-row></table:table>"
    body = (
        f'<table:table table:name="Blad1"><table:table-row><table:table-cell>{inner}</table:table-cell>'
        + hostile.ods_cell(2, 3)
        + '</table:table-row><table:table-row table:number-rows-repeated="4">'
        + hostile.ods_cell("x")
        + '<table:table-cell table:number-columns-repeated="100"/></table:table-row></table:table>'
    )
    content = f"<r>{body}</r>".encode()
    tables = {t.name: t for t in ods_tables(tmp_path / "x.ods", content)}
    outer = tables["Blad1"]
    assert (outer.last_row, outer.last_col, outer.cells) == (4, 3, 3 + 4)
    assert outer.far_row == "A5" and outer.far_col == "D1"


def test_xls_extent_from_dimensions_and_cells(tmp_path: Path) -> None:
    from vpexcel.io.legacy_formats import xls_extents

    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    stream = hostile.xls_stream(
        [("A", [(0, 0, "x"), (9, 3, 1.0)]), ("B", [(0, 0, 1.0)])], dims=[(0, 10, 0, 4), (0, 65_536, 0, 256)]
    )
    extents = dict(xls_extents(tmp_path / "x.xls", stream))
    assert (extents["A"].last_row, extents["A"].last_col, extents["A"].cells) == (9, 3, 2)
    # DIMENSIONS within the grid is not what makes calamine allocate (measured: 14 MB at 65536 x 256)
    assert (extents["B"].last_row, extents["B"].last_col) == (0, 0)


def test_formatted_empty_xls_cells_far_out_are_not_refused(tmp_path: Path) -> None:
    """Excel writes BLANK records for formatted empty cells; calamine builds nothing for them."""
    import struct

    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    stream = hostile.xls_stream([("Blad1", [(0, 0, "Område"), (1, 0, 5.0)])], dims=[(0, 65_536, 0, 256)])
    blanks = hostile._biff(0x0201, struct.pack("<HHH", 65_535, 255, 15)) + hostile._biff(
        0x00BE, struct.pack("<HHHHH", 40_000, 0, 15, 15, 200)
    )
    at = stream.rindex(b"\x0a\x00\x00\x00")  # before the sheet's EOF
    path = tmp_path / "formaterad.xls"
    path.write_bytes(hostile.cfb({"Workbook": stream[:at] + blanks + stream[at:]}))
    book = read_workbook(path)
    assert book.sheets[0].rows == [["Område"], [5.0]]


def test_an_xls_without_the_ole_reader_installed_is_refused_in_swedish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """olefile is a runtime dependency; should an installation lack it, the user gets a sentence, not exit 3."""
    import sys

    path = build("xls", tmp_path)
    monkeypatch.setitem(sys.modules, "olefile", None)
    rc, _, err = run(["validate", str(path)], capsys)
    refused(rc, err, ".xlsx")


def test_olefile_is_a_declared_dependency() -> None:
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    deps = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert '"olefile' in deps


# --- the workbook as a whole: calamine builds every sheet of an .xls or .ods when it opens the file ------


def _refused_in_a_small_process(path: Path, *words: str) -> None:
    """`vpexcel validate` in a child whose address space is capped at 1 GiB: calamine building any of these
    files would abort there (each takes gigabytes); the refusal comes before it builds anything."""
    import resource
    import sys

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    done = subprocess.run(
        [sys.executable, "-m", "vpexcel", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
        check=False,
    )
    refused(done.returncode, done.stderr, *words)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        # 16 tables, each one valued cell repeated 16 million times: each under the sheet bound, 262 million in all
        ("ods_many_tables", ["manga-blad.ods", "tillsammans 262 144 000 celler", "Spara arbetsboken som .xlsx"]),
        # 64 sheets on one substream of a million cells
        ("xls_shared_substream", ["samma-blad.xls", "trasig", "Spara om arbetsboken från Excel"]),
        # MULRK records claiming A:IV with one value each do not make a stray IV65536 look dense
        ("xls_mulrk_claims", ["'Produktionsområden'", "IV65536", "Ta bort"]),
        # an embedded chart's EOF does not end the sheet
        ("xls_cell_after_chart", ["'Produktionsområden'", "IV65536", "Ta bort"]),
        # a repeat of 49 million valued cells hidden from a walk that read tags as text (found by the second reviewer)
        ("ods_gt_in_attribute", ["storre-an.ods", "'Budget'", "XFD3002"]),
        ("ods_decoy_repeat", ["lockbete.ods", "'Budget'", "XFD3002"]),
        ("ods_comment_close", ["kommentar.ods", "'Budget'", "XFD3002"]),
        ("ods_cdata_close", ["cdata.ods", "'Budget'", "XFD3003"]),
        ("ods_stray_close", ["los-slut.ods", "trasigt", "avslutas utan att ha börjat"]),
        # .xlsx sheets are built one by one, but every sheet's rows are kept: 100 sparse sheets of a million cells
        ("xlsx_many_sparse", ["manga-glesa-blad.xlsx", "tillsammans fler än 20 000 000 celler", "'Blad 21'", "dela upp"]),
    ],
)
def test_workbooks_too_large_as_a_whole_are_refused_before_calamine_builds_them(
    name: str, words: list[str], tmp_path: Path
) -> None:
    _refused_in_a_small_process(build(name, tmp_path), *words)


def test_many_xls_sheets_each_within_the_bound_are_refused_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    # 21 sheets of 3906 x 256 with two numbers each: under the sheet bound one by one, 21 million cells together
    sheets = [(f"Blad{i}", [(0, 0, 1.0), (3905, 255, 1.0)]) for i in range(21)]
    path = tmp_path / "manga-blad.xls"
    path.write_bytes(hostile.cfb({"Workbook": hostile.xls_stream(sheets)}))
    rc, _, err = run(["validate", str(path)], capsys)
    refused(rc, err, "manga-blad.xls", "tillsammans 20 998 656 celler", ".xls-fil", "Spara arbetsboken som .xlsx")
    fewer = tmp_path / "farre-blad.xls"
    fewer.write_bytes(hostile.cfb({"Workbook": hostile.xls_stream(sheets[:20])}))
    assert len(read_workbook(fewer).sheets) == 20  # 20 million cells in all: read


def _bound_offsets(stream: bytes) -> list[int]:
    import struct

    at, found = 0, []
    while at < len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        if kind == 0x0085:
            found.append(at + 4)
        at += 4 + size
    return found


@pytest.mark.parametrize("where", ["same", "globals", "inside", "past_end"])
def test_xls_sheets_that_do_not_point_at_a_substream_of_their_own_are_refused(where: str, tmp_path: Path) -> None:
    import struct

    from vpexcel.errors import InputError
    from vpexcel.io.legacy_formats import xls_extents

    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    stream = bytearray(hostile.xls_stream([("A", [(0, 0, 1.0)]), ("B", [(0, 0, 2.0)])]))
    first, second = _bound_offsets(bytes(stream))
    (start,) = struct.unpack_from("<I", stream, first)
    target = {"same": start, "globals": 0, "inside": start + 4, "past_end": len(stream) + 100}[where]
    struct.pack_into("<I", stream, second, target)
    with pytest.raises(InputError, match="Spara om arbetsboken från Excel"):
        xls_extents(tmp_path / "x.xls", bytes(stream))


def test_a_mulrk_counts_what_its_payload_holds(tmp_path: Path) -> None:
    """calamine builds one cell per 6 bytes of a MULRK, from its first column on, whatever its last column says."""
    import struct

    from vpexcel.io.legacy_formats import xls_extents

    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    rk = struct.pack("<HI", 15, 0x3FF00000)  # 1.0
    wide_claim = hostile._biff(0x00BD, struct.pack("<HH", 2, 3) + rk + struct.pack("<H", 255))  # D3:IV3, one value
    narrow_claim = hostile._biff(0x00BD, struct.pack("<HH", 4, 0) + rk * 10 + struct.pack("<H", 0))  # A5:A5, ten values
    stream = hostile.xls_stream([("A", [(0, 0, 1.0)])], extra={0: wide_claim + narrow_claim})
    ((_, extent),) = xls_extents(tmp_path / "x.xls", stream)
    assert (extent.cells, extent.last_row, extent.last_col) == (1 + 1 + 10, 4, 9)


def test_an_xls_with_embedded_charts_reads_every_cell_of_its_sheets(tmp_path: Path) -> None:
    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    chart = hostile._biff_bof(0x0020) + hostile._biff(0x0203, b"\0" * 14) + hostile._biff(0x000A)  # its records skipped
    after = hostile._biff(0x0203, __import__("struct").pack("<HHHd", 6, 1, 15, 7.0))
    path = tmp_path / "diagram.xls"
    path.write_bytes(hostile.cfb({"Workbook": hostile.xls_stream([("Blad1", _BUDGET)], extra={0: chart + after})}))
    assert read_workbook(path).sheets[0].value(6, 1) == 7.0


_BUDGET: list[tuple[int, int, object]] = [
    (0, 0, "Produktionsområde"),
    (0, 1, "Budget 2024"),
    (1, 0, "Kommunledning"),
    (1, 1, -5.0),
]


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_a_multi_sheet_workbook_saved_by_libreoffice_gives_the_xlsx_findings(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ten sheets (the per-area sample) with every bound in place: read as from the .xlsx."""
    source = WORKBOOKS / "budget-2024-per-omrade.xlsx"
    converted = convert(source, kind, tmp_path)
    expected, _ = _findings(["validate", str(source)], capsys)
    got, _ = _findings(["validate", str(converted)], capsys)
    assert [f for f in got if f[0] != "VP405"] == expected
    assert len(read_workbook(converted).sheets) == 10


def test_templates_with_embedded_charts_saved_as_xls_are_read(tmp_path: Path) -> None:
    source = WORKBOOKS / "templates" / "delarsrapport-augusti.xlsx"
    converted = convert(source, "xls", tmp_path)
    assert [s.name for s in read_workbook(converted).sheets] == [s.name for s in read_workbook(source).sheets]


@pytest.mark.parametrize(
    ("codepage", "raw", "name"), [(None, "Överskott".encode("cp1252"), "Överskott"), (850, b"\x99vrigt", "Övrigt")]
)
def test_biff5_sheet_names_are_decoded_with_the_workbooks_code_page(
    codepage: int | None, raw: bytes, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Excel 5/95 files name their sheets in bytes of the workbook's code page (Windows-1252 unless a
    CODEPAGE record says otherwise); the name shows in the refusal."""
    import struct

    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile

    def bof(dt: int) -> bytes:
        return hostile._biff(0x0809, struct.pack("<HHHH", 0x0500, dt, 0x0DBB, 0x07CC))

    sheet = bof(0x0010) + hostile._biff(0x0203, struct.pack("<HHHd", 65535, 255, 15, 1.0)) + hostile._biff(0x000A)

    def book(offset: int) -> bytes:
        page = hostile._biff(0x0042, struct.pack("<H", codepage)) if codepage else b""
        bound = hostile._biff(0x0085, struct.pack("<IBBB", offset, 0, 0, len(raw)) + raw)
        return bof(0x0005) + page + bound + hostile._biff(0x000A)

    stream = book(len(book(0))) + sheet
    path = tmp_path / "excel95.xls"
    path.write_bytes(hostile.cfb({"Book": stream}))
    rc, _, err = run(["validate", str(path)], capsys)
    refused(rc, err, f"'{name}'", "IV65536")


def test_an_xls_error_value_after_an_embedded_chart_is_found(tmp_path: Path) -> None:
    """The error-value scan reads a sheet as calamine does: past an embedded chart's EOF."""
    import struct

    from vpexcel.grid import ErrorValue

    hostile = __import__("tests.test_hostile", fromlist=["hostile"]).hostile
    chart = hostile._biff_bof(0x0020) + hostile._biff(0x000A)
    na = hostile._biff(0x0205, struct.pack("<HHHBB", 1, 1, 15, 0x2A, 1))  # BOOLERR: #N/A at B2
    path = tmp_path / "diagram.xls"
    cells = [(0, 0, "Produktionsområde"), (0, 1, "Budget 2024"), (1, 0, "Kommunledning")]
    path.write_bytes(hostile.cfb({"Workbook": hostile.xls_stream([("Blad1", cells)], extra={0: chart + na})}))
    value = read_workbook(path).sheets[0].value(1, 1)
    assert isinstance(value, ErrorValue) and str(value) == "#N/A"
