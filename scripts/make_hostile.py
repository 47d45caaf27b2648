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


BUILDERS: dict[str, Callable[[Path], Path]] = {
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
}


def build_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: build(folder) for name, build in BUILDERS.items()}


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("hostile")
    for name, path in build_all(out).items():
        print(f"{name}: {path} ({path.stat().st_size} bytes)")
