"""The formulas vpexcel computes after filling (for previews), and those it leaves to Excel."""

from __future__ import annotations

import pytest

from vpexcel.formula_eval import Unsupported, evaluate, recalculate
from vpexcel.grid import SheetGrid

CELLS = {(0, 0): 1.0, (1, 0): 2.0, (2, 0): None, (0, 1): "x", (1, 1): True, (3, 0): "5"}


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("SUM(A1:A3)", 3.0),
        ("SUM(A1:B3)", 3.0),  # text and TRUE in a range do not count
        ("A1+A2*3", 7.0),
        ("(A1+A2)/2", 1.5),
        ("-A1^2", 1.0),  # Excel: unary minus before ^
        ("2^3^2", 64.0),  # left to right
        ("10%", 0.1),
        ("A4+1", 6.0),  # text that reads as a number
        ("IF(A3=0,0,A1/A3)", 0.0),  # the branch not taken may divide by zero
        ("IFERROR(A1/A3,7)", 7.0),
        ('IF(A1>A2,"större","mindre")', "mindre"),
        ('A1&"b"', "1b"),
        ("ROUND(2.345,2)", 2.35),
        ("ROUND(-2.5,0)", -3.0),
        ("ROUND(1.15,1)", 1.2),  # as Excel: half away from zero on the figure shown (binary 1.15 is 1.1499...)
        ("ROUND(0.285,2)", 0.29),
        ("MAX(A1,A2,5)", 5.0),
        ("MIN(A1:A2)", 1.0),
        ("AVERAGE(A1:A2)", 1.5),
        ("ABS(-A2)", 2.0),
        ("AND(A1=1,B2)", True),
        ("COUNT(A1:A4)", 2.0),
        ("$A$1+A$2", 3.0),
    ],
)
def test_what_it_computes(formula: str, value: object) -> None:
    assert evaluate(formula, CELLS.get) == value


@pytest.mark.parametrize(
    "formula", ["VLOOKUP(A1,A1:B2,2,FALSE)", "Blad2!A1+1", "A1/A3", "B1+1", "SUM(A:A)", "[1]Blad1!A1", "vp_namn*2", "A1+"]
)
def test_what_it_leaves_to_excel(formula: str) -> None:
    with pytest.raises(Unsupported):
        evaluate(formula, CELLS.get)


def test_only_formulas_that_read_filled_cells_are_recalculated() -> None:
    rows = [[0.0, None, None, None], [0.0, None, None, None], [None, None, None, None], [7.0, None, None, None]]
    formulas = {
        (2, 0): "SUM(A1:A2)",  # reads filled cells
        (2, 1): "A3*2",  # reads them through A3
        (2, 2): "A4*2",  # reads nothing filled: its stored value stays
        (2, 3): "VLOOKUP(A1,A1:A2,1)",  # reads a filled cell, not computed: left to Excel
        (0, 3): "D1",  # a cycle
        (3, 1): 'A2&""',  # text
        (3, 2): "C2",  # an empty cell shows 0
    }
    done = recalculate(SheetGrid("S", rows, formulas), {(0, 0): 5.0, (1, 0): 2.5, (1, 2): None})
    assert done.values == {(2, 0): 7.5, (2, 1): 15.0, (3, 1): "2.5", (3, 2): 0.0}
    assert done.left == [(2, 3)]


def test_a_long_chain_of_running_totals_is_computed_or_left_without_failing() -> None:
    n = 3_000
    rows = [[1.0, None] for _ in range(n)]
    formulas = {(0, 1): "A1"} | {(r, 1): f"B{r}+A{r + 1}" for r in range(1, n)}
    done = recalculate(SheetGrid("S", rows, formulas), {(0, 0): 2.0})
    assert len(done.values) + len(done.left) == n
    assert done.values.get((10, 1)) == 12.0


def test_recomputing_the_samples_gives_the_values_their_formulas_store() -> None:
    """Fill every number of the sample budgets with itself: each formula vpexcel computes equals its stored value."""
    from pathlib import Path

    from vpexcel.io.xlsx_reader import read_workbook

    from .conftest import WORKBOOKS

    computed = 0
    for name in ("budget-2024.xlsx", "budget-2024-per-omrade.xlsx", "budget-2024-med-fel.xlsx"):
        for sheet in read_workbook(Path(WORKBOOKS / name)).sheets:
            filled = {
                (r, c): float(v)
                for r, line in enumerate(sheet.rows)
                for c, v in enumerate(line)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and (r, c) not in sheet.formulas
            }
            done = recalculate(sheet, filled)
            for at, value in done.values.items():
                assert value == pytest.approx(sheet.value(*at), abs=1e-9), f"{name} {sheet.name} {at}"
            computed += len(done.values)
    assert computed >= 30  # the sums and nets of the samples
