"""Read an .xlsx/.xlsm file into a :class:`WorkbookGrid`, safely.

Values come from python-calamine (fast, the values Excel cached). Formulas and
error values, which calamine does not give, come from a scan of the sheet XML
for ``<f>`` elements and ``t="e"`` cells only. Before anything is parsed the file
is checked: its kind (zip, old .xls, encrypted), the zip's sizes (zip bombs), and
every XML part for a DTD (entity bombs; defusedxml parses the workbook part).
Every problem becomes an :class:`InputError` with a Swedish sentence.
"""

from __future__ import annotations

import html
import io
import os
import posixpath
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from vpexcel.errors import InputError, log_detail, log_path
from vpexcel.formulas import shift
from vpexcel.grid import (
    HIDDEN,
    VERY_HIDDEN,
    VISIBLE,
    ErrorValue,
    NoteKind,
    ReaderNote,
    SheetGrid,
    WorkbookGrid,
    a1,
    column_index,
    column_letter,
)
from vpexcel.io.resave import advice_for
from vpexcel.perf import cyclic_gc_paused

MAX_FILE_BYTES = 200 * 1024 * 1024
# The whole workbook unpacked (all parts together, not only each part): a budget or an
# exported ledger of 200,000 lines is well under this; 1 GB of XML is a bomb.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 20_000
MAX_CELLS_PER_SHEET = 20_000_000
# The rectangles of all sheets together may not exceed what one sheet may cost: vpexcel keeps every
# sheet's rows. For .xls and .ods this is checked before calamine opens the file (it builds every sheet
# then); for .xlsx and .xlsb as each sheet is built, before its rows become Python lists.
MAX_CELLS_PER_WORKBOOK = MAX_CELLS_PER_SHEET
# A sheet whose used rectangle is this large but holds few cells (a stray value at
# A1048576) is refused before calamine builds the rectangle densely.
SPARSE_MIN_CELLS = 1_000_000
SPARSE_FACTOR = 20
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
_CHUNK = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ROOT_PREFIX = re.compile(rb"<(\w+):worksheet[\s>]")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_OTHER_F_TAG = re.compile(rb"<f[\s/]")  # a formula tag with attributes, or an empty one
_REF_SPLIT = re.compile(r"([A-Z]+)(\d+)")


def _unreadable(path: Path, what: str) -> InputError:
    return InputError(f"Filen {path.name} kan inte läsas: {advice_for(path, what)}")


def check_file(path: Path, legacy: bool = False) -> bytes:
    """The first bytes of a file that may be a workbook; InputError for anything else.
    With ``legacy`` an old .xls (a compound file) passes too, to be read as values."""
    if not path.exists():
        raise InputError(f"Filen {path} finns inte. Kontrollera sökvägen och filnamnet.")
    if path.is_dir():
        raise InputError(f"{path} är en mapp, inte en arbetsbok. Ange arbetsbokens fil (.xlsx, .xlsm, .xlsb, .xls eller .ods).")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        log_detail(f"{path}: {type(exc).__name__}: {exc}")
        raise _unreadable(
            path, "åtkomst nekad eller filen är låst. Stäng filen i andra program och kontrollera behörigheten."
        ) from None
    if size == 0:
        raise _unreadable(path, "filen är tom (0 byte). Spara arbetsboken från Excel igen.")
    if size > MAX_FILE_BYTES:
        raise _unreadable(path, f"filen är större än {MAX_FILE_BYTES // (1024 * 1024)} MB. Dela upp arbetsboken.")
    if head.startswith(OLE_MAGIC):
        with path.open("rb") as fh:
            blob = fh.read(4 * 1024 * 1024)
        if _ENCRYPTED in blob:
            raise _unreadable(
                path,
                "arbetsboken är lösenordsskyddad. Ta bort lösenordet i Excel (Arkiv > Info > Skydda arbetsbok) och spara en kopia.",
            )
        if legacy:
            return head
        raise _unreadable(path, "den är i det gamla formatet .xls. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).")
    if not head.startswith(ZIP_MAGIC):
        raise _unreadable(
            path, _text_kind(path) or "den är ingen Excel-arbetsbok (.xlsx). Spara filen som .xlsx i Excel och försök igen."
        )
    return head


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(4096)
    except OSError:
        return b""


def _as_utf8(start: bytes, errors: str = "replace") -> bytes:
    """A file's first bytes in UTF-8: a UTF-16 sample (by its byte-order mark) decoded, any other as it is.
    With ``errors="strict"`` a UTF-16 sample that does not decode raises UnicodeDecodeError."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if start.startswith(bom):
            return start[2 : 2 + (len(start) - 2) // 2 * 2].decode(codec, errors).encode("utf-8", "replace")
    return start


def markup_kind(path: Path, start: bytes | None = None) -> str | None:
    """What a web page or XML file under a spreadsheet's name really is, with what to do (None for other
    files); ``start``: the file's first bytes when already read."""
    low = _as_utf8(_head(path) if start is None else start).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in low or (b"<workbook" in low and b"<ss:" in low):
            return (
                "den är ett XML-kalkylblad (SpreadsheetML 2003) och ingen Excel-arbetsbok. "
                "Öppna den i Excel och välj Arkiv > Spara som > Excel-arbetsbok (.xlsx)."
            )
        if b"office:document" in low and b"opendocument.spreadsheet" in low:
            return (
                "den är ett platt OpenDocument-kalkylark (.fods) och ingen Excel-arbetsbok. "
                "Öppna den i LibreOffice och välj Arkiv > Spara som > .ods eller .xlsx."
            )
        if b"<html" in low or b"<!doctype html" in low or b"<table" in low or b"<meta" in low:
            return (
                f"den är en webbsida (HTML) med namnet {path.suffix or path.name} och ingen Excel-arbetsbok. "
                "Öppna den i Excel och välj Arkiv > Spara som > Excel-arbetsbok (.xlsx)."
            )
    return None


def _text_kind(path: Path) -> str | None:
    """What a text file under a spreadsheet's name really is, with what to do (None when it cannot tell)."""
    start = _head(path)
    markup = markup_kind(path, start)
    if markup is not None:
        return markup
    try:
        start = _as_utf8(start, "strict")  # UTF-16 with its byte-order mark: Excel's "Unicode-text" export
    except UnicodeDecodeError:
        return None
    if b"\x00" not in start and start:
        try:
            start.decode("utf-8")
            text = True
        except UnicodeDecodeError as exc:
            text = exc.start > len(start) - 4  # a character cut at the end of the sample
        if text or all(b >= 0x20 or b in b"\t\r\n" for b in start):
            return (
                "den är en textfil (till exempel CSV) och ingen Excel-arbetsbok. "
                "Öppna den i Excel och välj Arkiv > Spara som > Excel-arbetsbok (.xlsx)."
            )
    return None


def _check_zip(path: Path, zf: zipfile.ZipFile, ods: bool = False) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _unreadable(path, "den innehåller orimligt många delar och ser skadlig ut. Spara om den från Excel.")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _unreadable(
                path, "den packas upp till orimligt mycket data (zip-bomb). Öppna den inte; be avsändaren om en ny fil."
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _unreadable(path, f"den packas upp till mer än {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB. Dela upp arbetsboken.")
    names = set(zf.namelist())
    if ods:
        return
    if "mimetype" in names and b"opendocument" in _read_member(path, zf, "mimetype"):
        raise _unreadable(path, "den är ett OpenDocument-kalkylark (.ods). Spara den som .xlsx och försök igen.")
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise _unreadable(path, "den är en binär arbetsbok (.xlsb). Spara den som Excel-arbetsbok (.xlsx) i Excel.")
        raise _unreadable(path, "den är en zip-fil men ingen Excel-arbetsbok. Spara filen som .xlsx i Excel.")


_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError, NotImplementedError, RuntimeError)


def _damaged(path: Path, name: str, exc: BaseException) -> InputError:
    log_detail(f"{path}: delen {name}: {type(exc).__name__}: {exc}")
    return _unreadable(path, f"delen {name} är skadad och går inte att packa upp. Spara om arbetsboken från Excel.")


def _read_member(path: Path, zf: zipfile.ZipFile, name: str) -> bytes:
    """A whole part, read in chunks: refused at the first DTD, a damaged stream or the workbook's size budget."""
    return b"".join(_member_chunks(path, zf, name))


def _member_chunks(path: Path, zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    tail = b""
    try:
        with zf.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                _refuse_dtd(path, chunk)  # the whole part is looked at, not only its head
                _refuse_dtd(path, tail + chunk[:16])  # and a word cut between two chunks
                tail = chunk[-16:]
                yield chunk
    except _MEMBER_ERRORS as exc:
        raise _damaged(path, name, exc) from None


def _refuse_dtd(path: Path, head: bytes) -> None:
    """Excel never writes a DTD; one in a part is how XML bombs come (entities), so it is refused."""
    if b"<!" in head and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):  # one pass in the usual case
        raise _unreadable(
            path,
            "den innehåller XML med egna entiteter, vilket Excel aldrig skriver (möjlig XML-bomb). Öppna den inte; be om en ny fil.",
        )


def _parse_xml(path: Path, data: bytes, name: str) -> Any:
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException:
        raise _unreadable(path, "den innehåller förbjuden XML (möjlig XML-bomb). Öppna den inte; be om en ny fil.") from None
    except SafeET.ParseError:
        raise _unreadable(path, f"delen {name} är inte giltig XML. Spara om arbetsboken från Excel.") from None


_WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_CALAMINE_SHEET_RELS = (_WORKSHEET_REL, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet")


class _SheetEntry(NamedTuple):
    name: str
    part: str
    rel_id: str
    rel_type: str

    @property
    def is_worksheet(self) -> bool:
        return self.rel_type in ("", _WORKSHEET_REL)


def _sheet_entries(path: Path, zf: zipfile.ZipFile) -> tuple[list[_SheetEntry], dict[str, str]]:
    """Every sheet of the workbook in order (with its part and relationship type), and the defined names."""
    wb = _parse_xml(path, _read_member(path, zf, "xl/workbook.xml"), "xl/workbook.xml")
    rels: dict[str, tuple[str, str]] = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        rel_root = _parse_xml(path, _read_member(path, zf, "xl/_rels/workbook.xml.rels"), "workbook.xml.rels")
        for rel in rel_root.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            rels[rel.get("Id", "")] = (target, rel.get("Type", ""))
    sheets = []
    for s in wb.iter(f"{_NS_MAIN}sheet"):
        rel_id = s.get(f"{_NS_REL}id", "")
        part, typ = rels.get(rel_id, ("", ""))
        sheets.append(_SheetEntry(s.get("name", ""), part, rel_id, typ))
    # a name scoped to one sheet (localSheetId: Excel makes them when a sheet is copied) is kept as
    # "Sheet!name" ("!" is never part of a name), so the copies do not overwrite each other or the global one
    names: dict[str, str] = {}
    for d in wb.iter(f"{_NS_MAIN}definedName"):
        local = d.get("localSheetId", "")
        scope = sheets[int(local)].name + "!" if local.isdigit() and int(local) < len(sheets) else ""
        names[scope + d.get("name", "")] = d.text or ""
    return sheets, names


def _sheet_parts(path: Path, zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """[(sheet name, part path)] in workbook order, and the defined names."""
    entries, names = _sheet_entries(path, zf)
    return [(e.name, e.part) for e in entries], names


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(raw))


def _position(ref: bytes) -> tuple[int, int] | None:
    m = _REF_SPLIT.fullmatch(ref.decode("ascii", "replace"))
    if not m:
        return None
    return int(m.group(2)) - 1, column_index(m.group(1))


def _tag_prefix(data: bytes) -> bytes:
    prefix = _ROOT_PREFIX.search(data[:2048])
    return prefix.group(1) + b":" if prefix else b""


def scan_formulas(data: bytes) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """Formulas and error values of a sheet's XML, by 0-based (row, col).

    Only cells holding ``<f>`` or ``t="e"`` are looked at, so the cost follows the
    number of formulas, not the number of cells. Every backward or forward search
    is bounded by the previous and the next formula, so each byte is looked at a
    bounded number of times: the scan is linear in the part, whatever it holds.
    Shared formulas are expanded.
    """
    pre = _tag_prefix(data)
    if not pre:
        # every formula a plain <f> (no other f tag): counted at memchr speed, and read in one pass when many
        plain = data.count(b"<f>")
        if plain * 12 >= data.count(b"<c ") and _OTHER_F_TAG.search(data) is None:
            quick = _plain_formulas(data, plain)
            if quick is not None:
                return quick, _error_cells(data, pre)
    f_start = re.compile(re.escape(b"<" + pre + b"f") + rb"(?=[\s>/])")  # a literal start: the scan runs at memchr speed
    starts = [m.start() for m in f_start.finditer(data)]
    # the one-pass reading tries every cell, the careful scan only the formulas: it pays when formulas are many
    if not pre and len(starts) * 12 >= data.count(b"<c "):
        quick = _quick_formulas(data, len(starts))
        if quick is not None:
            return quick, _error_cells(data, pre)
    formulas: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[str, int, int]] = {}
    followers: list[tuple[tuple[int, int], bytes]] = []
    f_close = b"</" + pre + b"f>"
    floor = 0
    for i, at in enumerate(starts):
        limit = starts[i + 1] if i + 1 < len(starts) else len(data)
        cell = _enclosing_cell(data, pre, floor, at)
        tag_end = data.find(b">", at, limit)
        if tag_end < 0:
            floor = at
            continue
        floor = tag_end
        if cell is None:
            continue
        head = data[at + 2 + len(pre) : tag_end]
        if head.endswith(b"/"):
            fattrs, text = _attrs(head[:-1]), ""
        else:
            close = data.find(f_close, tag_end, limit)
            if close < 0:
                continue
            fattrs = _attrs(head)
            text = html.unescape(data[tag_end + 1 : close].decode("utf-8", "replace"))
            floor = close
        _place(formulas, masters, followers, cell, fattrs, text)
    _expand_shared(formulas, masters, followers)
    return formulas, _error_cells(data, pre)


def _place(
    formulas: dict[tuple[int, int], str],
    masters: dict[bytes, tuple[str, int, int]],
    followers: list[tuple[tuple[int, int], bytes]],
    pos: tuple[int, int],
    fattrs: dict[bytes, bytes],
    text: str,
) -> None:
    """One formula tag read by either scan: a shared formula's master (kept as a formula too) or
    follower (expanded later), or a plain formula."""
    if fattrs.get(b"t") == b"shared":
        si = fattrs.get(b"si", b"")
        if not text:
            followers.append((pos, si))
            return
        masters[si] = (text, *pos)
    if text:
        formulas[pos] = text


def _expand_shared(
    formulas: dict[tuple[int, int], str],
    masters: dict[bytes, tuple[str, int, int]],
    followers: list[tuple[tuple[int, int], bytes]],
) -> None:
    """A shared formula's followers get their master's text shifted to their own cell (an orphan gets none)."""
    for pos, si in followers:
        if si in masters:
            text, r0, c0 = masters[si]
            formulas[pos] = shift(text, pos[0] - r0, pos[1] - c0)


# The common shape of a formula cell, as Excel and most writers put it: ``<c r="B7" ...>`` with ``r``
# first, then (after white space only) ``<f ...>text</f>`` or ``<f .../>``. Nothing in it can span a
# "<" or ">" it should not, so a match is the same cell and formula the careful scan would find.
_QUICK_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"([^<>]*)(?<!/)>\s*<f((?:\s[^<>]*(?<!/))?)(?:/>|>([^<]*)</f>)')


# the common shape read backwards: "</f>" is a literal, so the search runs at memchr speed from one
# formula to the next instead of trying every cell; the start tag is then read back to its "<c"
_PLAIN_FORMULA_REVERSED = re.compile(rb'>f/<([^<]*)>f<\s*>(?!/)([^<>]*?)"(\d+)([A-Z]+)"=r c<')


def _plain_formulas(data: bytes, count: int) -> dict[tuple[int, int], str] | None:
    """The formulas when all ``count`` formula tags are a plain ``<f>`` right inside ``<c r="...">``
    (what most writers write for formulas that are not shared); None otherwise.

    Each part of a match is gathered for all formulas at once (joined, reversed back, split), so
    the cost per formula is a few C-level steps.
    """
    if count == 0:
        return {}
    found = _PLAIN_FORMULA_REVERSED.findall(data[::-1])
    if len(found) != count:
        return None
    # each part joined once: one search over the joined text answers for every formula (no pattern holds a NUL)
    joined_texts, joined_attrs, joined_digits, joined_letters = (b"\x00".join(part)[::-1] for part in zip(*found, strict=True))
    if b'r="' in joined_attrs:
        return None  # a second r attribute: the careful reading decides
    texts, digits, letters = (j.split(b"\x00") for j in (joined_texts, joined_digits, joined_letters))
    if len(texts) != count or len(digits) != count:
        return None  # a NUL in a formula: the careful reading decides
    columns: dict[bytes, int] = {}
    for word in set(letters):
        columns[word] = column_index(word.decode())
    rows = map((-1).__add__, map(int, digits))
    decoded = joined_texts.decode("utf-8", "replace").split("\x00")
    if b"&" in joined_texts:
        decoded = [html.unescape(t) if "&" in t else t for t in decoded]
    return {
        pos: text for pos, text in zip(zip(rows, map(columns.__getitem__, letters), strict=True), decoded, strict=True) if text
    }


def _quick_formulas(data: bytes, count: int) -> dict[tuple[int, int], str] | None:
    """The formulas when every one of the ``count`` formula tags has the common shape; None otherwise
    (then the careful scan decides, so odd files get exactly what they got before)."""
    found = _QUICK_FORMULA.findall(data)
    if len(found) != count:
        return None
    formulas: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[str, int, int]] = {}
    followers: list[tuple[tuple[int, int], bytes]] = []
    columns: dict[bytes, int] = {}
    for letters, digits, rest, fattrs_raw, raw in found:
        if b'r="' in rest:
            return None  # a second r attribute: the careful scan reads it as the original did
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = column_index(letters.decode())
        pos = (int(digits) - 1, col)
        text = (html.unescape(raw.decode("utf-8", "replace")) if b"&" in raw else raw.decode("utf-8", "replace")) if raw else ""
        _place(formulas, masters, followers, pos, _attrs(fattrs_raw) if fattrs_raw else {}, text)
    _expand_shared(formulas, masters, followers)
    return formulas


def _enclosing_cell(data: bytes, pre: bytes, floor: int, at: int) -> tuple[int, int] | None:
    """The (row, col) of the ``<c>`` whose start tag lies between ``floor`` and ``at`` with no ``</c>`` between."""
    opener = b"<" + pre + b"c"
    start = data.rfind(opener, floor, at)
    while start >= 0 and data[start + len(opener) : start + len(opener) + 1] not in (b" ", b"\t", b"\n", b"\r"):
        start = data.rfind(opener, floor, start)
    if start < 0 or data.find(b"</" + pre + b"c>", start, at) >= 0:
        return None
    end = data.find(b">", start, at)
    if end < 0 or data[end - 1 : end] == b"/":
        return None
    return _position(_attrs(data[start:end]).get(b"r", b""))


def _error_cells(data: bytes, pre: bytes) -> dict[tuple[int, int], str]:
    errors: dict[tuple[int, int], str] = {}
    if b't="e"' not in data:
        return errors
    hits = [m.start() for m in re.finditer(rb't="e"', data)]
    close_c = b"</" + pre + b"c>"
    floor = 0
    for i, at in enumerate(hits):
        limit = hits[i + 1] if i + 1 < len(hits) else len(data)
        start = data.rfind(b"<", floor, at)
        floor = at
        if start < 0 or not data.startswith(b"<" + pre + b"c", start):
            continue
        tag_end = data.find(b">", at, limit)
        if tag_end < 0 or data[tag_end - 1 : tag_end] == b"/":
            continue  # no value
        close = data.find(close_c, tag_end, limit)
        if close < 0:
            continue
        pos = _position(_attrs(data[start:tag_end]).get(b"r", b""))
        v = _V.search(data, tag_end, close)
        if pos is not None and v:
            errors[pos] = html.unescape(v.group(1).decode("utf-8", "replace"))
    return errors


# --- bounds: how far out a sheet's cells go, told from the XML before calamine sees it -----------


class _Extent(NamedTuple):
    cells: int
    last_row: int  # 0-based; -1 when the sheet holds nothing
    last_col: int
    row_ref: str  # the A1 address of a cell in the last row
    col_ref: str  # and of a cell in the last column

    @property
    def far(self) -> str:
        """The cells that make the sheet large (both when neither alone does)."""
        refs = [self.row_ref] if self.last_row >= 10_000 else []
        refs += [self.col_ref] if self.last_col >= 1_000 else []
        return " och ".join(dict.fromkeys(refs or [r for r in (self.row_ref, self.col_ref) if r]))


def _greater_digits(n: int) -> bytes:
    """A regex for decimal numbers (no leading zero) greater than ``n``."""
    s = str(n)
    alts = [rb"[1-9]\d{%d,}" % len(s)]
    for i, ch in enumerate(s):
        if ch != "9":
            alts.append(s[:i].encode() + b"[" + str(int(ch) + 1).encode() + b"-9]" + rb"\d" * (len(s) - i - 1))
    return b"(?:" + b"|".join(alts) + b")"


def _greater_letters(col: int) -> bytes:
    """A regex for column letters after column ``col`` (0-based)."""
    s = column_letter(col)
    alts = [rb"[A-Z]{%d,}" % (len(s) + 1)]
    for i, ch in enumerate(s):
        if ch != "Z":
            alts.append(s[:i].encode() + b"[" + chr(ord(ch) + 1).encode() + b"-Z]" + b"[A-Z]" * (len(s) - i - 1))
    return b"(?:" + b"|".join(alts) + b")"


def _holds_value(data: bytes, start: int, limit: int) -> bool:
    """Whether the ``<c>`` at ``start`` has a value (calamine leaves out empty styled cells)."""
    end = data.find(b">", start, limit)
    if end < 0:
        return False
    if data[end - 1 : end] == b"/":
        return False
    close = data.find(b"</", end, limit)
    body = data[end + 1 : close if close >= 0 else min(limit, end + 4096)]
    return b"v>" in body or b"is>" in body or b"<t" in body or b"f>" in body or b"f " in body


def sheet_extent(data: bytes) -> _Extent:
    """Cells with a value, and the last row and column that hold one, from a sheet's XML.

    The usual case (every cell written as ``<c r="..."``, as Excel does) runs at C speed:
    the farthest cells near the start and end of the part give a guess, and one regex
    finds every cell beyond it. Anything else goes through a plain (linear) loop.
    """
    pre = _tag_prefix(data)
    opener = b"<" + pre + b"c"
    cells = sum(data.count(opener + sep) for sep in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
    if cells == 0:
        return _Extent(0, -1, -1, "", "")
    if data.count(opener + b' r="') != cells:
        return _slow_extent(data, pre)
    far = _guess(data, opener)
    if far is None:
        return _slow_extent(data, pre)
    # One pass: a cell whose reference is not plain A1 (goes the slow way), or one beyond the guess.
    beyond = re.compile(
        re.escape(opener)
        + b' r="(?:(?![A-Z]{1,3}[1-9]\\d{0,6}")|('
        + _greater_letters(far.col)
        + rb")(\d+)\"|([A-Z]{1,3})("
        + _greater_digits(far.row + 1)
        + b')")'
    )
    found = []
    for m in beyond.finditer(data):
        if m.group(1) is None and m.group(3) is None:
            return _slow_extent(data, pre)
        found.append((m.start(), m.group(1) or m.group(3), m.group(2) or m.group(4)))
    for i, (at, letters, digits) in enumerate(found):
        limit = found[i + 1][0] if i + 1 < len(found) else len(data)
        if _holds_value(data, at, limit):
            far.see(int(digits) - 1, column_index(letters.decode()))
    return far.extent(min(cells, _valued(data, pre)))


def _guess(data: bytes, opener: bytes) -> _Far | None:
    """The farthest cells with a value near the part's start and end: a first guess of the extent."""
    ref = re.compile(re.escape(opener) + rb' r="([A-Z]{1,3})(\d{1,7})"')
    far = _Far()
    for sample in (data[:4096], data[-4096:]):
        spots = [(int(m.group(2)) - 1, column_index(m.group(1).decode()), m.start()) for m in ref.finditer(sample)]
        # the farthest first, so only a few cells are looked into for a value
        for key in (lambda t: t[0], lambda t: t[1]):
            for row, col, at in sorted(spots, key=key, reverse=True)[:50]:
                if _holds_value(sample, at, len(sample)):
                    far.see(row, col)
                    break
    return far if far.row >= 0 else None


# For the quick bound: capitals become A, digits 0, and every way to end a tag name becomes a space,
# so a cell's start tag is "<c " (or "<c>") and its reference has the shape A..A0..0.
_SHAPES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\t\n\r/", b"A" * 26 + b"0" * 10 + b"   >")


def surely_small(data: bytes) -> bool:
    """True when a sheet's rectangle cannot reach the refusal bounds, told at C speed.

    Every cell written as ``<c r="..."`` with an A1 reference, none with more letters or
    digits than the farthest cell near the part's ends: then the rectangle is at most
    ``10**digits x columns(letters)``. False means "look closer" (:func:`sheet_extent`).
    """
    pre = _tag_prefix(data)
    opener = b"<" + pre + b"c"
    far = _guess(data, opener)
    shapes = data.translate(_SHAPES)
    opener = opener.translate(_SHAPES)
    head = opener + b' r="A'
    cells = shapes.count(head)
    if shapes.count(opener + b" ") + shapes.count(opener + b">") != cells:
        return False  # a cell without r first, or a reference not starting with a capital letter
    if cells == 0:
        return True
    if far is None:
        return False
    digits, letters = len(str(far.row + 1)), len(column_letter(far.col))
    if head + b"A" * letters in shapes:
        return False
    if any(head + b"A" * (k - 1) + b"0" * (digits + 1) in shapes for k in range(1, letters + 1)):
        return False
    return (10**digits - 1) * sum(26**i for i in range(1, letters + 1)) <= SPARSE_MIN_CELLS


def _valued(data: bytes, pre: bytes) -> int:
    """About how many cells hold a value (styled empty cells do not dilute a stray one)."""
    return data.count(b"<" + pre + b"v>") + data.count(b"<" + pre + b"is>") + data.count(b"<" + pre + b"v ")


class _Far:
    """The last row and column seen, and the cells that reach them (for the message)."""

    def __init__(self) -> None:
        self.row, self.col = -1, -1
        self.row_ref, self.col_ref = "", ""

    def see(self, row: int, col: int) -> None:
        if row > self.row:
            self.row, self.row_ref = row, a1(min(row, 10**8), col)
        if col > self.col:
            self.col, self.col_ref = col, a1(min(row, 10**8), col)

    def extent(self, cells: int) -> _Extent:
        return _Extent(cells, self.row, self.col, self.row_ref, self.col_ref)


_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*)>")


def _slow_extent(data: bytes, pre: bytes) -> _Extent:
    """The extent by visiting every row and cell tag (cells without ``r`` follow the one before)."""
    cells, far = 0, _Far()
    row, col = -1, -1
    for m in _ROW_OR_CELL.finditer(data):
        attrs = _attrs(m.group(2))
        if m.group(1) == b"row":
            r = attrs.get(b"r", b"")
            row = int(r) - 1 if r.isdigit() and len(r) < 12 else row + 1
            col = -1
            continue
        cells += 1
        pos = _position(attrs.get(b"r", b""))
        if pos is not None:
            row, col = pos
        else:
            row, col = max(row, 0), col + 1
        if not m.group(2).endswith(b"/"):
            far.see(row, col)
    return far.extent(min(cells, _valued(data, pre)))


def _check_extent(path: Path, sheet: str, extent: _Extent) -> None:
    """Refuse a sheet whose rectangle calamine would build is huge and mostly empty, or too large at all."""
    if extent.last_row < 0:
        return
    rows, cols = extent.last_row + 1, extent.last_col + 1
    area = rows * cols
    if rows > MAX_ROWS or cols > MAX_COLS:
        raise _unreadable(
            path, f"bladet {sheet!r} har en cell utanför Excels rutnät ({extent.far}). Spara om arbetsboken från Excel."
        )
    if area > MAX_CELLS_PER_SHEET or (area > SPARSE_MIN_CELLS and area > SPARSE_FACTOR * extent.cells):
        raise _unreadable(
            path,
            f"bladet {sheet!r} har innehåll långt utanför tabellen, ända ut i cell {extent.far}. "
            "Ta bort innehållet i de cellerna (eller raderna och kolumnerna efter tabellen) och spara igen.",
        )


def _check_shared_strings(path: Path, name: str, head: bytes, size: int) -> None:
    """A shared-string table that claims more strings than it has bytes is a lie calamine would allocate for."""
    m = re.search(rb'uniqueCount="(\d+)"', head[:4096])
    if m and int(m.group(1)) > size:
        raise _unreadable(
            path, f"delen {name} anger fler texter än den innehåller och är skadad. Spara om arbetsboken från Excel."
        )


def _vet_parts(path: Path, zf: zipfile.ZipFile, sheets: list[_SheetEntry], defer_sheets: bool = False) -> int:
    """Every XML part read once, in chunks: no DTD anywhere, no damaged stream, and the workbook's total
    unpacked size within budget; each sheet's extent checked before calamine builds it. With
    ``defer_sheets`` the sheets are left to :class:`_SheetVetting`. Returns the bytes read."""
    by_part = {e.part: e.name for e in sheets}
    total = 0
    for info in zf.infolist():
        name = info.filename
        if name.endswith("/") or not name.lower().endswith((".xml", ".rels", ".vml", ".bin")):
            continue
        if name.lower().endswith(".bin") and name not in by_part:
            continue  # vbaProject.bin, printer settings: never parsed
        if defer_sheets and name in by_part:
            continue
        keep = name in by_part
        pieces: list[bytes] = []
        for i, chunk in enumerate(_member_chunks(path, zf, name)):
            total += len(chunk)
            _check_budget(path, total)
            if i == 0 and name.endswith("sharedStrings.xml"):
                _check_shared_strings(path, name, chunk, info.file_size)
            if keep:
                pieces.append(chunk)
        if keep:
            data = b"".join(pieces)
            del pieces
            extent = _xlsb_extent(data) if name.lower().endswith(".bin") else sheet_extent(data)
            _check_extent(path, by_part[name], extent)
    return total


def _check_budget(path: Path, total: int) -> None:
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _unreadable(path, f"den packas upp till mer än {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB. Dela upp arbetsboken.")


class _SheetVetting:
    """Each sheet read once, in workbook order, by the reading thread: vetted (DTD, damage, budget,
    extent), then scanned for formulas.

    calamine's thread waits for a sheet's verdict just before it builds the sheet. The reading
    thread vets a few sheets ahead of the one it works on (:meth:`keep_ahead`), so calamine
    (which parses without the GIL) always has a vetted sheet to parse while Python work goes on:
    all of that work stays in one thread, and calamine only waits for the GIL, not for a
    third thread's turn at it.
    """

    AHEAD = 2  # sheets vetted at least beyond the one being worked on (more while calamine has none ready)

    def __init__(self, path: Path, parts: list[tuple[str, str]], spent: int) -> None:
        import threading

        self.path, self.parts, self.spent = path, parts, spent
        self.ready = {name: threading.Event() for name, _ in parts}
        self.scans: dict[str, Scan] = {}
        self.failure: BaseException | None = None
        self.stopped = False
        self.done = 0  # parts vetted and scanned
        self.zf: zipfile.ZipFile | None = None

    def step(self) -> None:
        """Vet and scan the next part; on a failure every waiting sheet is let go (calamine's thread
        sees ``stopped`` and builds nothing more) and the failure is raised here."""
        name, part = self.parts[self.done]
        try:
            if self.zf is None:
                self.zf = zipfile.ZipFile(self.path)
            data = _read_member(self.path, self.zf, part)
            self.spent += len(data)
            _check_budget(self.path, self.spent)
            if not surely_small(data):
                _check_extent(self.path, name, sheet_extent(data))
        except BaseException as exc:
            self.failure = exc
            self.stop()
            raise
        self.ready[name].set()
        self.done += 1
        self.scans[name] = scan_formulas(data)

    @property
    def more(self) -> bool:
        """Whether parts are left to vet (none once the vetting stopped)."""
        return not self.stopped and self.done < len(self.parts)

    def keep_ahead(self, used: int) -> None:
        """Vet until at least ``AHEAD`` sheets beyond the ``used`` ones handed on are ready for calamine
        (:func:`_next_parsed` vets further while calamine has handed nothing over)."""
        while self.more and self.done < used + 1 + self.AHEAD:
            self.step()

    def wait(self, name: str) -> None:
        """Return when ``name`` may be built (called in calamine's thread); raise what the vetting found."""
        event = self.ready.get(name)
        if event is None:
            raise _unreadable(self.path, f"bladet {name!r} saknar sin del i arbetsboken. Spara om arbetsboken från Excel.")
        event.wait()
        if self.failure is not None:
            raise self.failure

    def scan(self, name: str) -> Scan:
        """The formulas and error values of ``name`` (vetted before calamine could build it)."""
        while name not in self.scans and self.more:
            self.step()
        return self.scans.get(name, ({}, {}))

    def finish(self) -> None:
        """Vet the parts calamine did not build (a sheet it does not list): the whole file is checked."""
        while self.more:
            self.step()

    def stop(self) -> None:
        self.stopped = True
        for event in self.ready.values():
            event.set()  # calamine's thread stops waiting; it sees ``stopped`` and builds nothing more
        if self.zf is not None:
            self.zf.close()
            self.zf = None


# --- .xlsb: values only, through calamine --------------------------------------------------------


def _xlsb_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(record type, payload start, payload size) of a BIFF12 stream."""
    i, n = 0, len(data)
    while i < n:
        kind = data[i]
        i += 1
        if kind & 0x80 and i < n:
            kind = (kind & 0x7F) | ((data[i] & 0x7F) << 7)
            i += 1
        size, shift_by = 0, 0
        for _ in range(4):
            if i >= n:
                return
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift_by
            shift_by += 7
            if not b & 0x80:
                break
        yield kind, i, size
        i += size


def _xlsb_extent(data: bytes) -> _Extent:
    cells, row, last_row, last_col = 0, -1, -1, -1
    for kind, at, size in _xlsb_records(data):
        if kind == 0 and size >= 4:  # BrtRowHdr
            (row,) = struct.unpack_from("<I", data, at)
        elif 1 <= kind <= 13 and size >= 4:  # the cell records
            (col,) = struct.unpack_from("<I", data, at)
            cells += 1
            last_row, last_col = max(last_row, row), max(last_col, col)
    far = a1(min(last_row, 10**8), last_col) if last_row >= 0 else ""
    return _Extent(cells, last_row, last_col, far, far)


def _xlsb_sheets(path: Path, zf: zipfile.ZipFile) -> list[_SheetEntry]:
    """The sheets of an .xlsb from its workbook.bin (BrtBundleSh records) and relationships."""
    rels: dict[str, tuple[str, str]] = {}
    if "xl/_rels/workbook.bin.rels" in zf.namelist():
        root = _parse_xml(path, _read_member(path, zf, "xl/_rels/workbook.bin.rels"), "workbook.bin.rels")
        for rel in root.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            rels[rel.get("Id", "")] = (target, rel.get("Type", ""))
    data = _read_member(path, zf, "xl/workbook.bin")
    sheets: list[_SheetEntry] = []
    for kind, at, size in _xlsb_records(data):
        if kind != 156 or size < 12:  # BrtBundleSh
            continue
        try:
            rel_id, at2 = _wide_string(data, at + 8)
            name, _ = _wide_string(data, at2)
        except (struct.error, UnicodeDecodeError, ValueError):
            continue
        part, typ = rels.get(rel_id, ("", ""))
        sheets.append(_SheetEntry(name, part, rel_id, typ))
    return sheets


def _wide_string(data: bytes, at: int) -> tuple[str, int]:
    (n,) = struct.unpack_from("<I", data, at)
    if n == 0xFFFFFFFF:
        return "", at + 4
    if n > 100_000:
        raise ValueError("string too long")
    return data[at + 4 : at + 4 + 2 * n].decode("utf-16-le"), at + 4 + 2 * n


# --- reading ---------------------------------------------------------------------------------------


def read_workbook(path: str | Path, on_sheet: Callable[[SheetGrid], None] | None = None) -> WorkbookGrid:
    """Read a workbook file for checking; InputError with a Swedish sentence if it cannot be.

    ``on_sheet``, when given, is called with each sheet as soon as it is read (in this
    thread, in workbook order) while the next sheet is parsed: work on one sheet, such as
    finding its tables, then overlaps the reading of the rest.
    """
    with cyclic_gc_paused():
        return _read_workbook(Path(path), on_sheet)


def _read_workbook(path: Path, on_sheet: Callable[[SheetGrid], None] | None = None) -> WorkbookGrid:
    head = check_file(path, legacy=True)
    if head.startswith(OLE_MAGIC):
        from vpexcel.io.legacy_formats import vet_xls

        errors = vet_xls(path)
        return _values_only(path, "en arbetsbok i det gamla formatet (.xls)", on_sheet, errors, _misnamed(path, ".xls"))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _unreadable(
            path, "zip-arkivet är trasigt (filen är kanske inte färdigkopierad). Spara om arbetsboken från Excel."
        ) from None
    notes: list[ReaderNote] = []
    with zf:
        from vpexcel.io.legacy_formats import is_ods, vet_ods

        if is_ods(path, zf):
            errors = vet_ods(path, zf)
            ods = True
        else:
            ods = False
    if ods:
        return _values_only(path, "ett OpenDocument-kalkylark (.ods)", on_sheet, errors, _misnamed(path, ".ods"))
    zf = zipfile.ZipFile(path)
    with zf:
        names = set(zf.namelist())
        binary = "xl/workbook.bin" in names and "xl/workbook.xml" not in names
        if binary:
            zf_entries = _xlsb_sheets_checked(path, zf)
            defined: dict[str, str] = {}
        else:
            _check_zip(path, zf)
            zf_entries, defined = _sheet_entries(path, zf)
        entries = [e for e in zf_entries if e.part in names]
        others = [e.name for e in entries if not e.is_worksheet and e.rel_type not in _CALAMINE_SHEET_RELS]
        entries = [e for e in entries if e.is_worksheet]
        spent = _vet_parts(path, zf, entries, defer_sheets=not binary)
        renamed = _misnamed(path, ".xlsb" if binary else ".xlsx")
        source: Any = str(path) if renamed is None else _content(path)
        if renamed is not None:
            notes.append(renamed)
        if others:
            notes.append(
                ReaderNote(
                    NoteKind.SHEETS_LEFT_OUT,
                    f"Arbetsboken har blad som inte är kalkylblad (makroblad eller dialogblad: {', '.join(others)}); "
                    "de hoppas över och bara kalkylbladen kontrolleras.",
                )
            )
            source = _without_sheets(path, zf, [e for e in zf_entries if e.name in others])
    if binary:
        notes.append(
            ReaderNote(
                NoteKind.VALUES_ONLY,
                f"{path.name} är en binär arbetsbok (.xlsb): värdena läses men inte formlerna, så kontrollerna av formler "
                "görs inte. Spara som .xlsx för en fullständig kontroll.",
            )
        )
        book = _read_values(path, source, None, {}, has_formulas=False, on_sheet=on_sheet)
    else:
        vetting = _SheetVetting(path, [(e.name, e.part) for e in entries], spent)
        try:
            book = _read_values(path, source, vetting, defined, on_sheet=on_sheet)
        finally:
            vetting.stop()
    book.notes.extend(notes)
    return book


# The file name endings each content type is known by; calamine's from_path picks its reader by these.
_SUFFIXES = {
    ".xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"),  # .xlam: an add-in, rightly named
    ".xlsb": (".xlsb",),
    ".xls": (".xls", ".xlt", ".xla"),
    ".ods": (".ods", ".ots"),
}
_KIND_NAMES = {
    ".xlsx": "en Excel-arbetsbok (.xlsx)",
    ".xlsb": "en binär Excel-arbetsbok (.xlsb)",
    ".xls": "en Excel-arbetsbok i det gamla formatet (.xls)",
    ".ods": "ett OpenDocument-kalkylark (.ods)",
}


def _misnamed(path: Path, kind: str) -> ReaderNote | None:
    """The note for a workbook whose name ends otherwise than its content (``kind``), or None when it matches."""
    if path.suffix.lower() in _SUFFIXES[kind]:
        return None
    return ReaderNote(
        NoteKind.RENAMED,
        f"{path.name} är egentligen {_KIND_NAMES[kind]} och lästes som {'ett sådant' if kind == '.ods' else 'en sådan'}. "
        f"Byt filändelse till {kind} så att andra program också känner igen den.",
    )


def _content(path: Path) -> io.BytesIO:
    """The file's bytes, for calamine to read by what they are rather than by the file name's ending."""
    try:
        return io.BytesIO(path.read_bytes())
    except OSError as exc:
        log_detail(f"{path}: {type(exc).__name__}: {exc}")
        raise _unreadable(path, "åtkomst nekad eller filen är låst. Stäng filen i andra program och försök igen.") from None


def _values_only(
    path: Path,
    kind: str,
    on_sheet: Callable[[SheetGrid], None] | None = None,
    errors: dict[str, dict[tuple[int, int], str]] | None = None,
    renamed: ReaderNote | None = None,
) -> WorkbookGrid:
    """A vetted .xls or .ods read through calamine: values (with the error values ``errors`` found in
    the file, which calamine gives as empty cells), no formulas, and a note that says so. ``renamed``:
    the note for a file whose name ends otherwise, then read by its content instead of its name."""
    source: Any = str(path) if renamed is None else _content(path)
    book = _read_values(path, source, None, {}, has_formulas=False, on_sheet=on_sheet, errors=errors)
    if renamed is not None:
        book.notes.append(renamed)
    book.notes.append(
        ReaderNote(
            NoteKind.VALUES_ONLY,
            f"{path.name} är {kind}: värdena läses men inte formlerna, så kontrollerna av formler "
            "görs inte. Spara som .xlsx för en fullständig kontroll.",
        )
    )
    return book


def _xlsb_sheets_checked(path: Path, zf: zipfile.ZipFile) -> list[_SheetEntry]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise _unreadable(path, "den packas upp till orimligt mycket data. Dela upp arbetsboken.")
    return _xlsb_sheets(path, zf)


def _without_sheets(path: Path, zf: zipfile.ZipFile, drop: list[_SheetEntry]) -> io.BytesIO:
    """An in-memory copy of the workbook without the sheets calamine cannot read (macro and dialog sheets)."""
    workbook = _read_member(path, zf, "xl/workbook.xml")
    for e in drop:
        rid = re.escape(e.rel_id.encode())
        workbook = re.sub(rb"<(?:\w+:)?sheet\s[^>]*?:id=\"" + rid + rb"\"[^>]*?/>", b"", workbook)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in zf.infolist():
            data = workbook if info.filename == "xl/workbook.xml" else _read_member(path, zf, info.filename)
            copy.writestr(info.filename, data)
    out.seek(0)
    return out


Scan = tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]


def _read_values(
    path: Path,
    source: Any,
    vetting: _SheetVetting | None,
    defined: dict[str, str],
    has_formulas: bool = True,
    on_sheet: Callable[[SheetGrid], None] | None = None,
    errors: dict[str, dict[tuple[int, int], str]] | None = None,
) -> WorkbookGrid:
    """calamine's values, with its panics (Rust code that gives up on a broken file) caught and
    its panic message kept off the user's screen (Rust writes it to the process's stderr)."""
    with _rust_quiet():
        try:
            return _calamine_values(path, source, vetting, defined, has_formulas, on_sheet, errors or {})
        except BaseException as exc:
            if type(exc).__name__ != "PanicException":  # pyo3's, a BaseException
                raise
            log_detail(f"{path}: calamine panicked: {exc}")
            raise _unreadable(path, "innehållet är trasigt. Spara om arbetsboken från Excel.") from None


@contextmanager
def _rust_quiet() -> Iterator[None]:
    """Send what is written straight to file descriptor 2 (Rust's panic hook) to the log while inside."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no standard error (a windowed program)
        yield
        return
    try:
        try:
            sink = log_path().open("ab")
        except OSError:
            sink = open(os.devnull, "wb")  # noqa: SIM115 (closed below)
        with sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _calamine_sheets(
    path: Path, source: Any, vetting: _SheetVetting | None, stop: Any, visibility: dict[str, str] | None = None
) -> Iterator[tuple[str, list[list[Any]]]]:
    """(name, rows) of every worksheet, each parsed by calamine once the vetting passed it; each
    sheet's visibility (grid.VISIBLE, HIDDEN, VERY_HIDDEN) goes into ``visibility`` before it is handed on."""
    import python_calamine

    try:
        if isinstance(source, str):
            book = python_calamine.CalamineWorkbook.from_path(source)
        else:
            book = python_calamine.CalamineWorkbook.from_filelike(source)
    except python_calamine.PasswordError:
        raise _unreadable(path, "arbetsboken är lösenordsskyddad. Ta bort lösenordet i Excel och spara en kopia.") from None
    except Exception as exc:  # calamine raises several types for broken files
        log_detail(f"{path}: calamine: {type(exc).__name__}: {exc}")
        raise _unreadable(path, "innehållet är trasigt. Spara om arbetsboken från Excel.") from None
    name = ""
    built = 0  # cells of the rectangles built so far
    try:
        for meta in book.sheets_metadata:
            if stop.is_set():
                return
            if str(meta.typ) != "SheetTypeEnum.WorkSheet" and "WorkSheet" not in str(meta.typ):
                continue
            name = meta.name
            if vetting is not None:
                vetting.wait(meta.name)
            if stop.is_set():
                return  # the reading failed meanwhile: a sheet the vetting let go of unvetted is not built
            cs = book.get_sheet_by_name(meta.name)
            end = cs.end
            if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_CELLS_PER_SHEET:
                raise _unreadable(
                    path,
                    f"bladet {meta.name!r} använder celler ända ut till rad {end[0] + 1}, kolumn {end[1] + 1}. "
                    "Ta bort innehåll långt utanför tabellen och spara igen.",
                )
            if end is not None:
                built += (end[0] + 1) * (end[1] + 1)
                if built > MAX_CELLS_PER_WORKBOOK:
                    limit = f"{MAX_CELLS_PER_WORKBOOK:,}".replace(",", " ")
                    raise _unreadable(
                        path,
                        f"bladen täcker tillsammans fler än {limit} celler (bladet {meta.name!r} och de före det). "
                        "Ta bort blad och innehåll långt utanför tabellerna, eller dela upp arbetsboken, och försök igen.",
                    )
            rows = cs.to_python(skip_empty_area=False) if end is not None else []
            if visibility is not None:
                visibility[meta.name] = _VISIBILITY.get(str(meta.visible).rpartition(".")[2], VISIBLE)
            yield meta.name, rows
    except InputError:
        raise
    except Exception as exc:
        if vetting is not None and exc is vetting.failure:
            raise  # not calamine's: a fault of the vetting itself
        log_detail(f"{path}: calamine, bladet {name!r}: {type(exc).__name__}: {exc}")
        raise _unreadable(path, f"bladet {name!r} är trasigt. Spara om arbetsboken från Excel.") from None
    finally:
        book.close()


# calamine's SheetVisibleEnum member names
_VISIBILITY = {"Visible": VISIBLE, "Hidden": HIDDEN, "VeryHidden": VERY_HIDDEN}


def _next_parsed(handed: Any, vetting: _SheetVetting | None, used: int) -> Any:
    """The next item calamine's thread handed over; while there is none yet, the next sheets are
    vetted, so calamine is never kept waiting for a verdict the reading thread could give."""
    import queue

    if vetting is None:
        return handed.get()
    vetting.keep_ahead(used)
    while True:
        try:
            return handed.get_nowait()
        except queue.Empty:
            if not vetting.more:
                return handed.get()
            vetting.step()


def _calamine_values(
    path: Path,
    source: Any,
    vetting: _SheetVetting | None,
    defined: dict[str, str],
    has_formulas: bool = True,
    on_sheet: Callable[[SheetGrid], None] | None = None,
    legacy_errors: dict[str, dict[tuple[int, int], str]] | None = None,
) -> WorkbookGrid:
    """The values from calamine, each sheet built only once ``vetting`` passed it, joined with the
    formulas and error values that the vetting scanned (none for .xlsb; for .xls and .ods the
    error values ``legacy_errors`` found in the file).

    calamine parses in a thread of its own (it lets go of the GIL while it parses), so each
    finished sheet is handed to ``on_sheet`` here, in workbook order, while the next is parsed.
    """
    import queue
    import threading

    handed: queue.SimpleQueue[tuple[str, list[list[Any]]] | BaseException | None] = queue.SimpleQueue()
    stop = threading.Event()
    visibility: dict[str, str] = {}

    def parse() -> None:
        try:
            for item in _calamine_sheets(path, source, vetting, stop, visibility):
                handed.put(item)
            handed.put(None)
        except BaseException as exc:  # handed over: raised in the reading thread
            handed.put(exc)

    worker = threading.Thread(target=parse, daemon=True, name="vpexcel-calamine")
    worker.start()
    sheets: list[SheetGrid] = []
    try:
        while (item := _next_parsed(handed, vetting, len(sheets))) is not None:
            if isinstance(item, BaseException):
                raise item
            name, rows = item
            formulas, errors = vetting.scan(name) if vetting is not None else ({}, (legacy_errors or {}).get(name, {}))
            for (r, c), code in errors.items():  # calamine gives "" for error cells, inside its rectangle
                if r < len(rows) and c < len(rows[r]):  # (never grown: an error outside it is no cell calamine read)
                    rows[r][c] = ErrorValue(code)
            sheet = SheetGrid(name, rows, formulas, visibility.get(name, VISIBLE))
            sheets.append(sheet)
            if on_sheet is not None:
                on_sheet(sheet)
        if vetting is not None:
            vetting.finish()
    finally:
        stop.set()
        if vetting is not None and worker.is_alive():
            vetting.stop()  # a failure here: the parsing thread is not kept waiting for the rest
        worker.join()
    if not sheets or all(s.is_empty() for s in sheets):
        raise _unreadable(path, "arbetsboken är tom. Öppna rätt fil eller fyll i budgeten först.")
    return WorkbookGrid(path.name, sheets, defined, has_formulas=has_formulas)
