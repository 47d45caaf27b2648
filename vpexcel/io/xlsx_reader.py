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
import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from vpexcel.errors import InputError
from vpexcel.formulas import shift
from vpexcel.grid import ErrorValue, SheetGrid, WorkbookGrid, column_index
from vpexcel.perf import cyclic_gc_paused

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 20_000
MAX_CELLS_PER_SHEET = 20_000_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ROOT_PREFIX = re.compile(rb"<(\w+):worksheet[\s>]")
_C_ATTRS = re.compile(rb"<(?:\w+:)?c\s([^>]*)>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_F_ELEMENT = re.compile(rb"<(?:\w+:)?f(\s[^>]*?)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?t="e"[^>]*>(.*?)</(?:\w+:)?c>', re.S)
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_REF_SPLIT = re.compile(r"([A-Z]+)(\d+)")


def _unreadable(path: Path, what: str) -> InputError:
    return InputError(f"Filen {path.name} kan inte läsas: {what}")


def check_file(path: Path) -> bytes:
    """The first bytes of a file that may be a workbook; InputError for anything else."""
    if not path.exists():
        raise InputError(f"Filen {path} finns inte. Kontrollera sökvägen och filnamnet.")
    if path.is_dir():
        raise InputError(f"{path} är en mapp, inte en arbetsbok. Ange en .xlsx-fil.")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _unreadable(
            path, f"{exc.strerror or 'åtkomst nekad'}. Stäng filen i andra program och kontrollera behörigheten."
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
        raise _unreadable(path, "den är i det gamla formatet .xls. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).")
    if not head.startswith(ZIP_MAGIC):
        raise _unreadable(path, "den är ingen Excel-arbetsbok (.xlsx). Spara filen som .xlsx i Excel och försök igen.")
    return head


def _check_zip(path: Path, zf: zipfile.ZipFile) -> None:
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
        raise _unreadable(path, "den packas upp till mer än 1 GB. Dela upp arbetsboken.")
    names = set(zf.namelist())
    if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
        raise _unreadable(path, "den är ett OpenDocument-kalkylark (.ods). Spara den som .xlsx och försök igen.")
    if "xl/workbook.xml" not in names:
        raise _unreadable(path, "den är en zip-fil men ingen Excel-arbetsbok. Spara filen som .xlsx i Excel.")


def _read_member(path: Path, zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        data = zf.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError) as exc:
        raise _unreadable(path, f"delen {name} är trasig ({exc}). Spara om arbetsboken från Excel.") from None
    _refuse_dtd(path, data[:4096])
    return data


def _refuse_dtd(path: Path, head: bytes) -> None:
    """Excel never writes a DTD; one in a part is how XML bombs come (entities), so it is refused."""
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
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


def _sheet_parts(path: Path, zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """[(sheet name, part path)] in workbook order, and the defined names."""
    wb = _parse_xml(path, _read_member(path, zf, "xl/workbook.xml"), "xl/workbook.xml")
    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        rel_root = _parse_xml(path, _read_member(path, zf, "xl/_rels/workbook.xml.rels"), "workbook.xml.rels")
        for rel in rel_root.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            rels[rel.get("Id", "")] = target
    sheets = []
    for s in wb.iter(f"{_NS_MAIN}sheet"):
        part = rels.get(s.get(f"{_NS_REL}id", ""), "")
        sheets.append((s.get("name", ""), part))
    names = {d.get("name", ""): (d.text or "") for d in wb.iter(f"{_NS_MAIN}definedName")}
    return sheets, names


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(raw))


def _position(ref: bytes) -> tuple[int, int] | None:
    m = _REF_SPLIT.fullmatch(ref.decode("ascii", "replace"))
    if not m:
        return None
    return int(m.group(2)) - 1, column_index(m.group(1))


def scan_formulas(data: bytes) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """Formulas and error values of a sheet's XML, by 0-based (row, col).

    Only cells holding ``<f>`` or ``t="e"`` are looked at, so the cost follows the
    number of formulas, not the number of cells. Shared formulas are expanded.
    """
    formulas: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[str, int, int]] = {}
    followers: list[tuple[tuple[int, int], bytes]] = []
    prefix = _ROOT_PREFIX.search(data[:2048])
    tag = b"<" + (prefix.group(1) + b":" if prefix else b"") + b"f"
    f_start = re.compile(re.escape(tag) + rb"(?=[\s>/])")  # a literal start: the scan runs at memchr speed
    for m in f_start.finditer(data):
        start = data.rfind(b"<", 0, m.start() - 1)
        while start >= 0 and not re.match(rb"<(?:\w+:)?c\s", data[start : start + 12]):
            start = data.rfind(b"<", 0, start)
        if start < 0:
            continue
        cm = _C_ATTRS.match(data, start)
        fm = _F_ELEMENT.match(data, m.start())
        if not cm or not fm:
            continue
        pos = _position(_attrs(cm.group(1)).get(b"r", b""))
        if pos is None:
            continue
        fattrs = _attrs(fm.group(1) or b"")
        text = html.unescape((fm.group(2) or b"").decode("utf-8", "replace"))
        if fattrs.get(b"t") == b"shared":
            si = fattrs.get(b"si", b"")
            if text:
                masters[si] = (text, *pos)
            else:
                followers.append((pos, si))
                continue
        if text:
            formulas[pos] = text
    for pos, si in followers:
        if si in masters:
            text, r0, c0 = masters[si]
            formulas[pos] = shift(text, pos[0] - r0, pos[1] - c0)
    errors: dict[tuple[int, int], str] = {}
    if b't="e"' in data:
        for em in _ERROR_CELL.finditer(data):
            cm = _C_ATTRS.match(data, em.start())
            pos = _position(_attrs(cm.group(1)).get(b"r", b"")) if cm else None
            v = _V.search(em.group(1))
            if pos is not None and v:
                errors[pos] = html.unescape(v.group(1).decode("utf-8", "replace"))
    return formulas, errors


def read_workbook(path: str | Path) -> WorkbookGrid:
    """Read a workbook file for checking; InputError with a Swedish sentence if it cannot be."""
    with cyclic_gc_paused():
        return _read_workbook(Path(path))


def _read_workbook(path: Path) -> WorkbookGrid:
    check_file(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _unreadable(
            path, "zip-arkivet är trasigt (filen är kanske inte färdigkopierad). Spara om arbetsboken från Excel."
        ) from None
    with zf:
        _check_zip(path, zf)
        parts, defined = _sheet_parts(path, zf)
        present = set(zf.namelist())
        parts = [(name, part) for name, part in parts if part in present]
        for _name, part in parts:
            _check_head(path, zf, part)  # every sheet is vetted before any parser sees it
    from concurrent.futures import ThreadPoolExecutor

    import python_calamine

    # The formula scan runs beside calamine, which parses without holding the GIL.
    pool = ThreadPoolExecutor(max_workers=1)
    pending = pool.submit(_scan_sheets, path, parts)
    try:
        return _read_values(path, python_calamine, pending.result, defined)
    finally:
        pool.shutdown(wait=True)


Scan = tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]


def _check_head(path: Path, zf: zipfile.ZipFile, name: str) -> None:
    try:
        with zf.open(name) as fh:
            head = fh.read(4096)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError) as exc:
        raise _unreadable(path, f"delen {name} är trasig ({exc}). Spara om arbetsboken från Excel.") from None
    _refuse_dtd(path, head)


def _scan_sheets(path: Path, parts: list[tuple[str, str]]) -> dict[str, Scan]:
    with zipfile.ZipFile(path) as zf:
        return {name: scan_formulas(_read_member(path, zf, part)) for name, part in parts}


def _read_values(
    path: Path, python_calamine: Any, scanned: Callable[[], dict[str, Scan]], defined: dict[str, str]
) -> WorkbookGrid:
    """The values from calamine, joined with the formulas and error values that ``scanned`` returns."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise _unreadable(path, "arbetsboken är lösenordsskyddad. Ta bort lösenordet i Excel och spara en kopia.") from None
    except Exception as exc:  # calamine raises several types for broken files
        raise _unreadable(path, f"innehållet är trasigt ({type(exc).__name__}). Spara om arbetsboken från Excel.") from None
    sheets: list[SheetGrid] = []
    grids: list[tuple[str, list[list[Any]]]] = []
    try:
        for meta in book.sheets_metadata:
            if str(meta.typ) != "SheetTypeEnum.WorkSheet" and "WorkSheet" not in str(meta.typ):
                continue
            cs = book.get_sheet_by_name(meta.name)
            end = cs.end
            if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_CELLS_PER_SHEET:
                raise _unreadable(
                    path,
                    f"bladet {meta.name!r} använder celler ända ut till rad {end[0] + 1}, kolumn {end[1] + 1}. "
                    "Ta bort innehåll långt utanför tabellen och spara igen.",
                )
            rows = cs.to_python(skip_empty_area=False) if end is not None else []
            grids.append((meta.name, rows))
    except InputError:
        raise
    except Exception as exc:
        raise _unreadable(path, f"ett blad är trasigt ({type(exc).__name__}). Spara om arbetsboken från Excel.") from None
    finally:
        book.close()
    scans: dict[str, Scan] = scanned()
    for name, rows in grids:
        formulas, errors = scans.get(name, ({}, {}))
        for (r, c), code in errors.items():  # calamine gives "" for error cells
            while len(rows) <= r:
                rows.append([])
            line = rows[r]
            if len(line) <= c:
                line.extend([""] * (c + 1 - len(line)))
            line[c] = ErrorValue(code)
        sheets.append(SheetGrid(name, rows, formulas))
    if not sheets or all(s.is_empty() for s in sheets):
        raise _unreadable(path, "arbetsboken är tom. Öppna rätt fil eller fyll i budgeten först.")
    return WorkbookGrid(path.name, sheets, defined)
