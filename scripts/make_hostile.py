"""Build the hostile input files of issue 9 (bounds, CPU, memory, damaged and odd files) into a folder.

Each builder is a small function ``build_NAME(folder) -> Path`` that writes one tiny file,
made from the shipped sample workbook; tests/test_hostile.py and bench/bench_hostile.py
call them. Run as a script to write them all:

    python scripts/make_hostile.py OUT_FOLDER
"""

from __future__ import annotations

import json
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "workbooks" / "budget-2024.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def rezip(src: Path, dst: Path, replace: dict[str, bytes], drop: tuple[str, ...] = ()) -> Path:
    """A copy of the zip ``src`` with some members replaced or added (deflated)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename in drop:
                continue
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
        for name, data in replace.items():
            if name not in zin.namelist():
                zout.writestr(name, data)
    return dst


def _sheet_xml() -> bytes:
    with zipfile.ZipFile(SAMPLE) as zf:
        return zf.read(SHEET)


def _with_sheet(folder: Path, name: str, sheet: bytes) -> Path:
    return rezip(SAMPLE, folder / name, {SHEET: sheet})


def _stray(folder: Path, ref: str, name: str) -> Path:
    row = "".join(ch for ch in ref if ch.isdigit())
    extra = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>'.encode()
    return _with_sheet(folder, name, _sheet_xml().replace(b"</sheetData>", extra, 1))


def build_stray_xfd(folder: Path) -> Path:
    """One value at XFD1048576, the last cell of a sheet (calamine alone would build 17 billion cells)."""
    return _stray(folder, "XFD1048576", "strocell-xfd.xlsx")


def build_stray_cv(folder: Path) -> Path:
    """One value at CV1048576 (100 columns by a million rows)."""
    return _stray(folder, "CV1048576", "strocell-cv.xlsx")


def build_stray_a(folder: Path) -> Path:
    """One value at A1048576, far below the table."""
    return _stray(folder, "A1048576", "strocell-a.xlsx")


def build_empty_formulas(folder: Path) -> Path:
    """20,000 empty ``<f/>`` elements outside any cell."""
    sheet = _sheet_xml().replace(b"</sheetData>", b"</sheetData>" + b"<f/>" * 20_000, 1)
    return _with_sheet(folder, "tomma-formler.xlsx", sheet)


def build_error_cells(folder: Path) -> Path:
    """20,000 ``<c t="e"/>`` cells without a value."""
    cells = b"".join(b'<c r="%s%d" t="e"/>' % (b"Z", r) for r in range(100, 20_100))
    rows = b'<row r="100">' + cells + b"</row>"
    # every cell in one row is odd but legal enough for a parser; the scanner must stay linear
    sheet = _sheet_xml().replace(b"</sheetData>", rows + b"</sheetData>", 1)
    return _with_sheet(folder, "felceller.xlsx", sheet)


def build_unpacks_to_a_gigabyte(folder: Path) -> Path:
    """About 1 GB of sheet XML in 100 parts, each under the per-part limit of 10 MB."""
    part = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    part += b"<row/>" * ((10 * 1024 * 1024 - 200) // 6) + b"</sheetData></worksheet>"
    replace = {f"xl/worksheets/fyll{i}.xml": part for i in range(100)}
    return rezip(SAMPLE, folder / "gigabyte.xlsx", replace)


def build_late_dtd(folder: Path) -> Path:
    """An entity declaration after the first 4 KB of a sheet part."""
    sheet = _sheet_xml()
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * 8192 + b"<!DOCTYPE x [<!ENTITY a 'b'>]>", 1)
    return _with_sheet(folder, "sen-dtd.xlsx", padded)


def build_nested_json(folder: Path) -> Path:
    """Settings JSON nested 100,000 levels deep."""
    path = folder / "djup.json"
    path.write_text('{"areas": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    return path


def build_many_areas(folder: Path) -> Path:
    """Settings JSON with 20,000 areas."""
    path = folder / "manga-omraden.json"
    areas = [{"name": f"Område {i}"} for i in range(20_000)]
    path.write_text(json.dumps({"areas": areas}, ensure_ascii=False), encoding="utf-8")
    return path


def build_damaged_member(folder: Path) -> Path:
    """The sheet part's compressed bytes flipped in the middle: a zlib error or a bad CRC."""
    path = rezip(SAMPLE, folder / "skadad.xlsx", {})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + 40):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    return path


def build_macro_sheet(folder: Path) -> Path:
    """An .xlsm with an Excel 4 macro sheet beside the worksheets."""
    with zipfile.ZipFile(SAMPLE) as zf:
        wb = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
        types = zf.read("[Content_Types].xml")
    wb = wb.replace(b"</sheets>", b'<sheet name="Makro1" sheetId="9" r:id="rId99"/></sheets>', 1)
    rels = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"'
        b' Target="macrosheets/sheet1.xml"/></Relationships>',
        1,
    )
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>',
        1,
    )
    macro = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        b' xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><f>HALT()</f><v>1</v></c></row></sheetData></xm:macrosheet>'
    )
    replace = {"xl/workbook.xml": wb, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types}
    replace["xl/macrosheets/sheet1.xml"] = macro
    return rezip(SAMPLE, folder / "makroblad.xlsm", replace)


def build_shared_string_lie(folder: Path) -> Path:
    """A shared-string table that claims two billion strings (calamine would reserve room for them)."""
    import re

    with zipfile.ZipFile(SAMPLE) as zf:
        sst = zf.read("xl/sharedStrings.xml")
    sst = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="2000000000"', sst, count=1)
    return rezip(SAMPLE, folder / "texttabell.xlsx", {"xl/sharedStrings.xml": sst})


def build_infinite_rounding(folder: Path) -> Path:
    """Settings JSON whose rounding would silence every arithmetic check."""
    path = folder / "avrundning.json"
    path.write_text('{"rounding": 1e300}', encoding="utf-8")
    return path


# --- .xlsb: a minimal binary workbook (BIFF12 records) ---------------------------------------


def build_xlsx_many_sparse_sheets(folder: Path) -> Path:
    """An .xlsx of 100 sheets, each with values at A1 and ALL1000 only: each rectangle (a million cells)
    is under the sheet bound, all of them together are 100 million cells of Python lists."""
    import xlsxwriter

    path = folder / "manga-glesa-blad.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for k in range(100):
        ws = wb.add_worksheet(f"Blad {k + 1}")
        ws.write_number(0, 0, 1)
        ws.write_number(999, 999, 1)
    wb.close()
    return path


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _record(kind: int, payload: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(payload)) + payload


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb_sheet(rows: list[list[object]]) -> bytes:
    width = max(len(line) for line in rows)
    out = _record(129)  # BrtBeginSheet
    out += _record(148, struct.pack("<IIII", 0, len(rows) - 1, 0, width - 1))  # BrtWsDim
    out += _record(145)  # BrtBeginSheetData
    for r, line in enumerate(rows):
        out += _record(0, struct.pack("<IIHBBBI", r, 0, 0x12C, 0, 0, 0, 0))  # BrtRowHdr
        for c, v in enumerate(line):
            head = struct.pack("<II", c, 0)  # column, style
            if isinstance(v, str):
                out += _record(6, head + _wide(v))  # BrtCellSt
            elif isinstance(v, int | float):
                out += _record(5, head + struct.pack("<d", float(v)))  # BrtCellReal
    return out + _record(146) + _record(130)  # BrtEndSheetData, BrtEndSheet


def build_xlsb(folder: Path) -> Path:
    """A binary workbook (.xlsb) with a small budget table."""
    rows: list[list[object]] = [
        ["Produktionsområde", "Intäkter", "Kostnader", "Netto"],
        ["Vuxenutbildning", 10.0, -33.3, -23.3],
        ["Räddningstjänst", 1.0, -30.0, -29.0],
    ]
    book = _record(131)  # BrtBeginBook
    book += _record(143)  # BrtBeginBundleShs
    book += _record(156, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("Budget"))  # BrtBundleSh
    book += _record(144) + _record(132)  # BrtEndBundleShs, BrtEndBook
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>'
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
        ' Target="xl/workbook.bin"/></Relationships>'
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
        ' Target="worksheets/sheet1.bin"/></Relationships>'
    )
    path = folder / "budget.xlsb"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.bin", book)
        zf.writestr("xl/_rels/workbook.bin.rels", wb_rels)
        zf.writestr("xl/worksheets/sheet1.bin", _xlsb_sheet(rows))
    return path


# --- .xls: a minimal BIFF8 workbook in a compound file (CFB) ---------------------------------


def _biff(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _biff_bof(dt: int) -> bytes:
    return _biff(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x0206))


def xls_stream(
    sheets: list[tuple[str, list[tuple[int, int, object]]]],
    dims: list[tuple[int, int, int, int]] | None = None,
    extra: dict[int, bytes] | None = None,
) -> bytes:
    """A BIFF8 Workbook stream: sheets as (name, [(row, col, value)]), DIMENSIONS from the cells unless given,
    and ``extra`` records (by sheet index) written after a sheet's cells."""
    strings: dict[str, int] = {}
    for _, cells in sheets:
        for _, _, v in cells:
            if isinstance(v, str):
                strings.setdefault(v, len(strings))
    sst = _biff(
        0x00FC,
        struct.pack("<II", len(strings), len(strings))
        + b"".join(struct.pack("<HB", len(t), 1) + t.encode("utf-16-le") for t in strings),
    )
    xfs = b"".join(
        _biff(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5 if i < 15 else 1, 0x20, 0, 0, 0, 0, 0, 0x20C0)) for i in range(16)
    )

    def book_globals(offsets: list[int]) -> bytes:
        out = _biff_bof(0x0005) + _biff(0x0042, struct.pack("<H", 1200)) + xfs
        for (name, _), off in zip(sheets, offsets, strict=True):
            out += _biff(0x0085, struct.pack("<IBBBB", off, 0, 0, len(name), 1) + name.encode("utf-16-le"))
        return out + sst + _biff(0x000A)

    subs = []
    for i, (_, cells) in enumerate(sheets):
        rows = [r for r, _, _ in cells] or [0]
        cols = [c for _, c, _ in cells] or [0]
        d = dims[i] if dims else (0, max(rows) + 1, 0, max(cols) + 1)
        body = _biff_bof(0x0010) + _biff(0x0200, struct.pack("<IIHHH", *d, 0))
        for r, c, v in cells:
            if isinstance(v, str):
                body += _biff(0x00FD, struct.pack("<HHHI", r, c, 15, strings[v]))
            else:
                body += _biff(0x0203, struct.pack("<HHHd", r, c, 15, float(v)))  # type: ignore[arg-type]
        subs.append(body + (extra or {}).get(i, b"") + _biff(0x000A))
    offsets, at = [], len(book_globals([0] * len(sheets)))
    for sub in subs:
        offsets.append(at)
        at += len(sub)
    return book_globals(offsets) + b"".join(subs)


def cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file (version 3, 512-byte sectors) holding the streams (each padded to 4096 bytes, so
    no mini stream is needed)."""
    sec = 512
    sectors: list[bytes] = []
    entries = []
    for name, data in streams.items():
        data = data.ljust(4096, b"\0")
        n = (len(data) + sec - 1) // sec
        entries.append((name, len(sectors), n, len(data)))
        sectors += [data[i * sec : (i + 1) * sec].ljust(sec, b"\0") for i in range(n)]
    ndir = (len(entries) + 1 + 3) // 4
    nfat = 1
    while len(sectors) + ndir + nfat > nfat * 128:
        nfat += 1
    fat: list[int] = []
    for _, start, n, _ in entries:
        fat += [start + i + 1 if i < n - 1 else 0xFFFFFFFE for i in range(n)]
    dir_start = len(sectors)
    fat += [dir_start + i + 1 if i < ndir - 1 else 0xFFFFFFFE for i in range(ndir)]
    fat_start = len(fat)
    fat += [0xFFFFFFFD] * nfat
    fat += [0xFFFFFFFF] * (nfat * 128 - len(fat))

    def dirent(name: str, typ: int, start: int, size: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), typ, 1)
            + struct.pack("<III", 0xFFFFFFFF, right, child)
            + b"\0" * 36
            + struct.pack("<III", start, size, 0)
        )

    dirs = [dirent("Root Entry", 5, 0xFFFFFFFE, 0, child=1)]
    for i, (name, start, _, size) in enumerate(entries):
        dirs.append(dirent(name, 2, start, size, right=i + 2 if i + 1 < len(entries) else 0xFFFFFFFF))
    while len(dirs) % 4:
        dirs.append(dirent("", 0, 0, 0))
    difat = [fat_start + i for i in range(nfat)] + [0xFFFFFFFF] * (109 - nfat)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, nfat, dir_start, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<109I", *difat)
    )
    return header + b"".join(sectors) + b"".join(dirs) + struct.pack(f"<{len(fat)}I", *fat)


def _budget_cells() -> list[tuple[int, int, object]]:
    rows: list[list[object]] = [
        ["Produktionsområde", "Budget 2024"],
        ["Kommunledning", -1200.0],
        ["Barn och utbildning", -5300.0],
        ["Totalt", -6500.0],
    ]
    return [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row)]


def build_xls(folder: Path) -> Path:
    """A small .xls with a budget table and a text cell that looks like a formula."""
    cells = [*_budget_cells(), (5, 0, '=HYPERLINK("http://example.invalid","klicka")')]
    path = folder / "budget.xls"
    path.write_bytes(cfb({"Workbook": xls_stream([("Produktionsområden", cells)])}))
    return path


def build_xls_far_cell(folder: Path) -> Path:
    """An .xls with a budget table and one number at IV65536: calamine builds 16.7 million cells (1.2 GB)."""
    path = folder / "langt-ut.xls"
    path.write_bytes(cfb({"Workbook": xls_stream([("Produktionsområden", [*_budget_cells(), (65535, 255, 1.0)])])}))
    return path


def build_xls_macro_sheet_far_cell(folder: Path) -> Path:
    """An .xls with a budget sheet and a macro sheet holding a number at IV65536: calamine builds the
    macro sheet when it opens the file, though it is never asked for."""
    stream = bytearray(xls_stream([("Produktionsområden", _budget_cells()), ("Makro1", [(0, 0, 1.0), (65535, 255, 1.0)])]))
    at, seen = 0, 0
    while at < len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        if kind == 0x0085:
            seen += 1
            if seen == 2:
                stream[at + 4 + 5] = 1  # the sheet type: macro sheet
        at += 4 + size
    path = folder / "makroblad.xls"
    path.write_bytes(cfb({"Workbook": bytes(stream)}))
    return path


def build_xls_lying_dimensions(folder: Path) -> Path:
    """An .xls whose DIMENSIONS claims 2**32 rows: calamine reserves room for it and aborts."""
    path = folder / "dimensioner.xls"
    stream = xls_stream([("Produktionsområden", _budget_cells())], dims=[(0, 0xFFFFFFFF, 0, 0xFFFF)])
    path.write_bytes(cfb({"Workbook": stream}))
    return path


def build_xls_shared_substream(folder: Path) -> Path:
    """An .xls whose 64 sheets (BOUNDSHEET records) all point at one substream holding a number at A1 and
    one at IV3906: each sheet passes the per-sheet bound, but calamine builds the 1 million cells 64 times."""
    stream = xls_stream([("Blad01", [(0, 0, 1.0), (3905, 255, 1.0)])])
    at, out = 0, b""
    while at < len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        record = stream[at : at + 4 + size]
        at += 4 + size
        if kind == 0x0085:
            (offset,) = struct.unpack_from("<I", record, 4)
            offset += 63 * len(record)  # the 63 records added before the substream
            out += b"".join(
                _biff(0x0085, struct.pack("<IBBBB", offset, 0, 0, 6, 1) + f"Blad{i:02d}".encode("utf-16-le"))
                for i in range(1, 65)
            )
        else:
            out += record
    path = folder / "samma-blad.xls"
    path.write_bytes(cfb({"Workbook": out}))
    return path


def build_xls_mulrk_claims(folder: Path) -> Path:
    """An .xls with a number at IV65536 and 3,300 MULRK records that each claim columns A:IV but carry one
    value: counted by their claims the sheet looks dense (845,000 cells); calamine builds one cell per 6
    bytes of payload."""
    lies = b"".join(
        _biff(0x00BD, struct.pack("<HHHIH", row, 0, 15, 0x3FF00000, 255))  # row, first col, (xf, RK 1.0), last col
        for row in range(10, 3310)
    )
    stream = xls_stream([("Produktionsområden", [*_budget_cells(), (65535, 255, 1.0)])], extra={0: lies})
    path = folder / "mulrk.xls"
    path.write_bytes(cfb({"Workbook": stream}))
    return path


def build_xls_cut_record(folder: Path) -> Path:
    """An .xls whose workbook globals end in a CODEPAGE record cut off after its header (the stream ends
    one byte into its two-byte payload)."""
    stream = _biff_bof(0x0005)
    tail = struct.pack("<HH", 0x0042, 2) + b"\xe4"
    stream += _biff(0x0000, b"\0" * (4096 - len(stream) - len(tail) - 4)) + tail
    path = folder / "avklippt-post.xls"
    path.write_bytes(cfb({"Workbook": stream}))
    return path


def build_xls_cell_after_chart(folder: Path) -> Path:
    """An .xls whose sheet holds an embedded chart's substream (BOF ... EOF) and after it a number at IV65536:
    the chart's EOF is not the sheet's, so calamine reads on and builds 16.7 million cells (1.2 GB)."""
    chart = _biff_bof(0x0020) + _biff(0x000A) + _biff(0x0203, struct.pack("<HHHd", 65535, 255, 15, 1.0))
    path = folder / "efter-diagram.xls"
    path.write_bytes(cfb({"Workbook": xls_stream([("Produktionsområden", _budget_cells())], extra={0: chart})}))
    return path


# --- .ods: content.xml written by hand -------------------------------------------------------

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value: object, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="float" office:value="{value}"{rep}><text:p>{value}</text:p></table:table-cell>'


def write_ods(path: Path, tables: str) -> Path:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.3">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
        zf.writestr("content.xml", content)
    return path


def _ods_budget_rows(trailing: bool) -> str:
    rows = "".join(
        "<table:table-row>"
        + "".join(ods_cell(v) for v in row)
        + ('<table:table-cell table:number-columns-repeated="16382"/>' if trailing else "")
        + "</table:table-row>"
        for row in [
            ["Produktionsområde", "Budget 2024"],
            ["Kommunledning", -1200],
            ["Barn och utbildning", -5300],
            ["Totalt", -6500],
        ]
    )
    if trailing:  # as LibreOffice writes a sheet: empty rows and columns out to the grid's end
        rows += '<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    return rows


def build_ods(folder: Path) -> Path:
    """A small .ods filled out to 1048576 x 16384 with empty repeats (normal), and a formula-like text."""
    link = "<table:table-row>" + ods_cell('=HYPERLINK("http://example.invalid","klicka")') + "</table:table-row>"
    body = _ods_budget_rows(trailing=False) + link + _ods_budget_rows(trailing=True).split("</table:table-row>", 4)[-1]
    return write_ods(folder / "budget.ods", f'<table:table table:name="Produktionsområden">{body}</table:table>')


def build_ods_repeated_values(folder: Path) -> Path:
    """An .ods whose one cell with a value is repeated 16384 columns x 2000 rows: calamine builds 33 million cells (3.2 GB)."""
    wide = f'<table:table-row table:number-rows-repeated="2000">{ods_cell(1, 16384)}</table:table-row>'
    return write_ods(
        folder / "upprepad.ods", f'<table:table table:name="Produktionsområden">{_ods_budget_rows(False)}{wide}</table:table>'
    )


def build_ods_many_tables(folder: Path) -> Path:
    """An .ods of 16 tables, each one valued cell repeated 16384 columns x 1000 rows: every table is dense and
    under the per-sheet bound, but calamine builds all 16 (262 million cells) when it opens the file."""
    table = f'<table:table-row table:number-rows-repeated="1000">{ods_cell(1, 16384)}</table:table-row>'
    tables = "".join(f'<table:table table:name="Blad{i}">{table}</table:table>' for i in range(1, 17))
    return write_ods(folder / "manga-blad.ods", tables)


def build_ods_dtd(folder: Path) -> Path:
    """An .ods whose content.xml declares entities (a billion-laughs shape)."""
    path = build_ods(folder)
    with zipfile.ZipFile(path) as zf:
        content = zf.read("content.xml")
    content = content.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>', 1)
    out = folder / "entiteter.ods"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
    return out


_ODS_HEAD = (
    '<table:table table:name="Budget"><table:table-row>'
    + ods_cell("Produktionsområde")
    + ods_cell("Budget 2024")
    + "</table:table-row><table:table-row>"
    + ods_cell("Kommunledning")
    + ods_cell(-1200)
    + "</table:table-row>"
)
# one valued cell repeated 16384 columns x 3000 rows: 49 million cells, over the sheet bound when counted
_ODS_WIDE = '<table:table-cell {extra}office:value-type="float" office:value="1" table:number-columns-repeated="16384"><text:p>1</text:p></table:table-cell>'


def _ods_hidden_repeat(folder: Path, name: str, before: str = "", extra: str = "", in_row: str = "") -> Path:
    """A small .ods whose 49-million-cell repeat is hidden from a walk that reads tags as text, not XML."""
    cell = _ODS_WIDE.format(extra=extra)
    return write_ods(
        folder / name,
        _ODS_HEAD + before + f'<table:table-row table:number-rows-repeated="3000">{in_row}{cell}</table:table-row></table:table>',
    )


def build_ods_gt_in_attribute(folder: Path) -> Path:
    """A ">" inside a quoted attribute value (a formula such as of:=[.A1]>0) ends a tag read as text early."""
    return _ods_hidden_repeat(
        folder, "storre-an.ods", extra='table:formula="of:=[.A1]&gt;0" table:content-validation-name="a>b" '
    )


def build_ods_decoy_repeat(folder: Path) -> Path:
    """Another attribute's value that reads like number-columns-repeated='1', before the real one."""
    return _ods_hidden_repeat(folder, "lockbete.ods", extra="table:style-name=\"a number-columns-repeated='1'\" ")


def build_ods_comment_close(folder: Path) -> Path:
    """An XML comment holding an end tag of a table: no end tag to an XML parser."""
    return _ods_hidden_repeat(folder, "kommentar.ods", before="<!-- </table:table> -->")


def build_ods_cdata_close(folder: Path) -> Path:
    """A CDATA section in a cell's text holding an end tag of a table: text to an XML parser."""
    text = '<table:table-row><table:table-cell office:value-type="string"><text:p><![CDATA[</table:table>]]></text:p></table:table-cell></table:table-row>'
    return _ods_hidden_repeat(folder, "cdata.ods", before=text)


def build_ods_stray_close(folder: Path) -> Path:
    """An end tag of a table inside a cell that opened none."""
    return _ods_hidden_repeat(
        folder,
        "los-slut.ods",
        in_row='<table:table-cell office:value-type="string"><text:p>x</text:p></table:table></table:table-cell>',
    )


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "xlsx_many_sparse": build_xlsx_many_sparse_sheets,
    "stray_xfd": build_stray_xfd,
    "stray_cv": build_stray_cv,
    "stray_a": build_stray_a,
    "empty_formulas": build_empty_formulas,
    "error_cells": build_error_cells,
    "gigabyte": build_unpacks_to_a_gigabyte,
    "late_dtd": build_late_dtd,
    "nested_json": build_nested_json,
    "many_areas": build_many_areas,
    "damaged_member": build_damaged_member,
    "xlsb": build_xlsb,
    "macro_sheet": build_macro_sheet,
    "shared_string_lie": build_shared_string_lie,
    "infinite_rounding": build_infinite_rounding,
    "xls": build_xls,
    "xls_far_cell": build_xls_far_cell,
    "xls_lying_dimensions": build_xls_lying_dimensions,
    "xls_macro_sheet_far_cell": build_xls_macro_sheet_far_cell,
    "ods": build_ods,
    "ods_repeated_values": build_ods_repeated_values,
    "ods_dtd": build_ods_dtd,
    "ods_many_tables": build_ods_many_tables,
    "ods_gt_in_attribute": build_ods_gt_in_attribute,
    "ods_decoy_repeat": build_ods_decoy_repeat,
    "ods_comment_close": build_ods_comment_close,
    "ods_cdata_close": build_ods_cdata_close,
    "ods_stray_close": build_ods_stray_close,
    "xls_shared_substream": build_xls_shared_substream,
    "xls_mulrk_claims": build_xls_mulrk_claims,
    "xls_cell_after_chart": build_xls_cell_after_chart,
    "xls_cut_record": build_xls_cut_record,
}


def build_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: build(folder) for name, build in BUILDERS.items()}


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("hostile")
    for name, path in build_all(out).items():
        print(f"{name}: {path} ({path.stat().st_size} bytes)")
