"""Bounds for the formats read as values only (.xls and .ods), checked before calamine parses them.

python-calamine tells a sheet's extent only after it has built the sheet, and it builds a dense
rectangle: a hostile file can make it allocate gigabytes (measured in bench/README.md). So each
sheet's extent is found here first, from the file's own records, and refused with the same rules
as an .xlsx sheet's:

- .xls (BIFF8 in a compound file): the Workbook stream's records are walked; a FILEPASS record
  means the workbook is encrypted; each sheet's DIMENSIONS record and the row and column of every
  cell record give its extent (calamine reserves room for DIMENSIONS' rectangle, so a lying
  DIMENSIONS counts too). A sheet is read as calamine reads it: from the BOF its BOUNDSHEET record
  points at (which must be a sheet's BOF of its own, after the globals, overlapping no other
  sheet's substream) to its own EOF, skipping substreams nested in it (embedded charts); a MULRK
  counts the cells its payload holds.
- .ods (a zip with content.xml): the zip's sizes and the DTD check as for .xlsx, then content.xml
  is streamed and each table's rows and cells are counted with their ``number-rows-repeated`` and
  ``number-columns-repeated``. Repeated cells and rows without a value (how LibreOffice fills a
  sheet out to 1048576 x 16384) do not count: calamine does not build them.

calamine builds every sheet of an .xls or .ods when it opens the file, so besides each sheet's
bound the rectangles of all sheets together are held to ``MAX_CELLS_PER_WORKBOOK``.
"""

from __future__ import annotations

import html
import itertools
import re
import struct
import zipfile
from pathlib import Path

from vpexcel.errors import InputError, log_detail
from vpexcel.grid import a1
from vpexcel.io import xlsx_reader as xr

MAX_SHEETS = 1_000
XLS_ROWS, XLS_COLS = 65_536, 256  # the BIFF8 grid

_FILEPASS = 0x002F
_BOF, _EOF, _DIMENSIONS, _BOUNDSHEET = 0x0809, 0x000A, 0x0200, 0x0085
_MULRK, _STRING, _CODEPAGE = 0x00BD, 0x0207, 0x0042
# the substreams a BOUNDSHEET may point at (BOF's dt): worksheet or dialog sheet, chart, macro sheet, VB module
_SHEET_BOFS = {0x0010, 0x0020, 0x0040, 0x0006}
# cell records with a value, whose payload starts with row (u16) and column (u16). BLANK and MULBLANK
# (formatted empty cells) are left out: calamine builds nothing for them (measured: a BLANK at IV65536, 14 MB)
_CELL_RECORDS = {0x0203, 0x00FD, 0x027E, 0x0006, 0x0205, 0x0204, 0x00D6, 0x0406}


# --- the workbook as a whole -------------------------------------------------------------------


def check_workbook(path: Path, kind: str, sheets: list[tuple[str, xr._Extent]]) -> None:
    """Each sheet's bound, then the workbook's: calamine builds every sheet of an .xls or .ods when it
    opens the file, so the rectangles of all sheets together count against ``MAX_CELLS_PER_WORKBOOK``
    (a sheet's rectangle, or its cell records where they are more, as duplicates are each kept)."""
    total = 0
    for name, extent in sheets:
        xr._check_extent(path, name, extent)
        if extent.last_row >= 0:
            total += max((extent.last_row + 1) * (extent.last_col + 1), extent.cells)
    if total > xr.MAX_CELLS_PER_WORKBOOK:
        cells, limit = (f"{x:,}".replace(",", " ") for x in (total, xr.MAX_CELLS_PER_WORKBOOK))
        raise xr._unreadable(
            path,
            f"bladen täcker tillsammans {cells} celler, fler än de {limit} som går att läsa ur en {kind}-fil "
            "(där läses alla blad in på en gång). Spara arbetsboken som .xlsx i Excel, eller ta bort blad och "
            "innehåll långt utanför tabellerna, och försök igen.",
        )


# --- .xls -------------------------------------------------------------------------------------


def vet_xls(path: Path) -> ErrorCells:
    """Refuse an .xls that is encrypted, broken, or has sheets calamine would build too large; return
    the cells holding an error value, found in the same walk (calamine gives them as empty cells)."""
    try:
        import olefile
    except ImportError:  # a broken installation: said in Swedish, never an internal error
        raise xr._unreadable(path, "stödet för .xls saknas i den här installationen. Spara filen som .xlsx i Excel.") from None
    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if ole.exists("EncryptedPackage"):
                raise xr._unreadable(
                    path,
                    "arbetsboken är lösenordsskyddad. Ta bort lösenordet i Excel (Arkiv > Info > Skydda arbetsbok) och spara en kopia.",
                )
            if stream is None:
                raise xr._unreadable(path, "den är ingen Excel-arbetsbok. Spara filen som .xlsx i Excel och försök igen.")
            if ole.get_size(stream) > xr.MAX_UNCOMPRESSED_BYTES:
                raise xr._unreadable(path, "arbetsboken är orimligt stor. Dela upp arbetsboken.")
            data = ole.openstream(stream).read()
    except InputError:
        raise
    except Exception as exc:  # olefile raises several types for a broken container
        log_detail(f"{path}: olefile: {type(exc).__name__}: {exc}")
        raise xr._unreadable(path, "filen är trasig (.xls). Spara om arbetsboken från Excel.") from None
    errors = _Errors()
    check_workbook(path, ".xls", xls_extents(path, data, errors))
    return errors.found


def _broken_sheets(path: Path) -> InputError:
    return xr._unreadable(
        path, "den är trasig (bladen pekar inte var och ett på ett eget blad i filen). Spara om arbetsboken från Excel."
    )


def xls_extents(path: Path, data: bytes, errors: _Errors | None = None) -> list[tuple[str, xr._Extent]]:
    """(sheet name, extent) for each sheet of a BIFF8 Workbook stream; refused when the sheets'
    BOUNDSHEET records do not each point at a substream of their own. Error values go to ``errors``."""
    sheets, globals_end = _xls_sheets(path, data)
    n = len(data)
    found: list[tuple[str, xr._Extent]] = []
    spans: list[tuple[int, int]] = []
    for offset, name in sheets:
        # calamine reads a sheet from wherever its record points: each must be the BOF of a sheet's substream
        # after the globals, or a crafted file has calamine build one substream again and again
        if offset < globals_end or offset + 8 > n:
            raise _broken_sheets(path)
        kind, size, _version, dt = struct.unpack_from("<HHHH", data, offset)
        if kind != _BOF or size < 4 or dt not in _SHEET_BOFS:
            raise _broken_sheets(path)
        extent, end = _xls_sheet_extent(path, name, data, offset, errors if errors is not None else _Errors())
        found.append((name, extent))
        spans.append((offset, end))
    spans.sort()
    if any(later < end for (_, end), (later, _) in itertools.pairwise(spans)):
        raise _broken_sheets(path)  # two sheets on the same substream, or one inside another
    return found


def _xls_sheets(path: Path, data: bytes) -> tuple[list[tuple[int, str]], int]:
    """(stream offset, name) of each BOUNDSHEET in the workbook globals, and where the globals end."""
    raw_sheets: list[tuple[int, str | bytes]] = []  # a BIFF5 name in bytes, decoded once CODEPAGE is known
    i, n = 0, len(data)
    globals_end = n + 1  # no sheet can start before the globals' EOF; none at all when there is no EOF
    biff5, codepage = False, 1252
    # the workbook globals: up to the first EOF
    while i + 4 <= n:
        kind, size = struct.unpack_from("<HH", data, i)
        at = i + 4
        i = at + size
        if i > n:
            break  # a record cut off: no sheet list after it
        if kind == _FILEPASS:
            raise xr._unreadable(
                path,
                "arbetsboken är lösenordsskyddad. Ta bort lösenordet i Excel (Arkiv > Info > Skydda arbetsbok) och spara en kopia.",
            )
        if kind == _BOF and at == 4 and size >= 2:  # the globals' BOF gives the BIFF version
            biff5 = struct.unpack_from("<H", data, at)[0] == 0x0500
        if kind == _CODEPAGE and size >= 2:
            (codepage,) = struct.unpack_from("<H", data, at)
        if kind == _BOUNDSHEET and size >= 6 and at + size <= n:  # calamine reads any of 6 bytes or more
            (offset,) = struct.unpack_from("<I", data, at)
            cch = data[at + 6] if size > 6 else 0
            name: str | bytes
            if biff5:  # a byte string in the workbook's code page
                name = data[at + 7 : at + size][:cch]
            else:
                flags = data[at + 7] if size > 7 else 0
                raw = data[at + 8 : at + size]
                name = raw.decode("utf-16-le", "replace")[:cch] if flags & 1 else raw.decode("latin-1")[:cch]
            # every kind of sheet: calamine builds each one's cells when it opens the file (measured: a macro
            # sheet with a number at IV65536 took 526 MB before any sheet was asked for)
            raw_sheets.append((offset, name))
            if len(raw_sheets) > MAX_SHEETS:
                raise xr._unreadable(path, "den har orimligt många blad och ser skadlig ut. Spara om den från Excel.")
        if kind == _EOF:
            globals_end = i
            break
    sheets = [(off, raw.decode(_codec(codepage), "replace") if isinstance(raw, bytes) else raw) for off, raw in raw_sheets]
    return sheets, globals_end


def _codec(codepage: int) -> str:
    """Python's codec for a CODEPAGE record's value; Windows-1252 (Excel's default) when unknown."""
    import codecs

    named = {367: "ascii", 10000: "mac_roman", 0x8000: "mac_roman", 0x8001: "cp1252"}
    codec = named.get(codepage, f"cp{codepage}")
    if codepage == 1200:  # UTF-16 says nothing about a BIFF5 byte string
        return "cp1252"
    try:
        codecs.lookup(codec)
    except LookupError:
        return "cp1252"
    return codec


def _xls_sheet_extent(path: Path, name: str, data: bytes, start: int, errors: _Errors) -> tuple[xr._Extent, int]:
    """The extent of the sheet whose substream starts at ``start``, and where the substream ends."""
    cells, last_row, last_col = 0, -1, -1
    far_row, far_col = (-1, -1), (-1, -1)

    def see(row: int, col: int) -> None:
        nonlocal last_row, last_col, far_row, far_col
        if row > last_row:
            last_row, far_row = row, (row, col)
        if col > last_col:
            last_col, far_col = col, (row, col)

    i, n = start, len(data)
    depth = -1  # as calamine reads: the first BOF is the sheet's; the records of a substream nested in it
    # (an embedded chart) are skipped, and the sheet ends at its own EOF, not the first one
    while i + 4 <= n:
        kind, size = struct.unpack_from("<HH", data, i)
        at = i + 4
        i = at + size
        if i > n:
            break  # a record cut off: calamine stops with an error there
        if kind == _BOF:
            depth += 1
            continue
        if kind == _EOF:
            if depth <= 0:
                break
            depth -= 1
            continue
        if depth > 0:
            continue
        if kind == _DIMENSIONS and size >= 12:
            _rw0, rw1, _c0, c1 = struct.unpack_from("<IIHH", data, at)
            if rw1 > XLS_ROWS or c1 > XLS_COLS:
                # calamine reserves room for what DIMENSIONS says beyond the grid (an abort, not an error,
                # when that is more than the machine has); within the grid it costs nothing measurable
                raise xr._unreadable(
                    path,
                    f"bladet {name!r} anger en storlek utanför rutnätet för .xls ({a1(min(rw1, 10**8) - 1, c1 - 1)}). "
                    "Spara om arbetsboken från Excel.",
                )
        elif kind in _CELL_RECORDS and size >= 4:
            row, col = struct.unpack_from("<HH", data, at)
            cells += 1
            see(row, col)
            if kind == _BOOLERR and size >= 8 and data[at + 7]:  # a typed error value (not a boolean)
                errors.add(name, row, col, _XLS_ERROR_CODES.get(data[at + 6], "#VALUE!"))
            elif kind == _FORMULA and size >= 14 and data[at + 12 : at + 14] == b"\xff\xff" and data[at + 6] == 2:
                errors.add(name, row, col, _XLS_ERROR_CODES.get(data[at + 8], "#VALUE!"))  # a formula's error result
        elif kind == _STRING:
            cells += 1  # a formula's text value: one more cell where the formula stands
        elif kind == _MULRK and size >= 6:
            # calamine builds one cell per 6 bytes of payload from the first column on, whatever the last
            # column field claims (and refuses the record when the two disagree)
            row, first = struct.unpack_from("<HH", data, at)
            count = (size - 6) // 6
            if count:
                cells += count
                see(row, first + count - 1)
    extent = xr._Extent(
        cells,
        last_row,
        last_col,
        a1(*far_row) if last_row >= 0 else "",
        a1(*far_col) if last_col >= 0 else "",
    )
    return extent, min(i, n)


# --- .ods -------------------------------------------------------------------------------------

_ODS_TAG = re.compile(
    rb"<(/?)(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])((?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+)>"
    rb"|<(?:[\w.-]+:)?p[\s>]"
    rb"|(<!--|<!\[CDATA\[|<\?)",  # a comment, CDATA section or processing instruction: skipped whole
)
_SKIP_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_ATTR = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_VALUE_TYPE = re.compile(rb"value-type\s*=")
_ODS_ERROR = re.compile(rb"value-type\s*=\s*[\"']error[\"']")  # a quick test on the raw tag, then the parsed one
_ANNOTATION_END = b"</office:annotation>"
_ODS_TEXT = re.compile(rb"<(?:[\w.-]+:)?p(?:\s[^<>]*)?>([^<]{1,40})<")


def is_ods(path: Path, zf: zipfile.ZipFile) -> bool:
    """Whether the zip says it is an OpenDocument spreadsheet (only the head of its mimetype is read)."""
    if "mimetype" not in zf.namelist():
        return False
    try:
        with zf.open("mimetype") as fh:
            head = fh.read(128)
    except xr._MEMBER_ERRORS as exc:
        raise xr._damaged(path, "mimetype", exc) from None
    return b"opendocument.spreadsheet" in head


class _OdsTable:
    def __init__(self, name: str) -> None:
        self.name = name
        self.cells = 0
        self.last_row, self.last_col = -1, -1
        self.far_row, self.far_col = "", ""

    def see(self, row: int, col: int) -> None:
        if row > self.last_row:
            self.last_row, self.far_row = row, a1(min(row, 10**8), min(col, 10**6))
        if col > self.last_col:
            self.last_col, self.far_col = col, a1(min(row, 10**8), min(col, 10**6))


def vet_ods(path: Path, zf: zipfile.ZipFile) -> ErrorCells:
    """Refuse an .ods whose zip, XML or tables would make calamine spend too much; return the cells
    LibreOffice marks as an error value (``calcext:value-type="error"``), found in the same walk."""
    xr._check_zip(path, zf, ods=True)
    for info in zf.infolist():
        if info.filename.lower().endswith((".xml", ".rdf")) and info.filename != "content.xml":
            for _ in xr._member_chunks(path, zf, info.filename):  # DTD check and damage, streamed
                pass
    if "content.xml" not in zf.namelist():
        raise xr._unreadable(path, "den saknar sitt innehåll (content.xml). Spara om kalkylarket och försök igen.")
    data = xr._read_member(path, zf, "content.xml")
    errors = _Errors()
    tables = ods_tables(path, data, errors)
    extents = [(t.name, xr._Extent(t.cells, t.last_row, t.last_col, t.far_row, t.far_col)) for t in tables]
    check_workbook(path, ".ods", extents)
    return errors.found


def ods_tables(path: Path, data: bytes, errors: _Errors | None = None) -> list[_OdsTable]:
    """Each table's valued cells and extent, repeats counted, trailing empty repeats not; the error
    cells of the sheets (not of tables nested in a cell) go to ``errors``. A cell opened inside an
    open cell (not inside a table of its own) is no spreadsheet: refused, as it would hide the outer
    cell from the count."""
    tables: list[_OdsTable] = []
    table: _OdsTable | None = None
    row = -1  # the row being read (its first index)
    row_repeat = 1
    col = 0
    cell_open: tuple[int, int, bool] | None = None  # (first col, repeat, has value so far)
    outer: list[tuple[_OdsTable | None, int, int, int, tuple[int, int, bool] | None]] = []
    at = 0
    stack: list[bytes] = []
    while (m := _ODS_TAG.search(data, at)) is not None:
        at = m.end()
        if m.group(4) is not None:  # no tag inside a comment, CDATA or processing instruction is one
            end = data.find(_SKIP_END[m.group(4)], at)
            if end < 0:
                raise xr._unreadable(path, "innehållet är trasigt (en kommentar som aldrig slutar).")
            at = end + len(_SKIP_END[m.group(4)])
            continue
        if m.group(2) is None:  # a <text:p>: the open cell holds text
            if cell_open is not None:
                cell_open = (cell_open[0], cell_open[1], True)
            continue
        closing, tag, attrs = m.group(1) == b"/", m.group(2), m.group(3)
        # every end tag closes the element opened last (as calamine's XML parser requires): a stray one
        # would otherwise make this walk lose its place while calamine goes on building
        if closing:
            if not stack or stack.pop() != tag:
                raise xr._unreadable(path, "innehållet är trasigt (ett element avslutas utan att ha börjat).")
        elif not attrs.endswith(b"/"):
            stack.append(tag)
        if tag == b"table":
            if closing:  # back to the table around it, if this one was nested in a cell
                table, row, row_repeat, col, cell_open = outer.pop() if outer else (None, -1, 1, 0, None)
            elif not attrs.endswith(b"/"):
                outer.append((table, row, row_repeat, col, cell_open))
                name = _attrs(attrs).get(b"table:name")
                # the name as calamine gives it: entities decoded ("Drift &amp; investering")
                table = _OdsTable(html.unescape(name.decode("utf-8", "replace")) if name is not None else "")
                tables.append(table)
                if len(tables) > MAX_SHEETS:
                    raise xr._unreadable(path, "den har orimligt många blad och ser skadlig ut. Spara om den.")
                row, row_repeat, col, cell_open = -1, 1, 0, None
            continue
        if table is None:
            continue
        if tag == b"table-row":
            if not closing:
                row += row_repeat
                row_repeat = _repeat(_attrs(attrs), b"rows")
                col = 0
            continue
        # a cell
        if closing:
            if cell_open is not None:
                _count(table, row, row_repeat, *cell_open)
                cell_open = None
            continue
        if cell_open is not None:
            raise xr._unreadable(path, "innehållet är trasigt (en cell inne i en annan cell).")
        parsed = _attrs(attrs) if b"-repeated" in attrs or b"error" in attrs else {}  # most cells have neither
        repeat = _repeat(parsed, b"columns")
        valued = bool(_VALUE_TYPE.search(attrs))
        if errors is not None and len(outer) == 1 and row >= 0 and _ODS_ERROR.search(attrs) and _is_error(parsed):
            text_at = m.end()
            if data.startswith(b"<office:annotation", text_at):  # a cell comment comes before the cell's text
                end = data.find(_ANNOTATION_END, text_at, text_at + 65_536)
                text_at = end + len(_ANNOTATION_END) if end >= 0 else text_at
            text = _ODS_TEXT.match(data, text_at)
            code = text.group(1).decode("utf-8", "replace").strip() if text else ""
            errors.add_block(table.name, row, row_repeat, col, repeat, code if code.startswith("#") else "#VALUE!")
        if attrs.endswith(b"/"):
            _count(table, row, row_repeat, col, repeat, valued)
        else:
            cell_open = (col, repeat, valued)
        col += repeat
    return tables


def _attrs(attrs: bytes) -> dict[bytes, bytes]:
    return {k: a or b for k, a, b in _ATTR.findall(attrs)}


def _is_error(attrs: dict[bytes, bytes]) -> bool:
    """Whether a cell's own value-type attribute (any prefix) says error, not text inside another attribute."""
    return any(k.rsplit(b":", 1)[-1] == b"value-type" and v == b"error" for k, v in attrs.items())


def _repeat(attrs: dict[bytes, bytes], what: bytes) -> int:
    """The largest ``*:number-{what}-repeated`` of a tag's parsed attributes, 1 when it has none."""
    want = b"number-" + what + b"-repeated"
    found = [v for k, v in attrs.items() if k.rsplit(b":", 1)[-1] == want]
    return max([int(v) for v in found if v.isdigit() and len(v) <= 12] + [1])


def _count(table: _OdsTable, row: int, row_repeat: int, col: int, repeat: int, valued: bool) -> None:
    if not valued or row < 0:
        return
    table.cells += repeat * row_repeat
    table.see(row + row_repeat - 1, col + repeat - 1)


# --- error values -----------------------------------------------------------------------------
# python-calamine hands an error value (#DIV/0!, #N/A ...) over as an empty cell, so a total broken
# by one would read as a missing amount (a warning) instead of an error value (VP205, an error). They
# are found here, from the file's own records, and put in place by the reader as for an .xlsx.

_BOOLERR, _FORMULA = 0x0205, 0x0006
_XLS_ERROR_CODES = {
    0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A",
}  # fmt: skip
MAX_ERROR_CELLS = 100_000  # more than any real workbook has; the rest are left as calamine gives them
ErrorCells = dict[str, dict[tuple[int, int], str]]


class _Errors:
    """The error cells of a workbook, per sheet, at most ``MAX_ERROR_CELLS`` in all."""

    def __init__(self) -> None:
        self.found: ErrorCells = {}
        self.count = 0

    def add(self, sheet: str, row: int, col: int, code: str) -> bool:
        """Keep one error cell; False once the cap is reached (the rest stay as calamine gives them)."""
        if self.count >= MAX_ERROR_CELLS:
            return False
        self.found.setdefault(sheet, {})[(row, col)] = code
        self.count += 1
        return True

    def add_block(self, sheet: str, row: int, rows: int, col: int, cols: int, code: str) -> None:
        """A repeated error cell: each cell it covers, until the cap."""
        for r in range(row, row + rows):
            for c in range(col, col + cols):
                if not self.add(sheet, r, c, code):
                    return
