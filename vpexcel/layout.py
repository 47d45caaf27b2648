"""Find the budget tables in a sheet the way an economist reads them.

Two layouts are understood without configuration:

* ``areas``: one row per produktionsområde, columns for brutto intäkt, brutto
  kostnad and netto (often for several years side by side), sum rows such as
  "Totalt", note rows starting with "varav", sub-areas followed by their parent.
* ``accounts``: one sheet per area, rows of account groups ("Taxor och avgifter",
  "Personalkostnader"), the subtotals "Summa intäkter" / "Summa kostnader" and a
  "Resultat" or "Netto" row; columns are amounts per year ("Budget 2024").

The header may sit anywhere in the first 20 rows, a year row may stand over a
row of column names, and the unit (mkr, tkr, kr) is read from titles and headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from operator import itemgetter

from vpexcel.grid import CellValue, SheetGrid, a1
from vpexcel.numbers import Amount, AmountKind, classify
from vpexcel.settings import Area, Settings, normalize

HEADER_SCAN_ROWS = 20
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_UNIT = re.compile(r"(?<![\w])(mkr|mnkr|miljoner kronor|tkr|tusentals kronor|tusen kronor|kkr|kr|kronor)(?![\w])")
_UNIT_NAMES = {
    "mkr": "mkr",
    "mnkr": "mkr",
    "miljoner kronor": "mkr",
    "tkr": "tkr",
    "kkr": "tkr",
    "tusentals kronor": "tkr",
    "tusen kronor": "tkr",
    "kr": "kr",
    "kronor": "kr",
}
_SUM_LABEL = re.compile(r"^(totalt|total|totalsumma|summa|s:a|netto totalt)(\b|$)")
_NOTE_LABEL = re.compile(r"^(varav|därav|varav:)\b")
_REVENUE_SUM = re.compile(r"^(summa (brutto)?intäkter|summa intäkt|intäkter totalt|summa bruttointäkter)$")
_COST_SUM = re.compile(r"^(summa (brutto)?kostnader|summa kostnad|kostnader totalt|summa bruttokostnader)$")
_RESULT = re.compile(r"^(resultat|netto|nettokostnad|budgeterat resultat|summa netto|nettobudget|nettoresultat)$")


class ColumnKind(Enum):
    REVENUE = "revenue"
    COST = "cost"
    NET = "net"
    AMOUNT = "amount"  # an amount column of an accounts layout (rows say what it is)


class RowKind(Enum):
    AREA = "area"
    SUM = "sum"
    NOTE = "note"
    REVENUE_ITEM = "revenue_item"
    COST_ITEM = "cost_item"
    REVENUE_SUM = "revenue_sum"
    COST_SUM = "cost_sum"
    RESULT = "result"


@dataclass
class Column:
    col: int
    kind: ColumnKind
    year: int | None
    header: str


@dataclass(slots=True)
class Row:
    row: int
    kind: RowKind
    label: str
    area: Area | None = None


@dataclass
class Table:
    """A budget table found in a sheet; rows and columns are 0-based sheet positions."""

    sheet: SheetGrid
    layout: str  # "areas" or "accounts"
    header_row: int
    label_col: int
    columns: list[Column]
    rows: list[Row]
    unit: str | None = None
    unit_cell: str | None = None
    area: Area | None = None  # the area an accounts-layout sheet belongs to
    amounts: dict[tuple[int, int], Amount] = field(default_factory=dict)
    _columns: dict[int, list[float | None]] = field(default_factory=dict)
    _position: dict[int, int] = field(default_factory=dict)
    _odd: dict[int, list[int]] = field(default_factory=dict)
    _indices: dict[int, list[int]] = field(default_factory=dict)
    _lines: list[list[CellValue]] | None = None

    def position(self) -> dict[int, int]:
        """Sheet row -> index in ``rows`` (built once)."""
        if len(self._position) != len(self.rows):
            self._position = {r.row: i for i, r in enumerate(self.rows)}
        return self._position

    def values(self, col: int) -> list[float | None]:
        """The column's figures, one per entry of ``rows`` (None where no usable number)."""
        got = self._columns.get(col)
        if got is None:
            if self._lines is None:
                grid = self.sheet.rows
                self._lines = [grid[r.row] if r.row < len(grid) else [] for r in self.rows]
            raw = column_of(self._lines, col)
            odd = [] if set(map(type, raw)) == {float} else [k for k, v in enumerate(raw) if type(v) is not float]
            got = raw
            if odd:
                got = [v if type(v) is float else None for v in raw]
                for k in odd:
                    got[k] = self.number(self.rows[k].row, col)
            self._columns[col] = got
            self._odd[col] = odd
        return got

    def odd(self, col: int) -> list[int]:
        """Indices into ``rows`` whose cell in the column is not a plain float."""
        self.values(col)
        return self._odd[col]

    def indices(self, *kinds: RowKind) -> list[int]:
        """Indices into ``rows`` of the given kinds."""
        if not self._indices:  # one pass over the rows (keyed by identity: enum hashing is slow)
            for i, r in enumerate(self.rows):
                self._indices.setdefault(id(r.kind), []).append(i)
        if len(kinds) == 1:
            return self._indices.get(id(kinds[0]), [])
        return sorted(i for k in kinds for i in self._indices.get(id(k), []))

    @property
    def name(self) -> str:
        return self.sheet.name

    @property
    def years(self) -> list[int]:
        return sorted({c.year for c in self.columns if c.year is not None})

    def amount(self, row: int, col: int) -> Amount:
        got = self.amounts.get((row, col))
        if got is None:
            got = classify(self.sheet.value(row, col))
            self.amounts[(row, col)] = got
        return got

    def number(self, row: int, col: int) -> float | None:
        line = self.sheet.rows[row] if row < len(self.sheet.rows) else ()
        v = line[col] if col < len(line) else None
        if type(v) is float:  # the common case, without building an Amount
            return v
        return self.amount(row, col).number

    def column(self, kind: ColumnKind, year: int | None) -> Column | None:
        return next((c for c in self.columns if c.kind is kind and c.year == year), None)

    def rows_of(self, *kinds: RowKind) -> list[Row]:
        return [self.rows[i] for i in self.indices(*kinds)]


def _text(v: CellValue) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return ""


def _column_kind(text: str, layout: str) -> ColumnKind | None:
    t = normalize(text)
    if not t:
        return None
    if "netto" in t or "resultat" in t:
        return ColumnKind.NET
    if "intäkt" in t and "varav" not in t:
        return ColumnKind.REVENUE
    if "kostnad" in t:
        return ColumnKind.COST
    if layout == "areas" and re.search(r"\b(budget|ram)\b", t):
        return ColumnKind.NET
    return None


def _year_of(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def _is_year_cell(v: CellValue) -> int | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and 1900 <= v <= 2200:
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*(?:(?:budget|bokslut|prognos|utfall|år)\s*)?(19|20)\d{2}\s*", v, re.IGNORECASE):
        return _year_of(v)
    return None


def find_unit(sheet: SheetGrid, last_row: int) -> tuple[str | None, str | None]:
    """The unit named in the rows down to ``last_row`` (titles, headers): (unit, cell)."""
    for r in range(0, min(last_row + 1, sheet.height)):
        for c, v in enumerate(sheet.rows[r]):
            if isinstance(v, str) and v:
                m = _UNIT.search(v.casefold())
                if m:
                    return _UNIT_NAMES[m.group(1)], a1(r, c)
    return None, None


def _row_year(sheet: SheetGrid, row: int, col: int, first_col: int) -> int | None:
    """Year for a header cell from a year row above or below (merged titles carry right)."""
    for r in (row - 1, row - 2, row + 1):
        if r < 0 or r >= sheet.height:
            continue
        for c in range(col, first_col - 1, -1):
            y = _is_year_cell(sheet.value(r, c))
            if y is not None:
                return y
            if r > row:  # below: only the cell itself
                break
    return None


def _header_columns(sheet: SheetGrid, row: int, layout: str) -> list[Column]:
    line = sheet.rows[row] if row < sheet.height else []
    found: list[tuple[int, ColumnKind, str]] = []
    for c, v in enumerate(line):
        text = _text(v)
        kind = _column_kind(text, layout)
        if kind is not None:
            found.append((c, kind, text))
    if not found:
        return []
    first_col = found[0][0]
    cols: list[Column] = []
    for c, kind, text in found:
        year = _year_of(text)
        if year is None:
            year = _row_year(sheet, row, c, first_col)
        cols.append(Column(c, kind, year, text.strip()))
    return cols


def _header_score(cols: list[Column]) -> int:
    kinds = {c.kind for c in cols}
    return len(cols) + (2 if {ColumnKind.REVENUE, ColumnKind.COST} <= kinds else 0)


def _label_col(sheet: SheetGrid, start: int, end: int, first_amount_col: int) -> int:
    best, best_count = 0, -1
    for c in range(0, max(first_amount_col, 1)):
        count = sum(1 for r in range(start, end) if isinstance(sheet.value(r, c), str) and sheet.value(r, c).strip())
        if count > best_count:
            best, best_count = c, count
    return best


def column_of(lines: list[list[CellValue]], col: int) -> list[CellValue]:
    """One column of a list of rows; rows too short for it give None."""
    if lines and min(map(len, lines)) > col:
        return list(map(itemgetter(col), lines))  # rectangular rows (calamine's): at C speed
    return [line[col] if col < len(line) else None for line in lines]


def _clean(v: CellValue) -> str:
    return v.strip() if isinstance(v, str) else _text(v)


def _label(sheet: SheetGrid, row: int, col: int) -> str:
    v = sheet.value(row, col)
    return " ".join(v.split()) if isinstance(v, str) else _text(v)


_ACCOUNT_MARKS = ("summa", "s:a", "result", "netto", "budgete", "varav", "därav", "intäkter", "kostnader", "totalt")


def _has_amounts(sheet: SheetGrid, row: int, cols: list[Column]) -> bool:
    line = sheet.rows[row] if row < len(sheet.rows) else ()
    n = len(line)
    for c in cols:
        v = line[c.col] if c.col < n else None
        if v is None or v == "":
            continue
        if type(v) is float or classify(v).kind is not AmountKind.EMPTY:
            return True
    return False


def detect_tables(sheet: SheetGrid, settings: Settings) -> list[Table]:
    """Every budget table in a sheet, top to bottom."""
    accounts = _detect_accounts(sheet, settings)
    if accounts is not None:
        return [accounts]
    tables: list[Table] = []
    start = 0
    while start < sheet.height:
        table = _detect_areas(sheet, settings, start)
        if table is None:
            break
        tables.append(table)
        last = max([r.row for r in table.rows], default=table.header_row)
        start = last + 1
    return tables


def _find_header(sheet: SheetGrid, start: int, layout: str, settings: Settings) -> tuple[int, list[Column]] | None:
    best: tuple[int, list[Column]] | None = None
    for r in range(start, min(start + HEADER_SCAN_ROWS, sheet.height)):
        cols = _header_columns(sheet, r, layout)
        if len(cols) == 1 and not _areas_below(sheet, r, settings):
            continue  # one lone "Budget 2024" counts only over a list of areas
        if cols and (best is None or _header_score(cols) > _header_score(best[1])):
            best = (r, cols)
    return best


def _areas_below(sheet: SheetGrid, row: int, settings: Settings) -> bool:
    hits = 0
    for r in range(row + 1, min(row + 30, sheet.height)):
        for v in sheet.rows[r][:3]:
            if isinstance(v, str) and settings.find_area(v) is not None:
                hits += 1
                break
    return hits >= 2


def _detect_areas(sheet: SheetGrid, settings: Settings, start: int) -> Table | None:
    found = _find_header(sheet, start, "areas", settings)
    if found is None:
        return None
    header_row, cols = found
    # a header that names no year takes the budget year
    for c in cols:
        if c.year is None:
            c.year = settings.budget_year
    end = sheet.height
    for r in range(header_row + 1, sheet.height):
        if _header_score(_header_columns(sheet, r, "areas")) >= 3:
            # another table starts: it may have a year row over its names
            end = r - 1 if r - 1 > header_row and any(_is_year_cell(v) for v in sheet.rows[r - 1]) else r
            break
    label_col = _label_col(sheet, header_row + 1, end, cols[0].col)
    rows: list[Row] = []
    for r in range(header_row + 1, end):
        label = _label(sheet, r, label_col)
        has_amounts = _has_amounts(sheet, r, cols)
        if not label and not has_amounts:
            continue
        key = normalize(label)
        if key and _NOTE_LABEL.match(key):
            rows.append(Row(r, RowKind.NOTE, label))
            continue
        if key and _SUM_LABEL.match(key):
            rows.append(Row(r, RowKind.SUM, label))
            continue
        area = settings.find_area(label) if label else None
        if not has_amounts and area is None:
            prev = rows[-1] if rows else None
            if prev is not None and prev.kind is RowKind.AREA and prev.area is None:
                joined = settings.find_area(f"{prev.label} {label}")
                if joined is not None:  # a name wrapped over two rows
                    prev.label, prev.area = f"{prev.label} {label}", joined
                    continue
            if prev is not None and prev.kind is RowKind.AREA and prev.area is not None and not label.strip():
                continue
            continue  # a heading or a comment line, not a figure row
        rows.append(Row(r, RowKind.AREA, label, area))
    unit, unit_cell = find_unit(sheet, header_row)
    return Table(sheet, "areas", header_row, label_col, cols, rows, unit, unit_cell)


def _detect_accounts(sheet: SheetGrid, settings: Settings) -> Table | None:
    marker_row = marker_col = None
    for c in range(3):
        cells = column_of(sheet.rows, c)
        hit = next(
            (
                r
                for r, v in enumerate(cells)
                if type(v) is str
                and v.lstrip()[:9].lower().startswith(_ACCOUNT_MARKS)
                and (_REVENUE_SUM.match(normalize(v)) or _COST_SUM.match(normalize(v)))
            ),
            None,
        )
        if hit is not None:
            marker_row, marker_col = hit, c
            break
    if marker_row is None or marker_col is None:
        return None
    header_row = None
    cols: list[Column] = []
    for r in range(min(marker_row, HEADER_SCAN_ROWS + 10) - 1, -1, -1):
        found = []
        for c, v in enumerate(sheet.rows[r]):
            if c <= marker_col:
                continue
            text = _text(v)
            t = normalize(text)
            if t and (_year_of(text) is not None or re.search(r"\b(budget|utfall|prognos|belopp)\b", t)):
                found.append(Column(c, ColumnKind.AMOUNT, _year_of(text), text.strip()))
        if found:
            header_row, cols = r, found
            break
    if header_row is None:
        return None
    for column in cols:
        if column.year is None:
            column.year = settings.budget_year
    rows: list[Row] = []
    section = RowKind.REVENUE_ITEM
    body = sheet.rows[header_row + 1 :]
    labels = column_of(body, marker_col)
    # only labels that may be a subtotal, result, note or heading need the regexes
    marks = [type(v) is str and v.lstrip()[:9].lower().startswith(_ACCOUNT_MARKS) for v in labels]
    first = cols[0].col
    plain = [type(v) is float for v in column_of(body, first)]  # a figure row: the common case
    base = header_row + 1

    def items(start: int, end: int, kind: RowKind) -> list[Row]:
        """Account rows between two marked rows: every row with a figure."""
        return [
            Row(base + i, kind, _clean(labels[i])) for i in range(start, end) if plain[i] or _has_amounts(sheet, base + i, cols)
        ]

    previous = 0
    for i in [k for k, m in enumerate(marks) if m]:
        rows += items(previous, i, section)
        previous = i + 1
        r = base + i
        label = _label(sheet, r, marker_col)
        key = normalize(label)
        if _REVENUE_SUM.match(key):
            rows.append(Row(r, RowKind.REVENUE_SUM, label))
            section = RowKind.COST_ITEM
        elif _COST_SUM.match(key):
            rows.append(Row(r, RowKind.COST_SUM, label))
        elif _RESULT.match(key):
            rows.append(Row(r, RowKind.RESULT, label))
            break
        elif _NOTE_LABEL.match(key):
            rows.append(Row(r, RowKind.NOTE, label))
        elif _has_amounts(sheet, r, cols):
            if key in ("kostnader", "intäkter"):
                continue
            rows.append(Row(r, section, label))
        elif key.startswith("kostnad"):
            section = RowKind.COST_ITEM
    else:
        rows += items(previous, len(labels), section)
    unit, unit_cell = find_unit(sheet, header_row)
    area = settings.find_area_for_sheet(sheet.name)
    if area is None:
        for r in range(header_row + 1):
            for v in sheet.rows[r]:
                if isinstance(v, str) and v.strip():
                    text = normalize(v)
                    hits = [a for a in settings.areas if any(k in text for k in a.match_keys())]
                    if hits:
                        area = max(hits, key=lambda a: len(a.name))
                        break
            if area:
                break
    return Table(sheet, "accounts", header_row, marker_col, cols, rows, unit, unit_cell, area)
