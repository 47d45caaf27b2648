"""The validation engine: find the tables, run every registered check, apply exemptions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice, product

from vpexcel import settings as own_settings
from vpexcel.findings import Finding, HiddenSheet, Report, Severity
from vpexcel.formulas import mask_references, references
from vpexcel.grid import VERY_HIDDEN, SheetGrid, WorkbookGrid, parse_a1
from vpexcel.layout import Sign, Table, detect_tables, map_lines
from vpexcel.numbers import times_sv
from vpexcel.perf import cyclic_gc_paused
from vpexcel.rules import CHECKS, load_all
from vpexcel.rules.context import Context
from vpexcel.settings import SETTINGS_SHEET, Settings, default_settings, normalize, settings_from_sheet

REPORT_SHEET = "Valideringsrapport"
SKIPPED_SHEETS = {normalize(SETTINGS_SHEET), normalize(REPORT_SHEET)}


def resolve_settings(book: WorkbookGrid, given: Settings | None = None) -> Settings:
    """Settings given on the command line win; else the workbook's own sheet; else the default."""
    if given is not None:
        return own_settings.tables_checked(given, book)
    sheet = own_settings.settings_sheet(book)
    if sheet is not None:
        return own_settings.tables_checked(settings_from_sheet(sheet, default_settings()), book)
    return default_settings()


class SheetMapper:
    """The table map, built sheet by sheet while the reader reads the next sheets.

    Handed to the reader (``read_workbook(path, on_sheet=mapper)``) and then to
    ``validate``: a sheet's tables depend only on the sheet and the settings, so
    each sheet mapped under the settings that turn out to be in force is not
    mapped again. The settings are those given, else the workbook's own
    Inställningar sheet once read, else the defaults; a sheet mapped under
    defaults that the workbook's own settings then replace is mapped again.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.given = settings is not None
        self.settings: Settings | None = settings if settings is not None else default_settings()
        self.mapped: dict[int, tuple[SheetGrid, Settings, list[Table]]] = {}

    def __call__(self, sheet: SheetGrid) -> None:
        key = normalize(sheet.name)
        if own_settings.is_settings_sheet_name(sheet.name) and not self.given:
            try:
                self.settings = settings_from_sheet(sheet, default_settings())
            except Exception:  # said when validate reads the settings; no map ahead of it
                self.settings = None
            return
        if key in SKIPPED_SHEETS or self.settings is None:
            return
        self.mapped[id(sheet)] = (sheet, self.settings, detect_tables(sheet, self.settings))

    def tables_of(self, sheet: SheetGrid, settings: Settings) -> list[Table] | None:
        """The sheet's tables if it was mapped under ``settings``, else None."""
        got = self.mapped.get(id(sheet))
        if got is None or got[0] is not sheet or not (got[1] is settings or got[1] == settings):
            return None
        return got[2]


def find_tables(
    book: WorkbookGrid, settings: Settings, unread: list[str] | None = None, mapped: SheetMapper | None = None
) -> list[Table]:
    """Every table of every sheet; the names of sheets with figures but no table go to ``unread``."""
    tables: list[Table] = []
    for sheet in book.sheets:
        if normalize(sheet.name) in SKIPPED_SHEETS or own_settings.is_settings_sheet_name(sheet.name):
            continue
        found = mapped.tables_of(sheet, settings) if mapped is not None else None
        if found is None:
            found = detect_tables(sheet, settings)
        if not found and unread is not None and has_figures(sheet):
            unread.append(sheet.name)
        tables += found
    return tables


def has_figures(sheet: SheetGrid, enough: int = 4) -> bool:
    """A sheet with at least ``enough`` numbers that are no years (amounts someone may expect checked)."""
    count = 0
    for line in sheet.rows:
        for v in line:
            if type(v) is float or (type(v) is int):
                if float(v).is_integer() and 1900 <= v <= 2200:
                    continue
                count += 1
                if count >= enough:
                    return True
    return False


# findings that say a figure itself is wrong; an arithmetic finding computed from such a cell is their knock-on
CAUSES = ("VP201", "VP202", "VP204", "VP205", "VP301", "VP302", "VP303", "VP403")
ARITHMETIC = ("VP301", "VP302", "VP303", "VP304", "VP305", "VP306")
# a wrong sign or an error value in a cell whose formula reads a blamed cell is computed from that mistake
# (a summary's cost turned positive because an area's cost was typed positive); typed in, it is a cause itself
DERIVED_BY_FORMULA = ("VP204", "VP205")
# what can cause them: a computed wrong sign comes from a wrong sign it reads (a text number or another
# error moves a figure, it does not turn its sign); an error value from an error or a text in the
# arithmetic (#VALUE!), never #REF! or #NAME?, which are the formula's own fault
DERIVED_CAUSES = {"VP204": ("VP204",), "VP205": ("VP205", "VP201", "VP202")}
OWN_ERRORS = ("#REF!", "#NAME?")
_TRACE_DEPTH = 12
_TRACE_RANGE = 5_000  # cells of one range followed at most
_TRACE_BUDGET = 500_000  # cell visits for all findings of a workbook together: then the linking stops
_NAME = re.compile(r"(?<![\w.$!'\]])([A-Za-z_\\\u00c0-\u024f][\w.\u00c0-\u024f]*)(?![\w.(!])")


class _Cells:
    """What a cell's formula reads, sheet by sheet: plain and cross-sheet references, ranges over
    several sheets ('Jan:Dec'!B5) and the workbook's defined names; references into other
    workbooks are left out (a finding there is not this workbook's)."""

    def __init__(self, book: WorkbookGrid) -> None:
        self.book = book
        self.names = {k.casefold(): v for k, v in book.defined_names.items() if v}
        self.order = {s.name: i for i, s in enumerate(book.sheets)}
        self._found: dict[str, SheetGrid | None] = {}

    def sheet(self, name: str) -> SheetGrid | None:
        """The sheet of that name (as ``WorkbookGrid.sheet``), looked up once per name."""
        if name not in self._found:
            self._found[name] = self.book.sheet(name)
        return self._found[name]

    def read_by(self, sheet_name: str, formula: str) -> Iterator[tuple[str, int, int, int, int]]:
        """(sheet, row1, col1, row2, col2) of every range the formula on ``sheet_name`` reads."""
        refs = references(formula)
        if self.names:
            for m in _NAME.finditer(mask_references(formula)):  # a name, not text in quotes that reads like one
                name = m.group(1).casefold()  # the sheet's own name first, then the workbook's
                target = self.names.get(f"{sheet_name.casefold()}!{name}", self.names.get(name))
                if target is not None:
                    refs += references(target)
        for ref in refs:
            if ref.book is not None:  # another workbook's cell: a finding there is not this workbook's
                continue
            for name in self._sheets(ref.sheet or sheet_name):
                yield name, ref.row1, ref.col1, ref.row2, ref.col2

    def _sheets(self, name: str) -> list[str]:
        sheet = self.sheet(name)
        if sheet is not None:
            return [sheet.name]
        if ":" in name:  # first:last, every sheet between them in the workbook's order
            first, last = (self.sheet(n.strip()) for n in name.split(":", 1))
            if first is not None and last is not None:
                a, b = sorted((self.order[first.name], self.order[last.name]))
                return [s.name for s in self.book.sheets[a : b + 1]]
        return []


Cell = tuple[str, int, int]  # sheet, 0-based row and column

# a text number is read as its number by the check and skipped by Excel's SUM: the one cause that explains a
# difference even when both sides of the comparison read its cell
READ_OTHERWISE = ("VP201",)


def _first_cause(
    f: Finding,
    own_side: tuple[Finding, ...],
    compared: Iterable[Cell],
    own: Cell | None,
    reach: Callable[[Cell, int], tuple[Finding, ...]],
    blamed: dict[Cell, list[Finding]],
    allowed: tuple[str, ...] | None = None,
) -> Finding | None:
    """The first blamed finding that can explain ``f``: read by its own cell's formulas or by the cells its
    check compared the cell with, but not by both sides alike (a mistake both sides read moves them
    together and explains no difference between them), except a text number the check reads otherwise."""
    places = [w for w in compared if w != own]
    other_side: dict[int, Finding] = {}
    for where in places:
        for g in reach(where, 0):
            other_side.setdefault(id(g), g)
    both = {id(g) for g in own_side} & other_side.keys()
    both -= {id(g) for where in places for g in blamed.get(where, ()) if g.code in READ_OTHERWISE}
    return next(
        (
            g
            for g in (*own_side, *other_side.values())
            if id(g) not in both and g is not f and (allowed is None or g.code in allowed)
        ),
        None,
    )


def link_knock_ons(book: WorkbookGrid, findings: list[Finding], inputs: dict[int, list[tuple[str, str]]]) -> list[Finding]:
    """Name the cause of every finding computed from a cell another finding already blames.

    A figure depends on the cells it was computed from and, through their formulas,
    on the cells those read (a total on its rows, a summary on another sheet's
    result, on a range over several sheets or a defined name). Arithmetic findings
    (VP301-VP306) are knock-ons when that chain reads a blamed cell; so are a wrong
    sign and an error value (VP204, VP205) in a cell whose formula reads one. The
    first blamed cell found that explains the difference (see ``_first_cause``) names
    the cause; a cause that is itself a knock-on hands
    over its own cause, so the message points at what to correct. Findings that only
    sit on related sheets are not linked: the chain must read the cause's cell.
    Returns the findings in order; F-numbers count from 1 in that order.
    """
    number = {id(f): i + 1 for i, f in enumerate(findings)}
    order = {"VP403": 0, "VP201": 1, "VP202": 1, "VP204": 1, "VP205": 1}
    blamed: dict[Cell, list[Finding]] = {}
    for f in findings:
        if f.code in CAUSES and f.sheet and f.cell and f.severity is not Severity.INFO:
            blamed.setdefault((f.sheet, *parse_a1(f.cell)), []).append(f)
    for got in blamed.values():
        got.sort(key=lambda g: order.get(g.code, 2))
    cells = _Cells(book)
    memo: dict[Cell, tuple[Finding, ...]] = {}

    def at(key: Cell, other_than: Finding) -> Finding | None:
        return next((g for g in blamed.get(key, ()) if g is not other_than), None)

    def formula_of(key: Cell) -> str | None:
        sheet = cells.sheet(key[0])
        return sheet.formulas.get((key[1], key[2])) if sheet is not None else None

    budget = [_TRACE_BUDGET]  # cell visits left for the whole workbook: a hostile chain of formulas stops here
    extent: dict[str, tuple[int, int]] = {}

    def last_cell(name: str) -> tuple[int, int]:
        """The last row and column of ``name`` that can hold a value or a formula (nothing is read beyond)."""
        if name not in extent:
            sheet = cells.sheet(name)
            if sheet is None:
                extent[name] = (-1, -1)
            else:
                rows = max((r for r, _c in sheet.formulas), default=-1)
                cols = max((c for _r, c in sheet.formulas), default=-1)
                extent[name] = (max(rows, len(sheet.rows) - 1), max(cols, max(map(len, sheet.rows), default=0) - 1))
        return extent[name]

    def reads(key: Cell, depth: int) -> tuple[tuple[Finding, ...], bool]:
        """The blamed findings the formula at ``key`` reads, directly or through other formulas, first found
        first; and whether that is all of them (False when the depth, a circular reference or the budget
        cut the search short: such an answer is not kept for other askers)."""
        formula = formula_of(key)
        if not formula:
            return (), True
        if depth > _TRACE_DEPTH:
            return (), False
        out: dict[int, Finding] = {}
        whole = True
        for target, row1, col1, row2, col2 in cells.read_by(key[0], formula):
            last_row, last_col = last_cell(target)
            rows = range(max(row1, 0), min(row2, last_row) + 1)
            cols = range(max(col1, 0), min(col2, last_col) + 1)
            if len(rows) * len(cols) > _TRACE_RANGE:
                whole = False
            for r, c in islice(product(rows, cols), _TRACE_RANGE):
                budget[0] -= 1
                if budget[0] < 0:
                    return tuple(out.values()), False
                got, complete = reach((target, r, c), depth + 1)
                whole = whole and complete
                for g in got:
                    out.setdefault(id(g), g)
        return tuple(out.values()), whole

    memo_open: set[Cell] = set()  # cells whose search is under way (a circular reference meets one)

    def reach(key: Cell, depth: int) -> tuple[tuple[Finding, ...], bool]:
        """The findings blamed at ``key``, or else those its formula reads (memoised per cell when complete)."""
        got = blamed.get(key)
        if got:
            return tuple(got), True
        if key in memo:
            return memo[key], True
        if key in memo_open:
            return (), False  # a circular reference ends here
        memo_open.add(key)
        try:
            found, complete = reads(key, depth)
        finally:
            memo_open.discard(key)
        if complete:
            memo[key] = found
        return found, complete

    def reach_all(key: Cell, depth: int) -> tuple[Finding, ...]:
        return reach(key, depth)[0]

    causes: dict[int, Finding] = {}
    for f in findings:
        if f.severity is Severity.INFO or not f.sheet:
            continue
        own = (f.sheet, *parse_a1(f.cell)) if f.cell else None
        allowed = DERIVED_CAUSES.get(f.code)
        if f.code in DERIVED_BY_FORMULA:
            formula = formula_of(own) if own is not None else None
            if not formula or (f.code == "VP205" and (str(f.actual) in OWN_ERRORS or "#REF!" in formula.upper())):
                continue  # typed in, or an error the formula makes itself: a cause, not a knock-on
        elif f.code not in ARITHMETIC:
            continue
        cause = None
        if own is not None:
            cause = at(own, f)
            if cause is not None and (cause.code in ARITHMETIC or cause.code == f.code):
                cause = None  # two sums disagreeing about one cell: the same mistake, neither causes the other
            if cause is not None and allowed is not None and cause.code not in allowed:
                cause = None
        if cause is None:
            compared = [(sheet, *parse_a1(cell)) for sheet, cell in inputs.get(id(f), ())]
            cause = _first_cause(f, reads(own, 0)[0] if own is not None else (), compared, own, reach_all, blamed, allowed)
        if cause is not None and cause is not f:
            causes[id(f)] = cause
    for f in findings:
        cause = causes.get(id(f))
        if cause is None:
            continue
        seen = {id(f)}
        while id(cause) in causes and id(cause) not in seen:  # the root of a chain of knock-ons
            seen.add(id(cause))
            cause = causes[id(cause)]
        if cause is f:
            continue
        f.message += f" Följdfel av F{number[id(cause)]} ({cause.code} i {cause.sheet}!{cause.cell}): rätta den först."
        f.suggestion = None
        f.cause_sheet, f.cause_cell = cause.sheet, cause.cell
    return findings


def _position(book: WorkbookGrid, f: Finding) -> tuple[int, int, int, str]:
    order = {s.name: i for i, s in enumerate(book.sheets)}
    sheet_pos = order.get(f.sheet or "", -1)
    row = col = -1
    if f.cell:
        row, col = parse_a1(f.cell)
    return sheet_pos, row, col, f.code


SheetMap = tuple[str, list[str]]  # a sheet's name and the lines that say how it was read


def validate(
    book: WorkbookGrid,
    settings: Settings | None = None,
    read_as: list[SheetMap] | None = None,
    mapped: SheetMapper | None = None,
) -> Report:
    """Check a workbook and return every finding, sorted by sheet and cell.

    ``read_as``, when given, receives the table map in Swedish, sheet by sheet
    (what ``vpexcel validate --visa`` prints and the report's sheet "Så lästes arbetsboken" shows).
    ``mapped`` is the map a ``SheetMapper`` built while the workbook was read.
    """
    with cyclic_gc_paused():
        return _validate(book, settings, read_as, mapped)


def describe_map(ctx: Context) -> list[SheetMap]:
    """How every sheet was read, in Swedish: its tables, or why it has none."""
    s = ctx.settings
    source = "standardinställningarna" if ctx.default_settings else "arbetsbokens eller filens egna inställningar"
    out: list[SheetMap] = [("", [f"Inställningar: {s.municipality}, {s.board}, budgetår {s.budget_year}, {s.unit} ({source})."])]
    for sheet in ctx.workbook.sheets:
        if normalize(sheet.name) in SKIPPED_SHEETS:
            out.append((sheet.name, ["Bladet är inställningar eller en rapport och kontrolleras inte."]))
            continue
        tables = [t for t in ctx.tables if t.sheet is sheet]
        if tables:
            lines = [line for t in tables for line in map_lines(t)]
        elif sheet.name in ctx.unread:
            lines = ["Bladet har siffror men ingen tabell som vpexcel förstod (VP106); siffrorna kontrollerades inte."]
        else:
            lines = ["Ingen tabell och inga belopp på bladet."]
        lines = [times_sv(line) for line in lines]  # a header or label that is an .ods time: "12:24", not "PT12H24M"
        out.append((sheet.name, [how_to_show(sheet), *lines] if sheet.hidden else lines))
    return out


def _validate(
    book: WorkbookGrid, settings: Settings | None, read_as: list[SheetMap] | None = None, mapped: SheetMapper | None = None
) -> Report:
    load_all()
    ctx = build_context(book, settings, mapped)
    if read_as is not None:
        read_as.extend(describe_map(ctx))
    findings: list[Finding] = []
    for _code, fn in CHECKS:
        findings.extend(fn(ctx))
    for f in findings:
        ex = ctx.settings.exemption_for(f.code, f.sheet, f.cell)
        if ex is not None:
            f.silenced = ex.reason
    findings.sort(key=lambda f: _position(book, f))
    findings = link_knock_ons(book, findings, ctx.inputs)
    for f in findings:  # a label that is an .ods time ("PT12H24M"), quoted in a message, reads "12:24"
        f.message = times_sv(f.message)
        if f.suggestion:
            f.suggestion = times_sv(f.suggestion)
        if isinstance(f.actual, str):
            f.actual = times_sv(f.actual)
    return Report(file=book.name, findings=findings, hidden_sheets=hidden_sheets(book, findings))


def how_to_show(sheet: SheetGrid) -> str:
    """In Swedish: that the sheet is hidden and how to show it in Excel ("" for a visible sheet)."""
    if not sheet.hidden:
        return ""
    if sheet.visibility == VERY_HIDDEN:
        return (
            f"Bladet '{sheet.name}' är mycket dolt och syns inte ens under Ta fram. Visa det i Excel: tryck Alt+F11, "
            "markera bladet under Microsoft Excel-objekt, tryck F4 och sätt Visible till -1 - xlSheetVisible."
        )
    return f"Bladet '{sheet.name}' är dolt. Visa det i Excel: högerklicka på en bladflik > Ta fram > välj '{sheet.name}' > OK."


def hidden_sheets(book: WorkbookGrid, findings: list[Finding]) -> list[HiddenSheet]:
    """The hidden sheets that findings are on, once each in workbook order, with how to show them."""
    on = {f.sheet for f in findings}
    return [
        HiddenSheet(sheet=s.name, visibility=s.visibility, note=how_to_show(s)) for s in book.sheets if s.hidden and s.name in on
    ]


def settle_signs(tables: list[Table]) -> None:
    """A table whose figures cannot tell its sign convention (one non-zero cost, no net that shows it) takes
    the convention most of the workbook's other tables show (the summary, the other areas' sheets); with no
    such majority it keeps the usual one and stays ``sign_untold`` (VP108 says so)."""
    untold = [t for t in tables if t.sign_untold]
    if not untold:
        return
    votes = {Sign.COSTS_NEGATIVE: 0, Sign.COSTS_POSITIVE: 0}
    for t in tables:
        if not t.sign_untold and t.sign_evidence >= 2:
            votes[t.sign] += 1
    if votes[Sign.COSTS_NEGATIVE] == votes[Sign.COSTS_POSITIVE]:
        return
    sign = max(votes, key=votes.__getitem__)
    for t in untold:
        t.sign, t.sign_untold = sign, False


def build_context(book: WorkbookGrid, settings: Settings | None = None, mapped: SheetMapper | None = None) -> Context:
    """The settings in force and the table map of every sheet: what every check reads."""
    default = settings is None and own_settings.settings_sheet(book) is None
    settings = resolve_settings(book, settings)
    unread: list[str] = []
    tables = find_tables(book, settings, unread, mapped)
    settle_signs(tables)
    return Context(book, settings, tables, default_settings=default, unread=unread)
