"""Reconciliation against the ledger: VP501-VP505, encodings, separators, CSV and xlsx, elimination."""

from __future__ import annotations

import contextlib
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from vpexcel.cli import main
from vpexcel.io.ledger_reader import read_ledger
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.reconcile import budget_figures, eliminate, reconcile
from vpexcel.samples import LEDGER_HEADER, SAMPLE_LEDGER, ledger_rows, write_book, write_ledger_csv
from vpexcel.settings import default_settings

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / SAMPLE_LEDGER


def run(budget: Path, ledger: Path, period: tuple[int, int] | None = None):  # type: ignore[no-untyped-def]
    s = default_settings()
    return reconcile(budget_figures(read_workbook(budget), s), read_ledger(ledger), s, period, budget.name)


def codes(rec) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in rec.findings]


def line(period: str, ansvar: str, konto: str, amount: str, motpart: str = "", text: str = "t") -> list[str]:
    return [period, ansvar, "100", konto, "", "", motpart, amount, text]


def test_sample_ledger_reconciles_every_area() -> None:
    rec = run(BUDGET, LEDGER)
    assert (rec.year, rec.month) == (2024, 12)  # without --period: the ledger's last month
    rec = run(BUDGET, LEDGER, (2024, 4))
    assert {a.area for a in rec.areas} >= {a.name for a in default_settings().top_level()}
    klv = next(a for a in rec.areas if a.area == "Kommunledning och verksamhetsstöd")
    assert klv.rows > 0 and klv.budget.net == pytest.approx(-148.2)  # the sub-areas' ansvar roll up
    assert rec.board.budget.net == pytest.approx(-253.2)
    assert rec.board.budget_to_date.net == pytest.approx(-253.2 * 4 / 12)
    assert sorted(set(codes(rec))) == ["VP501", "VP503", "VP504", "VP505"]


def test_vp501_unmapped_ansvar_with_amount_and_count(tmp_path: Path) -> None:
    rows = [
        line("2024-02", "1001", "4010", "1000,00"),
        line("2024-02", "9999", "4010", "2500,50"),
        line("2024-03", "9999", "3110", "-500,50"),
    ]
    rec = run(BUDGET, write_ledger_csv(tmp_path / "l.csv", rows))
    (f,) = [f for f in rec.findings if f.code == "VP501"]
    assert f.severity.value == "error" and "2 rader" in f.message and "9999" in f.message
    assert f.actual == pytest.approx(-(2500.50 - 500.50) / 1e6)


def test_vp501_small_amount_is_shown_in_kronor(tmp_path: Path) -> None:
    rows = [line("2024-02", "1001", "4010", "1000,00"), line("2024-02", "9999", "4010", "4000,00")]
    rec = run(BUDGET, write_ledger_csv(tmp_path / "l.csv", rows), (2024, 2))
    (f,) = [f for f in rec.findings if f.code == "VP501"]
    assert "sammanlagt \u22124\u00a0000 kr" in f.message  # not "0,00 mkr"


def test_vp506_a_period_past_the_ledgers_last_month_is_said(tmp_path: Path) -> None:
    rows = [line("2024-01", "1001", "4010", "1000,00"), line("2024-04", "1001", "4010", "1000,00")]
    ledger = write_ledger_csv(tmp_path / "l.csv", rows)
    (f,) = [f for f in run(BUDGET, ledger, (2024, 12)).findings if f.code == "VP506"]
    assert f.severity.value == "warning"
    assert "till och med april 2024" in f.message and "januari–december 2024" in f.message
    assert "--period 2024-04" in (f.suggestion or "")
    assert "VP506" not in codes(run(BUDGET, ledger, (2024, 4)))  # the export covers the period: quiet
    assert "VP506" not in codes(run(BUDGET, ledger))  # no --period: the ledger's last month is the period


def test_vp502_ledger_budget_differs(tmp_path: Path) -> None:
    header = ["Period", "Ansvar", "Konto", "Motpart", "Belopp", "Budget", "Text"]
    lines = [";".join(header)]
    lines.append("2024-01;1201;4010;;;45300000,00;budget Vux")  # cost budget 45.3 mkr
    lines.append("2024-01;1201;3110;;;-21000000,00;budget Vux")  # revenue 21.0 (workbook says 22.0)
    lines.append("2024-01;1001;4010;;;6100000,00;budget Pol")
    lines.append("2024-01;1001;4010;;500000,00;;utfall")
    p = tmp_path / "med-budget.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rec = run(BUDGET, p)
    vp502 = [f for f in rec.findings if f.code == "VP502"]
    assert [f.cell for f in vp502] == ["G8"]  # Vuxenutbildning's net 2024; Politisk organisation agrees
    assert vp502[0].expected == pytest.approx(-24.3) and vp502[0].actual == pytest.approx(-23.3)


def test_vp503_elimination_changes_gross_not_net() -> None:
    rec = run(BUDGET, LEDGER, (2024, 4))
    (f,) = [f for f in rec.findings if f.code == "VP503"]
    assert f.severity.value == "info"
    assert rec.eliminated == pytest.approx(4 * 500_000 / 12 / 1e6)
    after = rec.board_after_elimination
    assert after.net == pytest.approx(rec.board.actual_to_date.net)
    assert rec.board.actual_to_date.revenue - after.revenue == pytest.approx(rec.eliminated)
    assert after.cost - rec.board.actual_to_date.cost == pytest.approx(rec.eliminated)


def test_vp504_unusual_spending() -> None:
    rec = run(BUDGET, LEDGER, (2024, 4))
    (f,) = [f for f in rec.findings if f.code == "VP504"]
    assert "Kommundirektör" in f.message and f.actual is not None and f.actual > 0.53


def test_vp505_broken_lines_still_reconcile_the_rest(tmp_path: Path) -> None:
    good = [line("2024-01", "1001", "4010", "1000,00"), line("2024-02", "1201", "3110", "-2000,00")]
    broken = [line("2024-02", "1001", "4010", "12,5,0"), line("mars", "1001", "4010", "10,00"), ["2024-03", "1001", "100"]]
    clean = run(BUDGET, write_ledger_csv(tmp_path / "ren.csv", good))
    rec = run(BUDGET, write_ledger_csv(tmp_path / "trasig.csv", good[:1] + broken + good[1:]))
    problems = [f for f in rec.findings if f.code == "VP505"]
    assert [f.message.split(",")[0] for f in problems] == ["rad 3", "rad 4", "rad 5"]
    assert "Belopp" in problems[0].message and "Period" in problems[1].message and "Konto" in problems[2].message
    assert all(f.sheet == "trasig.csv" for f in problems)
    assert rec.board.actual_to_date == clean.board.actual_to_date


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_read_alike(tmp_path: Path, encoding: str) -> None:
    rows = [
        line("2024-01", "1171", "3510", "-1 250,00", "1", "Bemanning åt Vuxenutbildning – vår"),
        line("2024-01", "1201", "4010", "1 250,00", "1", "Köp av bemanning"),
    ]
    rec = run(BUDGET, write_ledger_csv(tmp_path / f"{encoding}.csv", rows, encoding=encoding))
    texts = rec.detail.get_column("text").to_list()
    assert texts == ["Bemanning åt Vuxenutbildning – vår", "Köp av bemanning"]
    assert rec.eliminated == pytest.approx(0.00125)


def test_comma_separated_with_decimal_point_reads_like_semicolon_with_comma(tmp_path: Path) -> None:
    sv = [line("2024-01", "1001", "4010", "1 234,50"), line("2024-02", "1201", "3110", "-2.500,25")]
    en = [[c.replace(" ", "").replace(".", "").replace(",", ".") if i == 7 else c for i, c in enumerate(r)] for r in sv]
    a = run(BUDGET, write_ledger_csv(tmp_path / "sv.csv", sv))
    b = run(BUDGET, write_ledger_csv(tmp_path / "en.csv", en, sep=","))
    assert a.board.actual_to_date == b.board.actual_to_date
    assert a.board.actual_to_date.cost == pytest.approx(-1234.50 / 1e6)
    assert a.board.actual_to_date.revenue == pytest.approx(2500.25 / 1e6)


def test_ledger_as_xlsx_reads_like_csv(tmp_path: Path) -> None:
    rows = ledger_rows()
    csv = write_ledger_csv(tmp_path / "h.csv", rows)
    cells = []
    for r in rows:
        out: list[object] = list(r)
        if len(r) > 7:
            with contextlib.suppress(ValueError):  # a broken amount stays text, as a user would have typed it
                out[7] = float(r[7].replace(",", "."))
        cells.append(out)
    xlsx = write_book(tmp_path / "h.xlsx", {"Huvudbok": [LEDGER_HEADER, *cells]}, merge_years=False)
    a, b = run(BUDGET, csv), run(BUDGET, xlsx)
    for x, y in zip(a.areas, b.areas, strict=True):
        assert x.actual_to_date.net == pytest.approx(y.actual_to_date.net)
    assert sorted(codes(a)) == sorted(codes(b))


def test_period_option_limits_the_months() -> None:
    feb = run(BUDGET, LEDGER, (2024, 2))
    apr = run(BUDGET, LEDGER, (2024, 4))
    assert feb.board.actual_to_date.cost > apr.board.actual_to_date.cost  # less spent (costs are negative)
    assert feb.board.budget_to_date.net == pytest.approx(-253.2 * 2 / 12)
    assert any("efter perioden" in x.reason for x in feb.excluded)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["1001", "1010", "1105", "1151", "1201", "1251", "1300"]),
            st.sampled_from(["3110", "3510", "4010", "5010", "7010"]),
            st.sampled_from(["", "1", "2", "3", "4", "5", "9"]),
            st.integers(min_value=-5_000_000, max_value=5_000_000),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_elimination_never_changes_the_net(tmp_path_factory: pytest.TempPathFactory, items: list) -> None:  # type: ignore[type-arg]
    rows = [line("2024-03", a, k, f"{x / 100:.2f}".replace(".", ","), m) for a, k, m, x in items]
    rec = run(BUDGET, write_ledger_csv(tmp_path_factory.mktemp("p") / "l.csv", rows))
    before, after = rec.board.actual_to_date, rec.board_after_elimination
    assert after.net == pytest.approx(before.net, abs=1e-9)
    assert before.revenue - after.revenue == pytest.approx(after.cost - before.cost, abs=1e-12)
    assert 0 <= rec.eliminated <= max(rec.board.internal_revenue, 0) + 1e-12


def test_eliminate_takes_what_cancels() -> None:
    assert eliminate(0.5, -0.5) == 0.5
    assert eliminate(0.5, -0.2) == 0.2
    assert eliminate(0.0, -0.2) == 0.0
    assert eliminate(-0.1, 0.3) == 0.0


# --- the command line ------------------------------------------------------------
def test_cli_json_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["reconcile", str(BUDGET), str(LEDGER), "--period", "2024-04", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1  # VP501 and VP505 are errors
    assert data["period"] == "2024-04" and data["unit"] == "mkr"
    assert "netto = intäkter + kostnader" in data["sign_convention"]
    assert data["deviation_convention"].startswith("Avvikelse = utfall − periodiserad budget")  # negative = underskott
    board = data["board"]
    assert board["budget"]["net"] == pytest.approx(-253.2)
    assert data["board_after_elimination"]["net"] == pytest.approx(board["actual_to_date"]["net"])


def test_cli_xlsx_has_chart_drilldown_and_text_not_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "avstamning.xlsx"
    main(["reconcile", str(BUDGET), str(LEDGER), "--period", "2024-04", "--format", "xlsx", "--output", str(target)])
    with zipfile.ZipFile(target) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts and b"barChart>" in z.read(charts[0])
    wb = load_workbook(target)
    assert wb.sheetnames == ["Avstämning", "Huvudboksrader", "Anmärkningar", "Diagramdata"]
    detail = wb["Huvudboksrader"]
    assert detail.auto_filter.ref and detail.max_row > 300
    injected = [c for row in detail.iter_rows() for c in row if c.value == "=Konsultarvode utredning"]
    assert injected and all(c.data_type == "s" for c in injected)
    summary = wb["Avstämning"]
    names = [summary.cell(r, 1).value for r in range(1, summary.max_row + 1)]
    assert "Eliminering nämndinterna poster" in names and "Totalt efter eliminering" in names


def test_cli_refuses_what_it_cannot_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", str(BUDGET), str(LEDGER), "--period", "april"]) == 2
    assert "2024-04" in capsys.readouterr().err
    assert main(["reconcile", str(BUDGET), str(LEDGER), "--period", "2022-04"]) == 2  # the workbook budgets 2023 and 2024
    assert "2022" in capsys.readouterr().err
    p = tmp_path / "fel.csv"
    p.write_text("Datum;Namn;Summa\n2024-01-01;Kaffe;12\n", encoding="utf-8")
    assert main(["reconcile", str(BUDGET), str(p)]) == 2
    err = capsys.readouterr().err
    assert "Ansvar" in err and "Traceback" not in err
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    assert main(["reconcile", str(BUDGET), str(empty)]) == 2


def test_the_same_ledger_gives_the_same_figures_every_time(tmp_path: Path) -> None:
    # polars sums in parallel; the order must not reach the last digit of what users see
    big = write_ledger_csv(tmp_path / "stor.csv", ledger_rows(scale=40))
    first = run(BUDGET, big, (2024, 10)).to_json_dict()
    for _ in range(3):
        assert run(BUDGET, big, (2024, 10)).to_json_dict() == first
