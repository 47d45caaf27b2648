"""The table map: the core's model of a budget sheet, built once and read by every rule.

A sheet holds tables. Per table the map says where the header is, what each
column is (its *role*: brutto intäkt, brutto kostnad, netto, or an amount whose
rows say what it is; its *measure*: budget, utfall/bokslut, prognos, avvikelse, a
month, helår, förändring; its year and unit), what each row is (an area, a
sub-area, an item such as an account, a group heading, a subtotal, the total, a
note), its level, the block of rows each sum covers wherever the sum stands
(under its rows, or at the top of the table), and the sign convention of the
figures (costs negative with netto = intäkt + kostnad, or costs positive with
nettokostnad = kostnad − intäkt), told from the figures themselves.

It is built by a pipeline of small recognisers, each a plain function over the
sheet: header (which row names the columns), columns (role, measure, year),
rows (what each row is), blocks (what each sum covers), sign (the convention).

Two families of tables are understood without configuration:

* ``areas``: one row per produktionsområde (or per account, "Konto/Benämning"),
  columns for brutto intäkt, brutto kostnad and netto or one net figure per
  measure (Budget 2024, Bokslut 2023, Prognos, Avvikelse, jan ... dec, Helår),
  sum rows such as "Totalt" or "Summa ..." above or below their rows, group
  headings, note rows starting with "varav".
* ``accounts``: one sheet per area or enhet, rows of accounts or account groups,
  the subtotals "Summa (verksamhetens) intäkter" / "Summa (verksamhetens)
  kostnader" and a "Resultat" / "Verksamhetens nettokostnad" row; columns are
  amounts per measure and year ("Budget 2024", "Utfall 2023").

The header may sit anywhere in the first 20 rows, a year row may stand over a
row of column names, and the unit (mkr, tkr, kr) is read from titles and headers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from enum import Enum
from itertools import accumulate, chain, compress, repeat
from operator import add, attrgetter, is_, is_not, itemgetter, le, not_, or_

from vpexcel.grid import CellValue, SheetGrid, a1, column_index
from vpexcel.numbers import Amount, AmountKind, classify, format_time_sv, parse_swedish_number
from vpexcel.period import MONTHS_SV
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
_SUM_LABEL = re.compile(r"^(totalt|total|totalsumma|summa|s:a|netto totalt)(\b|$)|\b(totalt|summa)$")
_NOTE_LABEL = re.compile(r"^(varav|därav)(?=[\s:]|$)")  # "varav: ...", "därav lokaler", not "därav-kontroll"
_REVENUE_SUM = re.compile(
    r"^(summa (brutto)?intäkter|summa intäkt|intäkter totalt|summa bruttointäkter|(summa )?verksamhetens (brutto)?intäkter)$"
)
_COST_SUM = re.compile(
    r"^(summa (brutto)?kostnader|summa kostnad|kostnader totalt|summa bruttokostnader|(summa )?verksamhetens (brutto)?kostnader)$"
)
_RESULT = re.compile(
    r"^(resultat|netto|nettokostnad|budgeterat resultat|summa netto|nettobudget|nettoresultat"
    r"|verksamhetens nettokostnad(er)?|verksamhetens netto|nettokostnad totalt)$"
)
_AREA_HEADER = re.compile(
    r"^(produktionsområde|område|verksamhet|verksamhetsområde|delområde|enhet|nämnd|förvaltning|avdelning|ansvar)(er|n|na)?$"
)
_AREA_CODE_HEADER = re.compile(
    r"^(ansvar|ansvarskod|ansvarsnummer|ansvarsnr|ansvarsområde|kostnadsställe|kst|resultatenhet|enhetskod|verksamhetskod)$"
)
_LOOKUP_PROBE = 20
_SIGN_SAMPLE = 2_000  # figures per column enough to tell the sign convention  # names looked up before an areas table with no known name stops looking
_MARKS = ("total", "summa", "s:a", "netto tot", "varav", "därav", "totalsumma")
_ITEM_HEADER = re.compile(r"\b(konto|kontogrupp|kontoslag|benämning|post|slag)\b")
_MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4, "maj": 5,
    "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augusti": 8, "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip


class Measure(Enum):
    """What a column's figures are: the budget, or something beside it."""

    BUDGET = "budget"
    ACTUAL = "utfall"  # utfall, bokslut
    FORECAST = "prognos"
    VARIANCE = "avvikelse"
    MONTH = "månad"
    FULL_YEAR = "helår"
    CHANGE = "förändring"
    FRAME = "ram"  # the council's frame beside the budget ("Ram 2025"): checked for its sums, not against the frame


# measures whose figures are the year's budget (the frame and the bridge are checked on these)
BUDGET_MEASURES = (Measure.BUDGET, Measure.FULL_YEAR)


class Sign(Enum):
    """The table's sign convention, told from its figures."""

    COSTS_NEGATIVE = "costs_negative"  # intäkter positiva, kostnader negativa, netto = intäkt + kostnad
    COSTS_POSITIVE = "costs_positive"  # kostnader positiva, nettokostnad = kostnad − intäkt


_NOT_WORDS = re.compile(r"[\d().,:]+")
_YEAR_SUM = re.compile(r"\b(summa|totalt) år\b")
_AVV = re.compile(r"\bavv\b")
_DIFF = re.compile(r"\b(differens|diff)\b")  # "Differens mot ram": budget less frame, a deviation
_FRAME = re.compile(r"\b(ram|ramen|budgetram|kf-ram)\b")
_BUDGET_WORD = re.compile(r"\bbudget\b")
# a share or percentage, not an amount: its sum is no sum of its rows ("Förändring %", "Andel av budget")
_PERCENT = re.compile(r"%|\b(procent|andel)\b")
# a year total beside a run of months that does not say "helår": "Totalt", "Summa", "Årsbudget"
_YEAR_TOTAL = re.compile(r"^(totalt|total|summa|s:a|årsbudget|år totalt)(\s+(19|20)\d{2})?$")


def _measure_of(t: str) -> tuple[Measure, int | None]:
    """The measure named in a normalised header text, with the month number for a month."""
    word = _NOT_WORDS.sub(" ", t).split()
    if len(word) == 1 and word[0] in _MONTHS:
        return Measure.MONTH, _MONTHS[word[0]]
    if "helår" in t or _YEAR_SUM.search(t) or t in ("år", "året"):
        return Measure.FULL_YEAR, None
    if "avvikelse" in t or _AVV.search(t) or _DIFF.search(t):
        return Measure.VARIANCE, None
    if "prognos" in t:
        return Measure.FORECAST, None
    if "utfall" in t or "bokslut" in t:
        return Measure.ACTUAL, None
    if "förändring" in t or "förändr" in t:
        return Measure.CHANGE, None
    if _FRAME.search(t) and not _BUDGET_WORD.search(t):
        return Measure.FRAME, None
    return Measure.BUDGET, None


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
    ITEM = "item"  # a line that is no area: an account or account group in a table with revenue/cost/net columns
    GROUP = "group"  # a heading over a group of rows (no figures)


@dataclass
class Column:
    col: int
    kind: ColumnKind
    year: int | None
    header: str
    measure: Measure = Measure.BUDGET
    month: int | None = None


@dataclass(slots=True)
class Row:
    row: int
    kind: RowKind
    label: str
    area: Area | None = None
    level: int = 1  # 0 the table's total, 1 a subtotal or a row of an ungrouped table, 2 a row inside a group
    block: list[int] | None = None  # for a sum: the sheet rows it covers


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
    sign: Sign = Sign.COSTS_NEGATIVE
    # the figures cannot tell the sign convention (one non-zero cost, no net that shows it): ``sign`` is the usual
    # convention until the workbook's other tables tell it (validate), else VP108 says so
    sign_untold: bool = False
    sign_evidence: int = 0  # non-zero figures the sign convention was told from (a stated convention: many)
    rows_are_areas: bool = True  # an areas-layout table whose rows are areas (else items: accounts)
    area_hits: int = 0  # rows whose name is a known area
    names_unknown: bool = False  # an areas table whose first names are no known areas (the rest not looked up)
    items_named_like_areas: str = ""  # the header that made rows accounts though their names are known areas
    amounts: dict[tuple[int, int], Amount] = field(default_factory=dict)
    _columns: dict[int, list[float | None]] = field(default_factory=dict)
    _position: dict[int, int] = field(default_factory=dict)
    _odd: dict[int, list[int]] = field(default_factory=dict)
    _indices: dict[int, list[int]] = field(default_factory=dict)
    _kinds: list[RowKind] = field(default_factory=list)
    _numbers: list[int] = field(default_factory=list)
    _lines: list[list[CellValue]] | None = None

    def position(self) -> dict[int, int]:
        """Sheet row -> index in ``rows`` (built once)."""
        if len(self._position) != len(self.rows):
            self._position = dict(zip(self.numbers(), range(len(self.rows)), strict=True))
        return self._position

    def values(self, col: int) -> list[float | None]:
        """The column's figures, one per entry of ``rows`` (None where no usable number)."""
        got = self._columns.get(col)
        if got is None:
            if self._lines is None:
                grid = self.sheet.rows
                numbers = self.numbers()
                if not numbers or max(numbers) < len(grid):
                    self._lines = list(map(grid.__getitem__, numbers))
                else:
                    self._lines = [grid[r] if r < len(grid) else [] for r in numbers]
            raw = column_of(self._lines, col)
            # all floats and a finite sum: no inf or NaN among them (one C-level pass each)
            plain = set(map(type, raw)) == {float} and math.isfinite(sum(raw))
            odd = [] if plain else [k for k, v in enumerate(raw) if type(v) is not float or not math.isfinite(v)]
            got = raw
            if odd:
                got = [v if type(v) is float and math.isfinite(v) else None for v in raw]
                for k in odd:
                    got[k] = self.number(self.rows[k].row, col)
            self._columns[col] = got
            self._odd[col] = odd
        return got

    def odd(self, col: int) -> list[int]:
        """Indices into ``rows`` whose cell in the column is not a plain float."""
        self.values(col)
        return self._odd[col]

    def kinds(self) -> list[RowKind]:
        """Each entry of ``rows``'s kind (built once)."""
        if len(self._kinds) != len(self.rows):
            self._kinds = list(map(attrgetter("kind"), self.rows))
        return self._kinds

    def numbers(self) -> list[int]:
        """Each entry of ``rows``'s sheet row (built once)."""
        if len(self._numbers) != len(self.rows):
            self._numbers = list(map(attrgetter("row"), self.rows))
        return self._numbers

    def indices(self, *kinds: RowKind) -> list[int]:
        """Indices into ``rows`` of the given kinds."""
        if not self._indices and self.rows:  # one C-speed pass per kind present (keyed by identity: enum hashing is slow)
            of_rows = self.kinds()
            present = set(map(id, of_rows))
            for kind in RowKind:
                if id(kind) in present:
                    self._indices[id(kind)] = list(compress(range(len(of_rows)), map(is_, of_rows, repeat(kind))))
        if len(kinds) == 1:
            return self._indices.get(id(kinds[0]), [])
        return sorted(chain.from_iterable(self._indices.get(id(k), ()) for k in kinds))

    @property
    def name(self) -> str:
        return self.sheet.name

    @property
    def years(self) -> list[int]:
        return sorted({c.year for c in self.columns if c.year is not None})

    def amount(self, row: int, col: int) -> Amount:
        got = self.amounts.get((row, col))
        if got is None:
            v = self.sheet.value(row, col)
            got = classify(v)
            if got.kind is AmountKind.BAD and isinstance(v, str) and self.unit:
                # "-9 000 kr" in a table in kr: a number with the table's unit after it
                n = parse_swedish_number(v, units=(self.unit,))
                if n is not None:
                    got = Amount(AmountKind.TEXT_NUMBER, n)
            self.amounts[(row, col)] = got
        return got

    def number(self, row: int, col: int) -> float | None:
        line = self.sheet.rows[row] if row < len(self.sheet.rows) else ()
        v = line[col] if col < len(line) else None
        if type(v) is float and v - v == 0:  # the common case (finite: inf - inf is NaN), without an Amount
            return v
        return self.amount(row, col).number

    def column(self, kind: ColumnKind, year: int | None, measure: Measure = Measure.BUDGET) -> Column | None:
        return next((c for c in self.columns if c.kind is kind and c.year == year and c.measure is measure), None)

    def grand_total(self) -> Row | None:
        """The table's total: the sum row no other sum covers (the last one if several)."""
        sums = self.rows_of(RowKind.SUM)
        covered = {r for s in sums for r in (s.block or ())}
        top = [s for s in sums if s.row not in covered]
        return top[-1] if top else None

    def data_kinds(self) -> tuple[RowKind, ...]:
        return (RowKind.AREA, RowKind.ITEM)

    def rows_of(self, *kinds: RowKind) -> list[Row]:
        return [self.rows[i] for i in self.indices(*kinds)]


def _text(v: CellValue) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return format_time_sv(v) or ""  # a time used as a label or header reads as its Swedish text ("12:24")


def _column_kind(text: str, layout: str) -> tuple[ColumnKind, Measure, int | None] | None:
    """The column recogniser: a header text to (role, measure, month), or None when it names no amount."""
    t = normalize(text)
    if not t or "varav" in t or _PERCENT.search(t):
        return None
    measure, month = _measure_of(t)
    if "netto" in t or "resultat" in t:
        return ColumnKind.NET, measure, month
    if "intäkt" in t:
        return ColumnKind.REVENUE, measure, month
    if "kostnad" in t:
        return ColumnKind.COST, measure, month
    if layout == "areas" and (measure is not Measure.BUDGET or re.search(r"\b(budget|ram|plan)\b", t)):
        return ColumnKind.NET, measure, month
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


def _row_year(sheet: SheetGrid, row: int, col: int, first_col: int) -> tuple[int | None, Measure | None]:
    """Year for a header cell from a year row above or below (merged titles carry right),
    with the measure the year cell names ("Utfall 2023" over Brutto intäkt, Brutto kostnad, Netto)."""
    for r in (row - 1, row - 2, row + 1):
        if r < 0 or r >= sheet.height:
            continue
        if r > row and any(v not in (None, "") and _is_year_cell(v) is None for v in sheet.rows[r]):
            continue  # below: only a row of years (the first figures are no years)
        for c in range(col, first_col - 1, -1):
            v = sheet.value(r, c)
            y = _is_year_cell(v)
            if y is not None:
                measure = _measure_of(normalize(v))[0] if isinstance(v, str) else Measure.BUDGET
                return y, measure
            if r > row:  # below: only the cell itself
                break
    return None, None


def _header_columns(sheet: SheetGrid, row: int, layout: str) -> list[Column]:
    line = sheet.rows[row] if row < sheet.height else []
    found: list[tuple[int, tuple[ColumnKind, Measure, int | None], str]] = []
    for c, v in enumerate(line):
        if not isinstance(v, str) or c == 0:
            continue  # a year or a figure names no column; column A holds the labels (or a title)
        text = _text(v)
        role = _column_kind(text, layout)
        if role is not None:
            found.append((c, role, text))
    if not found:
        return []  # dates alone open no table: a sheet of staff or volumes per month has them too
    first_col = found[0][0]
    cols: list[Column] = []
    for c, (kind, measure, month), text in found:
        year = _year_of(text)
        if year is None:
            year, named = _row_year(sheet, row, c, first_col)
            if named is not None and measure is Measure.BUDGET:
                measure = named
        cols.append(Column(c, kind, year, text.strip(), measure, month))
    if layout == "areas":
        _frame_as_budget(cols)
    return _calendar_columns(line, cols, ColumnKind.NET, 1) if layout == "areas" else cols


def _frame_as_budget(cols: list[Column]) -> None:
    """A net "Ram 2024" / "Budgetram 2024" is the area's budget (in many kommuner an area's budget is its
    ram) unless the table also has a budget net column for that year: then it is the council's frame beside it."""
    budgets = {c.year for c in cols if c.kind is ColumnKind.NET and c.measure is Measure.BUDGET}
    for c in cols:
        if c.kind is ColumnKind.NET and c.measure is Measure.FRAME and c.year not in budgets:
            c.measure = Measure.BUDGET


def _calendar_columns(line: list[CellValue], cols: list[Column], kind: ColumnKind, first: int) -> list[Column]:
    """``cols`` with the month columns whose headers are dates (Excel's "jan-25": a date shown as a month),
    and a year total after a run of months whose header is "Totalt" or "Summa" rather than "Helår"."""
    taken = {c.col for c in cols}
    dates = [(c, v) for c, v in enumerate(line) if c >= first and c not in taken and isinstance(v, dt.date)]
    extra: list[Column] = []
    if len({(v.year, v.month) for _c, v in dates}) >= 2:  # a run of months, not one stray date
        for c, v in dates:
            extra.append(Column(c, kind, v.year, f"{MONTHS_SV[v.month - 1][:3]}-{v.year % 100:02d}", Measure.MONTH, v.month))
    months = [c for c in chain(cols, extra) if c.measure is Measure.MONTH]
    # "Totalt" after a run of months is the full year only when the months make a whole year: after
    # jan-apr it is the months so far (an outcome to date), no budget to hold against the frame
    whole_year = len({m.month for m in months if m.month is not None}) >= 12
    if whole_year and not any(c.measure is Measure.FULL_YEAR for c in cols):
        last = max(c.col for c in months)
        for c in range(last + 1, min(last + 3, len(line))):
            v = line[c]
            if c not in taken and isinstance(v, str) and _YEAR_TOTAL.match(normalize(v)):
                years = {m.year for m in months}
                year = _year_of(v) or (next(iter(years)) if len(years) == 1 else None)
                extra.append(Column(c, kind, year, v.strip(), Measure.FULL_YEAR, None))
                break
    if not extra:
        return cols
    return sorted(chain(cols, extra), key=attrgetter("col"))


def _header_score(cols: list[Column]) -> int:
    kinds = {c.kind for c in cols}
    return len(cols) + (2 if {ColumnKind.REVENUE, ColumnKind.COST} <= kinds else 0)


def _label_col(sheet: SheetGrid, start: int, end: int, first_amount_col: int) -> int:
    best, best_count = 0, -1
    for c in range(0, max(first_amount_col, 1)):
        count = sum(1 for r in range(start, min(end, start + 200)) if isinstance(v := sheet.value(r, c), str) and v.strip())
        if count >= best_count:  # on a tie the column nearer the figures: Benämning beside Konto
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


_ACCOUNT_MARKS = (
    "summa", "s:a", "result", "netto", "budgete", "varav", "därav", "intäkter", "kostnader", "totalt", "verksamhe",
)  # fmt: skip
# the same test as ``v.lstrip()[:9].lower().startswith(_ACCOUNT_MARKS)`` in one C call (no mark is longer than 9)
_ACCOUNT_MARK = re.compile(r"\s*(?:" + "|".join(map(re.escape, _ACCOUNT_MARKS)) + ")", re.IGNORECASE)


def _has_amounts(sheet: SheetGrid, row: int, cols: list[Column]) -> bool:
    line = sheet.rows[row] if row < len(sheet.rows) else ()
    n = len(line)
    formulas = sheet.formulas
    for c in cols:
        v = line[c.col] if c.col < n else None
        if v is None or v == "":
            if formulas and (row, c.col) in formulas:
                return True  # a formula saved without its value (VP206): a sum or result row, not a heading
            continue
        if type(v) is float or classify(v).kind is not AmountKind.EMPTY:
            return True
    return False


_SPEC_ROLE = {"intäkt": ColumnKind.REVENUE, "kostnad": ColumnKind.COST, "netto": ColumnKind.NET, "belopp": ColumnKind.AMOUNT}
_SPEC_MEASURE = {
    "budget": Measure.BUDGET,
    "utfall": Measure.ACTUAL,
    "prognos": Measure.FORECAST,
    "avvikelse": Measure.VARIANCE,
    "helår": Measure.FULL_YEAR,
    "förändring": Measure.CHANGE,
}


_NAME_ROLES = ("område", "konto")  # Tabeller roles of the column of names, not of an amount column


def detect_tables(sheet: SheetGrid, settings: Settings) -> list[Table]:
    """Every budget table in a sheet, top to bottom; the settings' "Tabeller" override detection."""
    specs = [t for t in settings.tables if normalize(t.sheet) == normalize(sheet.name)]
    if not specs:
        return _detected(sheet, settings)
    header = next((t.header_row for t in specs if t.header_row), None)
    # "Kolumn B, Roll område": column B holds the names and the rows are areas ("konto": accounts)
    named = next((t for t in specs if t.column and t.role in _NAME_ROLES), None)
    names = (column_index(named.column or "A"), named.role == "område") if named is not None else None
    described = [t for t in specs if t.column and t.role not in _NAME_ROLES]
    if header is not None:
        row = header - 1
        cols = [
            Column(
                column_index(t.column or "A"),
                _SPEC_ROLE[t.role or "netto"],
                t.year or settings.budget_year,
                _text(sheet.value(row, column_index(t.column or "A"))).strip(),
                _SPEC_MEASURE[t.measure or "budget"],
            )
            for t in described
        ] or _header_columns(sheet, row, "areas")
        found = _detect_areas(sheet, settings, row, _AreaLookup(settings), (row, cols), names) if cols else None
        tables = [found] if found is not None else []
    else:
        tables = _detected(sheet, settings, names)
        for table in tables:
            for t in described:
                col = next((c for c in table.columns if c.col == column_index(t.column or "A")), None)
                if col is not None:
                    col.kind = _SPEC_ROLE[t.role] if t.role else col.kind
                    col.measure = _SPEC_MEASURE[t.measure] if t.measure else col.measure
                    col.year = t.year or col.year
    for t in specs:
        if t.sign:
            for table in tables:
                table.sign = Sign.COSTS_POSITIVE if t.sign == "kostnader positiva" else Sign.COSTS_NEGATIVE
                table.sign_untold, table.sign_evidence = False, 1_000_000
    return tables


def _detected(sheet: SheetGrid, settings: Settings, names: tuple[int, bool] | None = None) -> list[Table]:
    """Every budget table vpexcel finds in a sheet by itself (``names``: the column of names the user gave)."""
    find = _AreaLookup(settings)
    accounts = _detect_accounts(sheet, settings) if names is None or not names[1] else None  # "område": no per-area sheet
    if accounts is not None:
        return [accounts]
    tables: list[Table] = []
    start = 0
    while start < sheet.height:
        table = _detect_areas(sheet, settings, start, find, names=names)
        if table is None:
            break
        tables.append(table)
        last = max([r.row for r in table.rows], default=table.header_row)
        start = last + 1
    return tables


class _AreaLookup:
    """The settings' ``find_area``, asked once per distinct label while one sheet is read."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.memo: dict[str, Area | None] = {}

    def __call__(self, label: str) -> Area | None:
        if label not in self.memo:
            self.memo[label] = self.settings.find_area(label)
        return self.memo[label]


def _find_header(sheet: SheetGrid, start: int, layout: str, find: _AreaLookup) -> tuple[int, list[Column]] | None:
    best: tuple[int, list[Column]] | None = None
    for r in range(start, min(start + HEADER_SCAN_ROWS, sheet.height)):
        cols = _header_columns(sheet, r, layout)
        if len(cols) == 1 and not _areas_below(sheet, r, find):
            continue  # one lone "Budget 2024" counts only over a list of areas
        if cols and (best is None or _header_score(cols) > _header_score(best[1])):
            best = (r, cols)
    return best


def _areas_below(sheet: SheetGrid, row: int, find: _AreaLookup) -> bool:
    hits = 0
    for r in range(row + 1, min(row + 30, sheet.height)):
        for v in sheet.rows[r][:3]:
            if isinstance(v, str) and find(v) is not None:
                hits += 1
                break
    return hits >= 2


def _wordy_rows(sheet: SheetGrid, start: int) -> list[int]:
    """The rows from ``start`` with at least three texts (a header names at least three columns), told
    column by column when the rows are of one width (calamine's), else row by row."""
    lines = sheet.rows[start:]
    width = len(lines[0]) if lines else 0
    if not lines or width > 64 or min(map(len, lines)) != width or max(map(len, lines)) != width:
        return [start + k for k, line in enumerate(lines) if list(map(type, line)).count(str) >= 3]
    counts = [0] * len(lines)
    for c in range(width):
        counts = list(map(add, counts, map(is_, map(type, map(itemgetter(c), lines)), repeat(str))))
    return [start + k for k in compress(range(len(lines)), map(le, repeat(3), counts))]


def _row_domain(
    sheet: SheetGrid, find: _AreaLookup, header_row: int, end: int, label_col: int, first_col: int
) -> tuple[bool, int]:
    """The rows recogniser's first question: are the table's rows areas (True) or items such as accounts?
    With it, how many of the first names are known areas (up to 2).

    Items when the header names accounts (Konto, Benämning, Kontogrupp) and no
    areas; areas when the header names areas (Produktionsområde, Verksamhet, Enhet,
    or a code column Ansvar, Kostnadsställe) and no accounts; else areas when at
    least two of the first rows name known areas (codes such as 1300 beside them
    or not), items otherwise. Only the first rows are looked at, so a table of
    100,000 accounts costs no area look-up per row.
    """
    heads = [normalize(_text(sheet.value(header_row, c))) for c in range(0, first_col)]
    items = any(h and _ITEM_HEADER.search(h) for h in heads)
    # "Ansvar | Verksamhet": a code column of responsibilities (ansvar, kostnadsställe) is no account column
    areas = any(h and (_AREA_HEADER.match(h) or _AREA_CODE_HEADER.match(h)) for h in heads)
    hits = 0
    for r in range(header_row + 1, min(end, header_row + 41)):
        label = _label(sheet, r, label_col)
        if label and find(label) is not None:
            hits += 1
            if hits >= 2:
                break
    if items != areas:
        return areas, hits
    # the names are the board's areas (whatever codes stand beside them), else items: accounts
    return hits >= 2, hits


def _detect_areas(
    sheet: SheetGrid,
    settings: Settings,
    start: int,
    find: _AreaLookup,
    forced: tuple[int, list[Column]] | None = None,
    names: tuple[int, bool] | None = None,
) -> Table | None:
    found = forced or _find_header(sheet, start, "areas", find)
    if found is None:
        return None
    header_row, cols = found
    # a header that names no year takes the budget year
    for c in cols:
        if c.year is None:
            c.year = settings.budget_year
    end = sheet.height
    for r in _wordy_rows(sheet, header_row + 1):
        if _header_score(_header_columns(sheet, r, "areas")) >= 3:
            # another table starts: it may have a year row over its names
            end = r - 1 if r - 1 > header_row and any(_is_year_cell(v) for v in sheet.rows[r - 1]) else r
            break
        if _new_header(sheet, r, header_row, cols):
            end = r  # a table of its own below a blank row (Investeringar, Personal): not part of this one
            break
    known = 0
    if names is not None:  # the settings' Tabeller say which column holds the names and what they are
        label_col, rows_are_areas = names
    else:
        label_col = _label_col(sheet, header_row + 1, end, cols[0].col)
        rows_are_areas, known = _row_domain(sheet, find, header_row, end, label_col, cols[0].col)
    rows, hits, table_unknown = _area_rows(sheet, settings, find, header_row, end, label_col, cols, rows_are_areas)
    while rows and rows[-1].kind is RowKind.GROUP:
        rows.pop()  # text under the table (a source line, a comment) is no heading
    unit, unit_cell = find_unit(sheet, header_row)
    table = Table(sheet, "areas", header_row, label_col, cols, rows, unit, unit_cell)
    table.rows_are_areas, table.area_hits = rows_are_areas, hits
    table.names_unknown = table_unknown
    if not rows_are_areas and known >= 2 and names is None:  # the header said accounts, the names say areas
        heads = (_text(sheet.value(header_row, c)).strip() for c in range(cols[0].col))
        table.items_named_like_areas = next((h for h in heads if _ITEM_HEADER.search(normalize(h))), "Konto")
    _blocks(table)
    table.sign = _sign(table)
    return table


_LETTER = re.compile(r"[^\W\d_]")


def _new_header(sheet: SheetGrid, row: int, header_row: int, cols: list[Column]) -> bool:
    """A row that names columns of another table: words (no figures) in the table's amount columns, with a blank
    row between it and the figures above (a title line such as "Investeringar 2025" may stand between)."""
    line = sheet.rows[row]
    words = [v for c in cols if c.col < len(line) and isinstance(v := line[c.col], str) and _LETTER.search(v)]
    if len(words) < min(2, len(cols)) or any(c.col < len(line) and classify(line[c.col]).number is not None for c in cols):
        return False
    if not any(_year_of(w) is not None or _column_kind(w, "areas") is not None for w in words):
        return False  # "saknas", "ej klart" typed where figures go: a data row with mistakes, no header
    for r in range(row - 1, header_row, -1):
        above = sheet.rows[r]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in above):
            return True
        if _has_amounts(sheet, r, cols):
            return False
    return False


# words of a label that may be a sum or a note row (a superset of what the row loop tests exactly)
_MARK_WORDS = ("total", "summa", "s:a", "netto tot", "varav", "därav")


def _lines_containing(texts: list[str], words: tuple[str, ...]) -> set[int]:
    """Indices of the texts that contain one of ``words`` (lower case), case aside, by substring search over them all.

    The texts are joined, encoded and lower-cased as ASCII in one C call each; a
    capital Å, Ä or Ö stays capital, so each word is also looked for with them.
    """
    text = "\n".join(texts).encode("utf-8", "surrogatepass").lower()
    lines = text.split(b"\n")
    if len(lines) != len(texts):  # a text with a line break in it: one by one
        return {k for k, t in enumerate(texts) if any(w in t.lower() for w in words)}
    forms = {f.encode() for w in words for f in (w, w.replace("å", "Å").replace("ä", "Ä").replace("ö", "Ö"))}
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))
    found: set[int] = set()
    for word in forms:
        at = text.find(word)
        while at != -1:
            line = bisect_right(starts, at) - 1
            found.add(line)
            at = text.find(word, starts[line + 1] if line + 1 < len(starts) else len(text))
    return found


# every way to write blank space that str.split() splits at, but the plain space, in UTF-8:
# the one-byte ones (dropped with one translate) and the wide ones (looked for one by one)
_ASCII_BLANKS = bytes([*range(0x09, 0x0E), *range(0x1C, 0x20)])
_WIDE_BLANKS = tuple(
    chr(c).encode()
    for c in [
        0x85,
        0xA0,
        0x1680,
        *range(0x2000, 0x200B),
        0x2028,
        0x2029,
        0x202F,
        0x205F,
        0x3000,
    ]
)


def _clean_already(texts: list[str]) -> bool:
    """True when no text has blank space to fold (``" ".join(t.split()) == t`` for each), told by substring search."""
    if not texts:
        return True
    text = "\n".join(texts).encode("utf-8", "surrogatepass")
    if text.count(b"\n") != len(texts) - 1:
        return False  # a text with a line break of its own
    text = text.replace(b"\n", b"\x00")
    if len(text.translate(None, _ASCII_BLANKS)) != len(text):
        return False
    wide = b"\xc2" in text or b"\xe1" in text or b"\xe2" in text or b"\xe3" in text  # lead bytes of the others
    return not (
        (wide and any(blank in text for blank in _WIDE_BLANKS))
        or b"  " in text
        or b" \x00" in text
        or b"\x00 " in text
        or text.startswith(b" ")
        or text.endswith(b" ")
    )


def _left_marks(lines: list[list[CellValue]], label_col: int) -> dict[int, str]:
    """Index -> text of the rows with a possible sum label in a column left of the labels (the first such column)."""
    found: dict[int, str] = {}
    for c in range(label_col):
        cells = column_of(lines, c)
        texts = [v if type(v) is str else "" for v in cells]
        for k in _lines_containing(texts, _MARK_WORDS):
            found.setdefault(k, " ".join(texts[k].split()))
    return found


def _special(plain: list[bool], marked: set[int]) -> list[int]:
    """Sorted indices of the rows with no figure in the first amount column or with a marked label."""
    return sorted(set(compress(range(len(plain)), map(not_, plain))) | marked)


def _area_rows(
    sheet: SheetGrid,
    settings: Settings,
    find: _AreaLookup,
    header_row: int,
    end: int,
    label_col: int,
    cols: list[Column],
    rows_are_areas: bool,
) -> tuple[list[Row], int, bool]:
    """The rows recogniser of an areas table: (rows, names that are known areas, names not looked up).

    The facts every row needs (its label, whether its first amount cell holds a
    figure, whether its label may mark a sum or a note) are taken column by
    column; a row is looked at on its own only when it is special (a possible sum
    or note, no figure in the first amount column) or while area names are
    still being looked up. A run of plain figure rows between special ones
    becomes rows in one step.
    """
    lines = sheet.rows[header_row + 1 : end]
    base = header_row + 1
    n = len(lines)
    raw = column_of(lines, label_col)
    if set(map(type, raw)) == {str}:  # every row labelled (the common case)
        labels = raw if _clean_already(raw) else list(map(" ".join, map(str.split, raw)))
    else:
        labels = [(" ".join(v.split()) if type(v) is str else _text(v)) if v is not None else "" for v in raw]
    plain = list(map(is_, map(type, column_of(lines, cols[0].col)), repeat(float)))
    # a sum labelled left of the names ("Totalt" under Konto, the names under Benämning): its label is read there
    left = _left_marks(lines, label_col)
    special = _special(plain, _lines_containing(labels, _MARK_WORDS) | left.keys())
    plain_kind = RowKind.AREA if rows_are_areas else RowKind.ITEM
    rows: list[Row] = []
    hits = looked = 0
    lookup = rows_are_areas
    table_unknown = False
    i = 0
    while i < n:
        if not lookup:
            nxt = bisect_left(special, i)
            j = special[nxt] if nxt < len(special) else n
            if j > i:  # plain figure rows: no sum, no note, no heading, no look-up
                rows.extend([Row(base + k, plain_kind, labels[k]) for k in range(i, j)])
                i = j
                if i >= n:
                    break
        r, label = base + i, labels[i]
        i += 1
        has_amounts = plain[i - 1] or _has_amounts(sheet, r, cols)
        if not label and not has_amounts:
            continue
        low = label[:10].lower()
        if low.startswith(_MARKS) or low.endswith(("totalt", "summa")) or label[-7:].lower().endswith(("totalt", "summa")):
            key = normalize(label)  # only a label that may be a sum or a note needs the regexes
            if key and _NOTE_LABEL.match(key):
                rows.append(Row(r, RowKind.NOTE, label))
                continue
            if key and _SUM_LABEL.search(key):
                rows.append(Row(r, RowKind.SUM, label))
                continue
        if i - 1 in left and (has_amounts or not label) and _SUM_LABEL.search(normalize(left[i - 1])):
            rows.append(Row(r, RowKind.SUM, " ".join(f"{left[i - 1]} {label}".split())))
            continue
        area = find(label) if label and lookup else None
        if lookup and label:
            looked += 1
            if looked >= _LOOKUP_PROBE and hits < 2 and area is None:
                lookup = False  # none of the first names is a known area: the rest are not looked up one by one
                table_unknown = True
        if not has_amounts and area is None:
            prev = rows[-1] if rows else None
            if rows_are_areas and prev is not None and prev.kind is RowKind.AREA and prev.area is None:
                joined = settings.find_area(f"{prev.label} {label}")
                if joined is not None:  # a name wrapped over two rows
                    prev.label, prev.area = f"{prev.label} {label}", joined
                    hits += 1
                    continue
            if label:
                rows.append(Row(r, RowKind.GROUP, label, level=1))  # a heading over a group of rows
            continue
        if area is not None:
            hits += 1
        rows.append(Row(r, plain_kind, label, area))
    return rows, hits, table_unknown


def _blocks(table: Table) -> None:
    """The blocks recogniser: what each sum row covers, wherever it stands, and every row's level.

    A sum covers the data rows since the previous sum. A sum with none above it
    covers the sums above it (a total under subtotals) or, at the top of the
    table, the subtotals below it, else the data rows below it. A sub-area counts
    only where its parent has no row of its own.
    """
    rows = table.rows
    n = len(rows)
    kinds = table.kinds()
    numbers = table.numbers()
    data = list(map(or_, map(is_, kinds, repeat(RowKind.AREA)), map(is_, kinds, repeat(RowKind.ITEM))))
    counted = data.copy()
    named = list(compress(range(n), map(is_not, map(attrgetter("area"), rows), repeat(None))))
    parents = {normalize(a.name) for a in (rows[k].area for k in named) if a is not None}
    sub_area = set()
    for k in named:
        area = rows[k].area
        if area is not None and area.parent is not None:
            sub_area.add(k)
            if normalize(area.parent) in parents:
                counted[k] = False

    def covered(lo: int, hi: int) -> list[int]:
        return list(compress(numbers[lo:hi], counted[lo:hi]))

    sums = list(compress(range(n), map(is_, kinds, repeat(RowKind.SUM))))
    last = -1
    open_sums: list[int] = []
    for i in sums:
        block = covered(last + 1, i)
        if block:
            rows[i].block = block
        else:
            open_sums.append(i)
        last = i
    opened = set(open_sums)
    for i in open_sums:
        row = rows[i]
        above = [numbers[k] for k in sums if k < i and k not in opened and rows[k].block]
        if above:
            row.block = above
            continue
        below = [numbers[k] for k in sums if k > i and k not in opened and rows[k].block]
        if below:
            row.block = below
            continue
        nxt = next((k for k in sums if k > i), n)
        row.block = covered(i + 1, nxt) or None
    sum_rows = {numbers[k] for k in sums}
    inner = sum_rows.intersection(chain.from_iterable(rows[k].block or () for k in sums))
    for k in sums:
        rows[k].level = 1 if numbers[k] in inner else 0
    if RowKind.GROUP in kinds and len(sums) > 1:  # grouped: every data row is inside a group
        for k in compress(range(n), data):
            rows[k].level = 2
    else:
        for k in sub_area:
            if kinds[k] is RowKind.AREA or kinds[k] is RowKind.ITEM:
                rows[k].level = 2


def _sign(table: Table) -> Sign:
    """The sign recogniser: costs shown positive when most cost figures are positive.

    Areas tables read their cost columns (or, with net figures only, the nets: a
    board's areas are net costs); accounts sheets read their cost rows.
    """
    if table.layout == "areas":
        idx = table.indices(RowKind.AREA, RowKind.ITEM)
        costs = [c for c in table.columns if c.kind is ColumnKind.COST]
        revenue = [c for c in table.columns if c.kind is ColumnKind.REVENUE]
        if not costs and revenue:
            return Sign.COSTS_NEGATIVE
        columns = costs or [c for c in table.columns if c.kind is ColumnKind.NET and c.measure in BUDGET_MEASURES]
    else:
        idx = table.indices(RowKind.COST_ITEM, RowKind.COST_SUM)
        columns = list(table.columns)
        costs = columns
    pos = neg = 0
    sample = idx[:_SIGN_SAMPLE]
    for col in columns:
        vals = table.values(col.col)
        told = list(filter(None, map(vals.__getitem__, sample)))  # None and 0 say nothing about the sign
        up = sum(map((0.0).__lt__, told))
        pos, neg = pos + up, neg + len(told) - up
    table.sign_evidence = pos + neg
    if table.layout == "areas" and not costs:
        return Sign.COSTS_POSITIVE if pos > neg else Sign.COSTS_NEGATIVE
    items = pos + neg
    if table.layout == "accounts" and items <= 1 + len(columns) * len(table.indices(RowKind.COST_SUM)):
        # a cost's subtotal repeats its items: only the items count as evidence
        items = sum(1 for col in columns for i in table.indices(RowKind.COST_ITEM)[:_SIGN_SAMPLE] if table.values(col.col)[i])
    # the nets tell the convention first (a few mistyped costs must not outvote them); the costs' majority
    # only when the nets do not tell; one cost alone cannot tell a wrong sign from the table's convention
    told_by_net = _sign_by_net(table)
    if told_by_net is not None:
        return told_by_net
    if items == 1:
        table.sign_untold = True
        return Sign.COSTS_NEGATIVE
    return Sign.COSTS_POSITIVE if pos > neg else Sign.COSTS_NEGATIVE


def _sign_by_net(table: Table) -> Sign | None:
    """The convention the nets show: netto = intäkt + kostnad (costs negative) or nettokostnad = kostnad −
    intäkt (costs positive), wherever a revenue, a cost and their net stand together; None when none tells."""
    triples: list[tuple[float, float, float]] = []
    if table.layout == "areas":
        by_key: dict[tuple[object, ...], dict[ColumnKind, int]] = {}
        for column in table.columns:
            by_key.setdefault((column.measure, column.year, column.month), {})[column.kind] = column.col
        for cols in by_key.values():
            if len(cols) == 3:
                rs, cs, ns = (table.values(cols[k]) for k in (ColumnKind.REVENUE, ColumnKind.COST, ColumnKind.NET))
                triples += [(a, b, x) for a, b, x in zip(rs, cs, ns, strict=True) if a and b and x is not None]
    else:

        def first(*kinds: RowKind) -> int | None:
            got = table.indices(*kinds)
            return got[0] if got else None

        rev, cost, net = first(RowKind.REVENUE_SUM), first(RowKind.COST_SUM), first(RowKind.RESULT)
        if net is not None:
            for col in table.columns:
                vals = table.values(col.col)
                rv = vals[rev] if rev is not None else sum(filter(None, (vals[i] for i in table.indices(RowKind.REVENUE_ITEM))))
                cv = vals[cost] if cost is not None else sum(filter(None, (vals[i] for i in table.indices(RowKind.COST_ITEM))))
                nv = vals[net]
                if rv and cv and nv is not None:
                    triples.append((rv, cv, nv))
    pos = neg = 0
    for r, c, n in triples:
        near = 0.001 * max(abs(r), abs(c), abs(n)) + 1e-9
        neg += abs(n - (r + c)) <= near
        pos += abs(n - (c - r)) <= near
    if pos == neg:
        return None
    return Sign.COSTS_POSITIVE if pos > neg else Sign.COSTS_NEGATIVE


def _detect_accounts(sheet: SheetGrid, settings: Settings) -> Table | None:
    marker_row = marker_col = None
    mark = _ACCOUNT_MARK.match
    for c in range(3):
        cells = column_of(sheet.rows, c)
        words = "\n".join(filter(str.__instancecheck__, cells)).lower()
        if "intäkt" not in words and "kostnad" not in words:
            continue  # no cell of the column can be a marker: it is not read cell by cell
        texts = cells if set(map(type, cells)) == {str} else [v if type(v) is str else "" for v in cells]
        # only a cell starting with a mark can be a marker: the candidates found by one search over the column
        hit = next(
            (
                r
                for r in sorted(_lines_containing(texts, _ACCOUNT_MARKS))
                if mark(v := texts[r])
                and ("intäkt" in v.lower() or "kostnad" in v.lower())
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
    figures: tuple[int, list[Column]] | None = None  # a row whose only "headers" are numbers such as 2030
    for r in range(min(marker_row, HEADER_SCAN_ROWS + 10) - 1, -1, -1):
        found = []
        for c, v in enumerate(sheet.rows[r]):
            if c <= marker_col:
                continue
            text = _text(v)
            t = normalize(text)
            measure, month = _measure_of(t)
            if (
                t
                and not _PERCENT.search(t)
                and (
                    _year_of(text) is not None
                    or measure is not Measure.BUDGET
                    or re.search(r"\b(budget|utfall|prognos|belopp|bokslut|plan)\b", t)
                )
            ):
                found.append(Column(c, ColumnKind.AMOUNT, _year_of(text), text.strip(), measure, month))
        found = _calendar_columns(sheet.rows[r], found, ColumnKind.AMOUNT, marker_col + 1)
        if found and all(isinstance(sheet.rows[r][k.col], (int, float)) for k in found):
            # years typed as numbers, or a first figure that looks like a year ("Taxor och avgifter | 2030"):
            # a row of words above it is the header; this one only if there is none
            figures = figures or (r, found)
            continue
        if found:
            header_row, cols = r, found
            break
    if header_row is None and figures is not None:
        header_row, cols = figures
    if header_row is None:
        return None
    for column in cols:
        if column.year is None:
            column.year = settings.budget_year
    rows: list[Row] = []
    section = RowKind.REVENUE_ITEM
    body = sheet.rows[header_row + 1 :]
    labels = column_of(body, marker_col)
    texts = labels if set(map(type, labels)) == {str} else [v if type(v) is str else "" for v in labels]
    cleaned = list(map(str.strip, texts)) if texts is labels else [_clean(v) for v in labels]
    # only labels that may be a subtotal, result, note or heading need the regexes: found by one search
    marked = [k for k in sorted(_lines_containing(texts, _ACCOUNT_MARKS)) if mark(texts[k])]
    first = cols[0].col
    plain = list(map(is_, map(type, column_of(body, first)), repeat(float)))  # a figure row: the common case
    base = header_row + 1

    def items(start: int, end: int, kind: RowKind) -> list[Row]:
        """Account rows between two marked rows: every row with a figure."""
        if all(plain[start:end]):
            return [Row(base + i, kind, cleaned[i]) for i in range(start, end)]
        return [Row(base + i, kind, cleaned[i]) for i in range(start, end) if plain[i] or _has_amounts(sheet, base + i, cols)]

    previous = 0
    for i in marked:
        rows += items(previous, i, section)
        previous = i + 1
        r = base + i
        label = _label(sheet, r, marker_col)
        key = normalize(label)
        if (_REVENUE_SUM.match(key) or _COST_SUM.match(key)) and not _has_amounts(sheet, r, cols):
            # a heading such as "Verksamhetens kostnader" over its accounts
            section = RowKind.REVENUE_ITEM if _REVENUE_SUM.match(key) else RowKind.COST_ITEM
            rows.append(Row(r, RowKind.GROUP, label))
            continue
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
            rows.append(Row(r, RowKind.GROUP, label))
        elif key.startswith("intäkt"):
            rows.append(Row(r, RowKind.GROUP, label))
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
    table = Table(sheet, "accounts", header_row, marker_col, cols, rows, unit, unit_cell, area)
    _account_blocks(table)
    table.sign = _sign(table)
    return table


def _account_blocks(table: Table) -> None:
    """What the subtotals and the result of an accounts sheet cover."""
    numbers = table.numbers()
    revenue = list(map(numbers.__getitem__, table.indices(RowKind.REVENUE_ITEM)))
    cost = list(map(numbers.__getitem__, table.indices(RowKind.COST_ITEM)))
    for row in table.rows_of(RowKind.REVENUE_SUM):
        row.block, row.level = revenue, 1
    for row in table.rows_of(RowKind.COST_SUM):
        row.block, row.level = cost, 1
    for row in table.rows_of(RowKind.RESULT):
        row.block, row.level = [r.row for r in table.rows_of(RowKind.REVENUE_SUM, RowKind.COST_SUM)], 0


# --- the map in words -------------------------------------------------------------
ROLE_SV = {
    ColumnKind.REVENUE: "brutto intäkt",
    ColumnKind.COST: "brutto kostnad",
    ColumnKind.NET: "netto",
    ColumnKind.AMOUNT: "belopp (raderna säger vad)",
}
MEASURE_SV = {
    Measure.BUDGET: "budget",
    Measure.ACTUAL: "utfall/bokslut",
    Measure.FORECAST: "prognos",
    Measure.VARIANCE: "avvikelse",
    Measure.MONTH: "månad",
    Measure.FULL_YEAR: "helår",
    Measure.CHANGE: "förändring",
    Measure.FRAME: "ram",
}
ROW_SV = {
    "area": "område",
    "sub-area": "delområde",
    "item": "post (konto)",
    "group": "grupprubrik",
    "subtotal": "delsumma",
    "total": "total",
    "note": "varav-rad",
    "revenue_item": "intäktspost",
    "cost_item": "kostnadspost",
    "revenue_sum": "summa intäkter",
    "cost_sum": "summa kostnader",
    "result": "resultat",
}
SIGN_SV = {
    Sign.COSTS_NEGATIVE: "intäkter positiva, kostnader negativa (netto = intäkt + kostnad)",
    Sign.COSTS_POSITIVE: "kostnader positiva (nettokostnad = kostnad − intäkt)",
}


def row_role(row: Row) -> str:
    """The row's role in the map's words (keys of ``ROW_SV``)."""
    if row.kind is RowKind.AREA:
        return "sub-area" if row.area is not None and row.area.parent is not None else "area"
    if row.kind is RowKind.SUM:
        return "total" if row.level == 0 else "subtotal"
    return row.kind.value


def rows_text(rows: list[int]) -> str:
    """1-based row numbers, runs shown as ranges: "4–9, 12"."""
    parts: list[str] = []
    ordered = sorted(rows)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(f"{ordered[i]}–{ordered[j]}" if j > i else str(ordered[i]))
        i = j + 1
    return ", ".join(parts)


def column_text(column: Column) -> str:
    """How a column was understood: "netto, budget 2024", "netto, månad 3 (mars) 2024"."""
    measure = MEASURE_SV[column.measure]
    if column.month:
        measure += f" {column.month} ({MONTHS_SV[column.month - 1]})"
    text = f"{ROLE_SV[column.kind]}, {measure}" + (f" {column.year}" if column.year else "")
    if column.measure is Measure.FRAME:
        text += ", inte budget: bara dess summor kontrolleras"
    return text


def _percent_columns(table: Table) -> list[tuple[int, str]]:
    """Header cells of the table's header row left out as percentages or shares: (column, header)."""
    read = {c.col for c in table.columns}
    line = table.sheet.rows[table.header_row] if table.header_row < table.sheet.height else []
    return [
        (c, v.strip())
        for c, v in enumerate(line)
        if c > table.label_col and c not in read and isinstance(v, str) and _PERCENT.search(normalize(v))
    ]


def map_lines(table: Table) -> list[str]:
    """One table of the map in Swedish, line by line (what ``vpexcel validate --visa`` prints)."""
    kind = (
        "områdestabell"
        if table.layout == "areas" and table.rows_are_areas
        else ("tabell med poster (konton)" if table.layout == "areas" else "blad per område med kontorader")
    )
    lines = [
        f"Tabell med rubrikrad {table.header_row + 1} ({kind}), etiketter i kolumn {a1(0, table.label_col)[:-1]}",
        f"  Enhet: {table.unit or 'framgår inte'}" + (f" (cell {table.unit_cell})" if table.unit_cell else ""),
        f"  Tecken: {SIGN_SV[table.sign]}" + (" (antaget: siffrorna visar inte tecknet, se VP108)" if table.sign_untold else ""),
    ]
    if table.layout == "accounts":
        lines.append(f"  Området: {table.area.name if table.area else 'okänt'}")
    lines.append("  Kolumner:")
    for c in table.columns:
        lines.append(f"    {a1(0, c.col)[:-1]}: {column_text(c)} (rubrik '{c.header}')")
    for col, header in _percent_columns(table):
        lines.append(f"    {a1(0, col)[:-1]}: läses inte, procent eller andel och inget belopp (rubrik '{header}')")
    counts: dict[str, int] = {}
    for r in table.rows:
        role = row_role(r)
        counts[role] = counts.get(role, 0) + 1
    lines.append("  Rader: " + ", ".join(f"{ROW_SV[k]} {n}" for k, n in counts.items()))
    sums = [r for r in table.rows if r.block]
    if sums:
        lines.append("  Summor:")
        for r in sums:
            lines.append(
                f"    rad {r.row + 1} ({ROW_SV[row_role(r)]}, '{r.label}') summerar rad {rows_text([x + 1 for x in r.block or ()])}"
            )
    return lines
