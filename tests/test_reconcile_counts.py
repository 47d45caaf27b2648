"""Issue 12 point 1: every count a user sees is a number of ledger lines, also when lines share every key."""

from __future__ import annotations

from pathlib import Path

from vpexcel.io.ledger_reader import read_ledger
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.reconcile import budget_figures, reconcile
from vpexcel.samples import write_ledger_csv
from vpexcel.settings import default_settings

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"


def line(period: str, ansvar: str, konto: str, amount: str, motpart: str = "") -> list[str]:
    return [period, ansvar, "100", konto, "", "", motpart, amount, "samma text"]


def test_lines_that_share_every_key_are_each_counted(tmp_path: Path) -> None:
    rows = (
        [line("2024-02", "1001", "4010", "1000,00")] * 3  # Politisk organisation, three identical lines
        + [line("2024-03", "1001", "4010", "0,00")]  # a zero line is still a line
        + [line("2024-02", "9999", "4010", "100,00")] * 7  # unmapped ansvar
        + [line("2024-02", "1201", "8410", "50,00")] * 2  # class 8: left out
        + [line("2024-06", "1201", "4010", "10,00")] * 4  # after the period
    )
    s = default_settings()
    rec = reconcile(
        budget_figures(read_workbook(BUDGET), s), read_ledger(write_ledger_csv(tmp_path / "l.csv", rows)), s, (2024, 4)
    )
    pol = next(a for a in rec.areas if a.area == "Politisk organisation")
    assert pol.rows == 4
    assert rec.board.rows == 4
    (vp501,) = [f for f in rec.findings if f.code == "VP501"]
    assert vp501.message.startswith("7 rader")
    by_reason = {x.reason.split(" ")[0]: x.rows for x in rec.excluded}
    assert by_reason == {"efter": 4, "konton": 2, "ansvar": 7}
    assert rec.detail.height == 4 + 7  # the drill-down shows the same lines the counts count
