"""Write cell values into a copy of a workbook without touching anything else in it.

openpyxl rebuilds the whole package when it saves and drops what it does not
model (charts, images, form controls, VBA, extensions). Here the template's zip is
copied member by member; only the sheets that get values are edited, and only
inside the ``<c>`` elements of the cells being filled (a cell that is not there
yet is inserted in its row). Strings are written inline (``t="inlineStr"``), so
sharedStrings.xml stays as it was, and text such as "=SUMMA(A1)" can never become
a formula; text goes through :func:`vpexcel.textcells.clean_text` (no control
characters) and a carriage return is kept as Excel's ``_x000D_`` escape (XML would
turn a literal one into a line feed). A number that is not finite is refused.
workbook.xml gets ``fullCalcOnLoad`` so Excel recalculates the
template's formulas when the file is opened.
"""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from vpexcel.errors import InputError
from vpexcel.grid import a1, column_index
from vpexcel.io.atomic import write_atomic
from vpexcel.io.xlsx_reader import _check_zip, _sheet_parts, check_file
from vpexcel.textcells import clean_text

CellValue = float | int | str | bool | None
Updates = Mapping[str, Mapping[tuple[int, int], CellValue]]

_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?sheetData>)", re.S)
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ROW_R = re.compile(rb'\br="(\d+)"')


class FormulaCell(ValueError):
    """A cell to be filled holds a formula (also a shared one whose master is missing)."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


def _escape(text: str) -> bytes:
    text = clean_text(text)  # control characters and lone surrogates go; tab, line feed and CR stay
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"_(x[0-9A-Fa-f]{4})_", r"_x005F_\1_", text)  # a literal "_x0041_" stays literal
    text = text.replace("\r", "_x000D_")  # a literal CR in XML text is read back as a line feed
    return text.encode("utf-8")


def _cell_xml(ref: str, attrs: bytes, value: CellValue) -> bytes:
    """A <c> element for ``value``, keeping the cell's other attributes (its style)."""
    kept = re.sub(rb'\s+(?:t|r)="[^"]*"', b"", attrs).strip()
    head = b'<c r="' + ref.encode() + b'"' + ((b" " + kept) if kept else b"")
    if value is None or value == "":
        return head + b"/>"
    if isinstance(value, bool):
        return head + b' t="b"><v>' + (b"1" if value else b"0") + b"</v></c>"
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"{ref}: {value!r} is not a finite number; the planner must not send it")
        number = repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))
        return head + b"><v>" + number.encode() + b"</v></c>"
    return head + b' t="inlineStr"><is><t xml:space="preserve">' + _escape(str(value)) + b"</t></is></c>"


def _patch_row(inner: bytes, row: int, cells: Mapping[int, CellValue]) -> bytes:
    parts: list[tuple[int, bytes]] = []
    for m in _CELL.finditer(inner):
        ref = _ATTR_R.search(m.group(1))
        col = column_index(ref.group(1).decode()) if ref else -1
        if col in cells:
            if m.group(3) and re.search(rb"<(?:\w+:)?f[\s>/]", m.group(3)):
                raise FormulaCell(a1(row, col))  # the planner skips formulas it sees; this one it did not
            parts.append((col, _cell_xml(a1(row, col), m.group(1), cells[col])))
        else:
            parts.append((col, m.group(0)))
    present = {c for c, _ in parts}
    for col, value in cells.items():
        if col not in present:
            parts.append((col, _cell_xml(a1(row, col), b"", value)))
    parts.sort(key=lambda p: p[0])
    return b"".join(x for _, x in parts)


def patch_sheet(xml: bytes, cells: Mapping[tuple[int, int], CellValue]) -> bytes:
    """The sheet XML with ``cells`` (0-based row, col -> value) written; everything else byte for byte."""
    by_row: dict[int, dict[int, CellValue]] = {}
    for (r, c), v in cells.items():
        by_row.setdefault(r, {})[c] = v
    sd = _SHEET_DATA.search(xml)
    if sd is None:
        raise ValueError("no sheetData")
    inner = sd.group(1) or b""
    out: list[bytes] = []
    done: set[int] = set()
    last = 0
    for m in _ROW.finditer(inner):
        rm = _ROW_R.search(m.group(1))
        row = int(rm.group(1)) - 1 if rm else -1
        # rows to insert before this one
        for r in sorted(k for k in by_row if k < row and k not in done):
            out.append(b'<row r="' + str(r + 1).encode() + b'">' + _patch_row(b"", r, by_row[r]) + b"</row>")
            done.add(r)
        out.append(inner[last : m.start()])
        if row in by_row:
            new_inner = _patch_row(m.group(3) or b"", row, by_row[row])
            out.append(b"<row" + m.group(1) + b">" + new_inner + b"</row>")
            done.add(row)
        else:
            out.append(m.group(0))
        last = m.end()
    out.append(inner[last:])
    for r in sorted(k for k in by_row if k not in done):
        out.append(b'<row r="' + str(r + 1).encode() + b'">' + _patch_row(b"", r, by_row[r]) + b"</row>")
    new_inner = b"".join(out)
    opening = xml[sd.start() : sd.start() + xml[sd.start() :].index(b">") + 1]
    if opening.endswith(b"/>"):
        opening = opening[:-2] + b">"
    tag = re.match(rb"<((?:\w+:)?sheetData)", opening)
    assert tag is not None
    closing = b"</" + tag.group(1) + b">"
    return xml[: sd.start()] + opening + new_inner + closing + xml[sd.end() :]


_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?(?:/>|>.*?</(?:\w+:)?v>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _cached_xml(attrs: bytes, inner: bytes, value: CellValue) -> bytes:
    """A formula cell with ``value`` as its stored result: the ``<f>`` and the style stay, only ``<v>`` and ``t`` change."""
    kept = re.sub(rb'\s+t="[^"]*"', b"", attrs)
    inner = _VALUE.sub(b"", inner)
    if isinstance(value, bool):
        kind, text = b' t="b"', b"1" if value else b"0"
    elif isinstance(value, (int, float)):
        kind = b""
        text = (repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))).encode()
    elif value is None:
        kind, text = b' t="str"', b""
    else:
        kind, text = b' t="str"', _escape(str(value))
    f_end = re.search(rb"</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>", inner)
    assert f_end is not None
    inner = inner[: f_end.end()] + b"<v>" + text + b"</v>" + inner[f_end.end() :]
    return b"<c" + kept + kind + b">" + inner + b"</c>"


def set_cached_values(xml: bytes, values: Mapping[tuple[int, int], CellValue]) -> bytes:
    """The sheet XML with new stored results for formula cells (0-based row, col -> value); formulas unchanged.

    Only cells that hold a formula are touched; anything else in ``values`` is ignored.
    """
    if not values:
        return xml
    sd = _SHEET_DATA.search(xml)
    if sd is None or sd.group(1) is None:
        return xml
    # a result that is no finite number (a division by zero in the template) is never stored
    wanted = {a1(r, c).encode(): v for (r, c), v in values.items() if not (isinstance(v, float) and not math.isfinite(v))}

    def one(m: re.Match[bytes]) -> bytes:
        ref = _ATTR_R.search(m.group(1))
        inner = m.group(3)
        if ref is None or inner is None or not _FORMULA.search(inner):
            return m.group(0)
        key = ref.group(1) + ref.group(2)
        if key not in wanted:
            return m.group(0)
        return _cached_xml(m.group(1), inner, wanted[key])

    inner = _CELL.sub(one, sd.group(1))
    return xml[: sd.start(1)] + inner + xml[sd.end(1) :]


def full_calc_on_load(xml: bytes) -> bytes:
    """workbook.xml asking Excel to recalculate every formula when the file opens."""
    m = re.search(rb"<(?:\w+:)?calcPr\b([^>]*?)(/?)>", xml)
    if m:
        attrs = re.sub(rb'\s+fullCalcOnLoad="[^"]*"', b"", m.group(1))
        return (
            xml[: m.start()] + xml[m.start() : m.start(1)] + attrs + b' fullCalcOnLoad="1"' + m.group(2) + b">" + xml[m.end() :]
        )
    anchor = re.search(rb"</((?:\w+:)?)definedNames>", xml) or re.search(rb"</((?:\w+:)?)sheets>", xml)
    if anchor is None:
        return xml
    return xml[: anchor.end()] + b"<" + anchor.group(1) + b'calcPr fullCalcOnLoad="1"/>' + xml[anchor.end() :]


def _member(template: Path, zin: zipfile.ZipFile, name: str) -> bytes:
    """One part of the template, or a Swedish refusal naming the part when it is damaged."""
    try:
        return zin.read(name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, KeyError):
        raise InputError(
            f"Mallen {template.name} är skadad: delen {name} går inte att packa upp. Öppna mallen i Excel och spara den igen."
        ) from None


def patch_workbook(
    template: Path,
    target: Path,
    updates: Updates,
    cached: Updates | None = None,
    notes: Mapping[str, Mapping[tuple[int, int], str]] | None = None,
) -> Path:
    """Write ``updates`` (sheet name -> {(row, col): value}) into a copy of ``template`` at ``target``.

    ``cached`` (same shape) gives new stored results for formula cells whose inputs were filled;
    ``notes`` adds cell notes (see :mod:`vpexcel.io.xlsx_notes`).
    """
    check_file(template)
    try:
        zin = zipfile.ZipFile(template)
    except zipfile.BadZipFile:
        raise InputError(f"Mallen {template.name} är ingen giltig arbetsbok. Spara den som .xlsx i Excel.") from None
    with zin:
        _check_zip(template, zin)
        parts = dict(_sheet_parts(template, zin)[0])
        missing = [s for s in updates if s not in parts]
        if missing:
            raise InputError(f"Mallen {template.name} saknar bladet {missing[0]!r}.")
        edited: dict[str, bytes] = {}
        for sheet, cells in updates.items():
            if not cells:
                continue
            try:
                edited[parts[sheet]] = patch_sheet(_member(template, zin, parts[sheet]), cells)
            except FormulaCell as exc:
                raise InputError(
                    f"Mallen {template.name}: cellen {exc.ref} på bladet {sheet!r} har en formel som vpexcel inte kan läsa "
                    "(en delad formel utan sitt ursprung). Öppna mallen i Excel, skriv in formeln igen eller töm cellen, och spara."
                ) from None
        for s, values in (cached or {}).items():
            if values and s in parts and parts[s] in edited:
                edited[parts[s]] = set_cached_values(edited[parts[s]], values)
        added = _with_notes(zin, parts, edited, notes or {}) if edited else {}

        def write(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w") as zout:
                for info in zin.infolist():
                    data = _member(template, zin, info.filename)
                    if info.filename in edited:
                        data = edited[info.filename]
                    elif info.filename == "xl/workbook.xml" and edited:
                        data = full_calc_on_load(data)
                    zout.writestr(info, data, compress_type=info.compress_type)
                for name, data in added.items():
                    zout.writestr(
                        zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED
                    )

        return write_atomic(target, write)


def _with_notes(
    zin: zipfile.ZipFile, parts: Mapping[str, str], edited: dict[str, bytes], notes: Mapping[str, Mapping[tuple[int, int], str]]
) -> dict[str, bytes]:
    """Add ``notes`` to the edited sheets; changed parts go into ``edited``, new parts are returned."""
    from vpexcel.io.xlsx_notes import add_notes

    names = set(zin.namelist())
    new: dict[str, bytes] = {}

    def read(name: str) -> bytes | None:
        if name in new:
            return new[name]
        if name in edited:
            return edited[name]
        return zin.read(name) if name in names else None

    for sheet, cells in notes.items():
        part = parts.get(sheet)
        if not cells or part is None or part not in edited:
            continue
        edited[part], changed = add_notes(part, edited[part], cells, read, names | set(new))
        for name, data in changed.items():
            (edited if name in names else new)[name] = data
    return new
