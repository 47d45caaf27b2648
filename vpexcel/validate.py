"""The validation engine: find the tables, run every registered check, apply exemptions."""

from __future__ import annotations

from vpexcel.findings import Finding, Report, Severity
from vpexcel.grid import SheetGrid, WorkbookGrid, parse_a1
from vpexcel.layout import Table, detect_tables
from vpexcel.perf import cyclic_gc_paused
from vpexcel.rules import CHECKS, load_all
from vpexcel.rules.context import Context
from vpexcel.settings import SETTINGS_SHEET, Settings, default_settings, normalize, settings_from_sheet

REPORT_SHEET = "Valideringsrapport"
SKIPPED_SHEETS = {normalize(SETTINGS_SHEET), normalize(REPORT_SHEET)}


def resolve_settings(book: WorkbookGrid, given: Settings | None = None) -> Settings:
    """Settings given on the command line win; else the workbook's own sheet; else the default."""
    if given is not None:
        return given
    sheet = book.sheet(SETTINGS_SHEET)
    if sheet is not None:
        return settings_from_sheet(sheet, default_settings())
    return default_settings()


def find_tables(book: WorkbookGrid, settings: Settings, unread: list[str] | None = None) -> list[Table]:
    """Every table of every sheet; the names of sheets with figures but no table go to ``unread``."""
    tables: list[Table] = []
    for sheet in book.sheets:
        if normalize(sheet.name) in SKIPPED_SHEETS:
            continue
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


def link_knock_ons(findings: list[Finding], inputs: dict[int, list[tuple[str, str]]]) -> None:
    """Name the cause of each finding computed from a cell another finding already blames (F-numbers in order)."""
    number = {id(f): i + 1 for i, f in enumerate(findings)}
    blamed: dict[tuple[str, str], Finding] = {}
    for f in findings:
        if f.code in CAUSES and f.sheet and f.cell and f.severity is not Severity.INFO:
            blamed.setdefault((f.sheet, f.cell), f)
    for f in findings:
        cause = None
        if f.sheet and f.cell and f.code in ("VP302", "VP304"):
            same = blamed.get((f.sheet, f.cell))
            if same is not None and same.code == "VP403" and same is not f:
                cause = same  # the SUM leaves out a row: the total is off because of it
        for where in inputs.get(id(f), ()):
            if cause is not None:
                break
            got = blamed.get(where)
            if got is not None and got is not f:
                cause = got
        if cause is None or f.severity is Severity.INFO:
            continue
        f.message += f" Följdfel av F{number[id(cause)]} ({cause.code} i {cause.cell}): rätta den först."
        f.suggestion = None
        f.cause_sheet, f.cause_cell = cause.sheet, cause.cell


def _position(book: WorkbookGrid, f: Finding) -> tuple[int, int, int, str]:
    order = {s.name: i for i, s in enumerate(book.sheets)}
    sheet_pos = order.get(f.sheet or "", -1)
    row = col = -1
    if f.cell:
        row, col = parse_a1(f.cell)
    return sheet_pos, row, col, f.code


def validate(book: WorkbookGrid, settings: Settings | None = None) -> Report:
    """Check a workbook and return every finding, sorted by sheet and cell."""
    with cyclic_gc_paused():
        return _validate(book, settings)


def _validate(book: WorkbookGrid, settings: Settings | None) -> Report:
    load_all()
    ctx = build_context(book, settings)
    findings: list[Finding] = []
    for _code, fn in CHECKS:
        findings.extend(fn(ctx))
    for f in findings:
        ex = ctx.settings.exemption_for(f.code, f.sheet, f.cell)
        if ex is not None:
            f.silenced = ex.reason
    findings.sort(key=lambda f: _position(book, f))
    link_knock_ons(findings, ctx.inputs)
    return Report(file=book.name, findings=findings)


def build_context(book: WorkbookGrid, settings: Settings | None = None) -> Context:
    """The settings in force and the table map of every sheet: what every check reads."""
    default = settings is None and book.sheet(SETTINGS_SHEET) is None
    settings = resolve_settings(book, settings)
    unread: list[str] = []
    tables = find_tables(book, settings, unread)
    return Context(book, settings, tables, default_settings=default, unread=unread)
