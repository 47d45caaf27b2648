"""Tester's fault 14: budgets that validate accepts but reconcile/fill refused ("har ingen tabell med brutto
intäkt, brutto kostnad och netto ... Kontrollera den med 'vpexcel validate'", where validate finds nothing).
A net-only area table is reconciled on the net, said once; a workbook without any area table is refused
with what the reconciliation needs and what each table lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from vpexcel.cli import main
from vpexcel.settings import default_settings

# the sample's nets (mkr, costs negative) for the default settings' nine areas
NETS = {
    "Politisk organisation": -6.1,
    "Kommundirektör": -13.2,
    "Kommunledning och verksamhetsstöd": -148.2,
    "Vuxenutbildning": -23.3,
    "Stöd och utveckling": -11.6,
    "Samhällsplanering": -2.9,
    "Arbetsliv och stöd": -9.2,
    "Räddningstjänst": -33.7,
    "KS-reserv": -5.0,
}
# January: Räddningstjänst (1300) cost 3 000 000 kr, revenue 100 000 kr; Vuxenutbildning (1201) cost 1 000 000 kr
LEDGER = (
    "Period;Ansvar;Konto;Motpart;Belopp;Text\n"
    "2024-01;1300;4010;;3000000,00;Löner\n"
    "2024-01;1300;3110;;-100000,00;Avgifter\n"
    "2024-01;1201;4010;;1000000,00;Löner\n"
)


def net_only_book(path: Path) -> Path:
    """An area table with the net budget only (as many boards keep it: the council decides the net)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Driftbudget 2024"
    ws.append(["Driftbudget Kommunstyrelsen (mkr)"])
    ws.append([])
    ws.append(["Produktionsområde", "Budget 2024"])
    for name, net in NETS.items():
        ws.append([name, net])
    ws.append(["Totalt Kommunstyrelsen", round(sum(NETS.values()), 1)])
    wb.save(path)
    return path


def _files(tmp_path: Path) -> tuple[Path, Path]:
    ledger = tmp_path / "huvudbok.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    return net_only_book(tmp_path / "budget.xlsx"), ledger


def test_validate_finds_nothing_and_reconcile_reconciles_the_net(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    budget, ledger = _files(tmp_path)
    assert main(["validate", str(budget), "--ingen-historik"]) == 0
    capsys.readouterr()
    rc = main(["reconcile", str(budget), str(ledger), "--period", "2024-01", "--format", "json", "--ingen-historik"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    result = json.loads(out)
    areas = {a["area"]: a for a in result["areas"]}
    assert areas["Räddningstjänst"]["budget"]["net"] == pytest.approx(-33.7)
    assert areas["Räddningstjänst"]["budget_to_date"]["net"] == pytest.approx(-33.7 / 12)
    assert areas["Räddningstjänst"]["actual_to_date"] == pytest.approx({"revenue": 0.1, "cost": -3.0, "net": -2.9})
    assert areas["Vuxenutbildning"]["actual_to_date"]["net"] == pytest.approx(-1.0)
    assert result["board"]["budget"]["net"] == pytest.approx(-253.2)
    # no VP504 "kostnader men ingen kostnadsbudget" for a budget that has no gross figures at all
    assert result["findings"] == []
    assert err.count("OBS") == 1
    assert "Budgeten på bladet 'Driftbudget 2024' har bara netto per produktionsområde för 2024: nettot stäms av" in err
    assert "brutto intäkter och brutto kostnader kan inte stämmas av mot budget" in err


def test_fill_writes_the_net_budget_and_leaves_gross_budget_cells_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    budget, ledger = _files(tmp_path)
    template = tmp_path / "mall.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Drift"
    ws.append(["Driftredovisning (mkr)"])
    ws.append(["Produktionsområde", "Budget intäkter", "Budget helår", "Utfall ack."])
    for name in NETS:
        ws.append([name])
    wb.save(template)
    out = tmp_path / "fylld.xlsx"
    args = ["fill", str(template), "--period", "2024-01", "--budget", str(budget), "--ledger", str(ledger)]
    rc = main([*args, "--date", "2024-02-10", "--output", str(out), "--ingen-historik"])
    _, err = capsys.readouterr()
    assert rc == 0, err
    assert "har bara netto per produktionsområde" in err
    rows = {r[0]: r[1:] for r in load_workbook(out)["Drift"].iter_rows(min_row=3, values_only=True)}
    assert rows["Räddningstjänst"][1] == pytest.approx(-33.7)  # Budget helår: the net
    assert rows["Räddningstjänst"][2] == pytest.approx(-2.9)  # Utfall ack.
    assert rows["Räddningstjänst"][0] is None  # Budget intäkter: unknown, not 0


def test_a_workbook_without_any_area_table_is_told_what_reconcile_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One sheet per area with accounts: validate may be content, the reconciliation has no per-area table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Räddningstjänst"
    ws.append(["Räddningstjänst, budget 2024 (mkr)"])
    ws.append(["Konto", "Benämning", "Budget 2024"])
    ws.append(["3110", "Avgifter", 1.2])
    ws.append(["4010", "Löner", -30.0])
    ws.append(["Summa", None, "=SUM(C3:C4)"])
    ws["C5"].value = -28.8
    budget = tmp_path / "per-konto.xlsx"
    wb.save(budget)
    ledger = tmp_path / "huvudbok.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    rc = main(["reconcile", str(budget), str(ledger), "--period", "2024-01", "--ingen-historik"])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "kan inte stämmas av för 2024: avstämningen behöver en tabell med en rad per produktionsområde" in err
    assert "'Intäkter 2024', 'Kostnader 2024' och 'Netto 2024'" in err
    assert "Arbetsboken har ingen tabell med produktionsområdena som rader" in err
    assert "Kontrollera den med 'vpexcel validate'" not in err


def test_a_table_with_gross_figures_for_another_year_only_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vpexcel.errors import InputError
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.reconcile import budget_figures

    budget, _ = _files(tmp_path)
    with pytest.raises(InputError) as err:
        budget_figures(read_workbook(budget), default_settings(), 2025)
    assert "Bladet 'Driftbudget 2024' (rubrikrad 3) har ingen budgetkolumn för 2025, bara för 2024." in err.value.message


def test_the_reconciliation_workbook_leaves_gross_budget_cells_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    budget, ledger = _files(tmp_path)
    out = tmp_path / "avstamning.xlsx"
    assert main(["reconcile", str(budget), str(ledger), "--period", "2024-01", "--output", str(out), "--ingen-historik"]) == 0
    capsys.readouterr()
    ws = load_workbook(out).worksheets[0]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["Produktionsområde"][:4] == ("Produktionsområde", "Budget intäkt", "Budget kostnad", "Budget netto")
    assert rows["Räddningstjänst"][1:4] == (None, None, -33.7)  # no budget for revenue and cost, not 0
    assert rows["Räddningstjänst"][5:8] == (0.1, -3.0, -2.9)  # the actuals: gross and net
    assert rows["Totalt efter eliminering"][1:4] == (None, None, -253.2)
