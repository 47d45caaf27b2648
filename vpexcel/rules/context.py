"""What every check sees: the workbook, the settings and the tables found in it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from vpexcel.findings import Finding, Value
from vpexcel.grid import WorkbookGrid, a1
from vpexcel.layout import BUDGET_MEASURES, Column, ColumnKind, Row, RowKind, Sign, Table
from vpexcel.numbers import Amount, AmountKind, format_sv
from vpexcel.settings import Area, Settings, normalize


def decimals_of(x: float) -> int:
    text = f"{round(abs(x), 6):.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True, slots=True)
class AmountCell:
    row: Row
    column: Column
    amount: Amount

    @property
    def cell(self) -> str:
        return a1(self.row.row, self.column.col)


@dataclass
class Context:
    workbook: WorkbookGrid
    settings: Settings
    tables: list[Table]
    default_settings: bool = False  # no settings given and none in the workbook: another kommun's may be in use
    unread: list[str] = field(default_factory=list)  # sheets with figures but no table understood (VP106)
    inputs: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # finding id -> cells it was computed from
    _cells: dict[int, list[AmountCell]] = field(default_factory=dict)
    _memo: dict[object, Any] = field(default_factory=dict)

    def memo(self, key: object, build: Callable[[], Any]) -> Any:
        """Work several checks share, done once per validation."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    # --- building findings -------------------------------------------------
    def finding(
        self,
        code: str,
        sheet: str | None,
        cell: str | None,
        message: str,
        *,
        expected: Value = None,
        actual: Value = None,
        suggestion: str | None = None,
        inputs: list[tuple[str, str]] | None = None,
    ) -> Finding:
        from vpexcel.rules import make_finding

        f = make_finding(code, sheet, cell, message, expected=expected, actual=actual, suggestion=suggestion)
        if inputs:
            self.inputs[id(f)] = inputs
        return f

    def compare(
        self,
        code: str,
        table: Table,
        cell: str | None,
        expected: float,
        actual: float,
        figures: int,
        what: str,
        suggestion: str | None = None,
        decimals: int | None = None,
        inputs: Callable[[], list[tuple[str, str]]] | None = None,
        spread: bool = False,
    ) -> Finding | None:
        """An error when ``actual`` is off by more than honest rounding, VP309 when within it.

        Each of ``figures`` rounded figures may be off by half the rounding unit. With ``spread`` (many
        figures behind a formula total) their roundings mostly cancel: √n half units, at least one.
        """
        diff = actual - expected
        if abs(diff) <= 1e-9 * max(1.0, abs(expected), abs(actual)):
            return None  # equal up to binary floating point; no need to know the rounding
        unit = self.rounding(table)
        if abs(diff) <= unit * 1e-6:
            return None
        tolerance = (max(1.0, math.sqrt(figures)) if spread else figures) * unit / 2
        d = self.decimals(table) if decimals is None else decimals
        if abs(diff) <= tolerance + unit * 1e-6:
            shown = d if round(abs(diff), d) == round(abs(diff), d + 2) else d + 1
            tol_d = d if round(tolerance, d) == round(tolerance, d + 2) else d + 1
            return self.finding(
                "VP309",
                table.name,
                cell,
                f"{what}: avrundningsdifferens {format_sv(diff, shown)} {table.unit or ''}".rstrip()
                + f", inom toleransen {format_sv(tolerance, tol_d)} ({figures} avrundade tal).",
                expected=expected,
                actual=actual,
            )
        return self.finding(
            code,
            table.name,
            cell,
            f"{what}: väntat {format_sv(expected, d)}, står {format_sv(actual, d)} "
            f"(skillnad {format_sv(diff, d)}, mer än avrundning kan förklara).",
            expected=expected,
            actual=actual,
            suggestion=suggestion,
            inputs=inputs() if inputs is not None else None,  # built only for a finding: most sums agree
        )

    # --- tables ------------------------------------------------------------
    def rounding(self, table: Table) -> float:
        """The rounding unit of a table's figures.

        The settings' rounding holds for tables in the settings' unit; for a table
        in another unit it is told from the figures themselves (their decimals).
        """
        if table.unit is None or table.unit == self.settings.unit:
            return self.settings.rounding
        return float(10 ** -self.decimals(table))

    def decimals(self, table: Table) -> int:
        if table.unit is None or table.unit == self.settings.unit:
            return max(0, decimals_of(self.settings.rounding))
        return self._table_decimals[id(table)]

    @cached_property
    def _table_decimals(self) -> dict[int, int]:
        out = {}
        for t in self.tables:
            most = 0
            for col in t.columns:
                fractions = [n for n in t.values(col.col) if n is not None and not n.is_integer()]
                most = max([most, *(decimals_of(n) for n in fractions[:1000])])
            out[id(t)] = min(most, 6)
        return out

    def odd_cells(self, table: Table) -> list[AmountCell]:
        """The table's figure cells that hold no plain number (text, empty, error, other).

        Computed once per table; the checks of values look only at these, so a large
        table of ordinary numbers costs one type test per cell.
        """
        got = self._cells.get(id(table))
        if got is None:
            got = []
            for col in table.columns:
                for i in table.odd(col.col):
                    row = table.rows[i]
                    if row.kind is RowKind.GROUP:
                        continue
                    amount = table.amount(row.row, col.col)
                    if amount.kind is AmountKind.NUMBER or (row.kind is RowKind.NOTE and amount.kind is AmountKind.EMPTY):
                        continue
                    if amount.kind is AmountKind.EMPTY and (row.row, col.col) in table.sheet.formulas:
                        continue  # a formula without its calculated value: said once, as VP206
                    got.append(AmountCell(row, col, amount))
            got.sort(key=lambda c: (c.row.row, c.column.col))
            self._cells[id(table)] = got
        return got

    def area_tables(self) -> list[Table]:
        return [t for t in self.tables if t.layout == "areas"]

    def account_tables(self) -> list[Table]:
        return [t for t in self.tables if t.layout == "accounts"]

    def is_board_table(self, table: Table) -> bool:
        """A table that lists the board's areas (at least half of them)."""
        if table.layout != "areas" or not table.rows_are_areas:
            return False
        top = {normalize(a.name) for a in self.settings.top_level()}
        present = {normalize(r.area.name) for r in table.rows_of(RowKind.AREA) if r.area is not None and r.area.parent is None}
        return bool(top) and len(present) * 2 >= len(top)

    def counted_rows(self, table: Table, rows: list[Row]) -> list[Row]:
        """Area rows that a total adds up: sub-areas count only where their parent has no row."""
        parents = {normalize(r.area.name) for r in table.rows_of(RowKind.AREA) if r.area is not None}
        out = []
        for r in rows:
            if r.kind is not RowKind.AREA:
                continue
            if r.area is not None and r.area.parent is not None and normalize(r.area.parent) in parents:
                continue
            out.append(r)
        return out

    def covered_by(self, table: Table, sum_row: Row) -> list[Row]:
        """The rows a sum row totals: the block the table map gives it."""
        if not sum_row.block:
            return []
        position = table.position()
        return list(map(table.rows.__getitem__, map(position.__getitem__, sum_row.block)))

    def children_rows(self, table: Table, parent: Area) -> list[Row]:
        kids = {normalize(a.name) for a in self.settings.children(parent)}
        if not kids:
            return []
        return [r for r in table.rows_of(RowKind.AREA) if r.area is not None and normalize(r.area.name) in kids]

    def board_total(self, table: Table, column: Column) -> tuple[float | None, str | None, int]:
        """The board's figure in a column: the table's grand total, else the sum of the areas."""
        total = table.grand_total()
        if total is not None:
            return table.number(total.row, column.col), a1(total.row, column.col), 1
        rows = self.counted_rows(table, table.rows)
        numbers = [table.number(r.row, column.col) for r in rows]
        if not numbers or any(n is None for n in numbers):
            return None, None, 0
        return sum(n for n in numbers if n is not None), None, len(numbers)

    def net_columns(self, table: Table) -> list[Column]:
        """The budget's net columns (not utfall, prognos, avvikelse or months)."""
        return [c for c in table.columns if c.kind is ColumnKind.NET and c.measure in BUDGET_MEASURES]

    def net_cost_sign(self, table: Table) -> float:
        """-1 where a net cost is shown negative (the settings' frames are), +1 where costs are positive."""
        return 1.0 if table.sign is Sign.COSTS_POSITIVE else -1.0

    @cached_property
    def foreign_areas(self) -> bool:
        """The default settings are in use and most area names in the workbook are not theirs (VP107)."""
        if not self.default_settings:
            return False
        names = [r for t in self.area_tables() if t.rows_are_areas for r in t.rows_of(RowKind.AREA)]
        sheets = self.account_tables()
        known = sum(1 for r in names if r.area is not None) + sum(1 for t in sheets if t.area is not None)
        total = len(names) + len(sheets)
        return total > 0 and known * 2 < total
