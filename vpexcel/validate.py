"""The validation engine: find the tables, run every registered check, apply exemptions."""

from __future__ import annotations

from vpexcel.findings import Finding, Report
from vpexcel.grid import WorkbookGrid, parse_a1
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


def find_tables(book: WorkbookGrid, settings: Settings) -> list[Table]:
    tables: list[Table] = []
    for sheet in book.sheets:
        if normalize(sheet.name) in SKIPPED_SHEETS:
            continue
        tables += detect_tables(sheet, settings)
    return tables


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
    settings = resolve_settings(book, settings)
    ctx = Context(book, settings, find_tables(book, settings))
    findings: list[Finding] = []
    for _code, fn in CHECKS:
        findings.extend(fn(ctx))
    for f in findings:
        ex = settings.exemption_for(f.code, f.sheet, f.cell)
        if ex is not None:
            f.silenced = ex.reason
    findings.sort(key=lambda f: _position(book, f))
    return Report(file=book.name, findings=findings)
