"""A sheet as the corpus lays it out: its rows with cached formula values, and what each row and column is.

The builder records its own intent (the row's role, the block a sum covers, each
column's role, measure and year), so a test can compare vpexcel's table map with
what was laid out, not with what vpexcel happened to find.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vpexcel.grid import column_letter

Cell = Any  # a value, or ("=FORMULA", cached value)


def cached(v: Cell) -> Cell:
    return v[1] if isinstance(v, tuple) else v


def excel_sum(values: Iterable[Cell]) -> float:
    """SUM as Excel computes it: text and empty cells count as nothing."""
    total = 0.0
    for v in values:
        v = cached(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total += v
    return round(total, 10)


@dataclass
class ColumnPlan:
    role: str  # revenue, cost, net, amount
    measure: str = "budget"  # budget, utfall, prognos, avvikelse, månad, helår, förändring
    year: int | None = None


@dataclass
class TablePlan:
    """What the builder laid out for one table (rows 1-based, as Excel shows them)."""

    sheet: str
    header: int
    unit: str
    sign: str = "costs_negative"
    columns: dict[str, ColumnPlan] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)  # row -> area, sub-area, item, group, subtotal, total, note, ...
    blocks: dict[int, list[int]] = field(default_factory=dict)  # sum row -> rows it covers

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for role in self.roles.values():
            out[role] = out.get(role, 0) + 1
        return out


class Sheet:
    """Rows of one sheet, written top to bottom; cells are values or (formula, cached value)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[list[Cell]] = []
        self.hidden: list[int] = []  # 0-based columns to hide
        self.comments: dict[str, str] = {}  # A1 -> comment
        self.tables: list[TablePlan] = []

    # --- writing -----------------------------------------------------------
    def add(self, line: Sequence[Cell] = ()) -> int:
        """Append a row; returns its 1-based number."""
        self.rows.append(list(line))
        return len(self.rows)

    def table(
        self, header_line: Sequence[Cell], unit: str, columns: dict[int, ColumnPlan], sign: str = "costs_negative"
    ) -> TablePlan:
        """Append a header row and start a table plan (``columns`` by 0-based column)."""
        row = self.add(header_line)
        plan = TablePlan(self.name, row, unit, sign, {column_letter(c): p for c, p in columns.items()})
        self.tables.append(plan)
        return plan

    def value(self, row: int, col: int) -> Cell:
        line = self.rows[row - 1]
        return cached(line[col]) if col < len(line) else None

    def set(self, row: int, col: int, v: Cell) -> None:
        line = self.rows[row - 1]
        while len(line) <= col:
            line.append("")
        line[col] = v

    def ref(self, row: int, col: int) -> str:
        return f"{column_letter(col)}{row}"

    def sum_cell(self, col: int, rows: Sequence[int], *, leave_out: int | None = None) -> Cell:
        """=SUM over ``rows`` (a range when they are contiguous), optionally leaving one out, with Excel's cached value."""
        used = [r for r in rows if r != leave_out]
        letter = column_letter(col)
        if used == list(range(used[0], used[-1] + 1)) and leave_out in (None, rows[-1], rows[0]):
            formula = f"=SUM({letter}{used[0]}:{letter}{used[-1]})"
        else:
            formula = "=" + "+".join(f"{letter}{r}" for r in used)
        return (formula, excel_sum(self.value(r, col) for r in used))

    def sum_row(
        self,
        label: str,
        cols: Sequence[int],
        rows: Sequence[int],
        plan: TablePlan,
        role: str = "total",
        *,
        label_col: int = 0,
        leave_out: dict[int, int] | None = None,
        typed: dict[int, float] | None = None,
    ) -> int:
        """A sum row over ``rows``: one SUM per column (``leave_out`` {col: row} plants a short range,
        ``typed`` {col: value} a constant)."""
        line: list[Cell] = [""] * label_col + [label]
        r = len(self.rows) + 1
        self.rows.append(line)
        for c in cols:
            if typed and c in typed:
                self.set(r, c, typed[c])
            else:
                self.set(r, c, self.sum_cell(c, rows, leave_out=(leave_out or {}).get(c)))
        plan.roles[r] = role
        plan.blocks[r] = list(rows)
        return r

    def net_cell(self, row: int, rev: int, cost: int, positive: bool = False) -> Cell:
        a, b = self.ref(row, rev), self.ref(row, cost)
        r, c = self.value(row, rev), self.value(row, cost)
        num = [x if isinstance(x, (int, float)) else 0 for x in (r, c)]
        if positive:
            return (f"={b}-{a}", round(num[1] - num[0], 10))
        return (f"={a}+{b}", round(num[0] + num[1], 10))
