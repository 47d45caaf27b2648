"""The net's sign is decided apart from the costs' sign: a table with costs typed positive whose "Netto" is
intäkter − kostnader keeps its net, mistyped costs do not outvote the nets that show the convention, a
forecast is turned over by amounts rather than by a count of areas, and jämför settles the signs as validate."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.samples import account_sheet, write_book
from vpexcel.validate import validate

from .test_sign_conventions import AREAS, budget, reconcile_json
from .test_sign_evidence import OTHERS, THIN, flipped, thin_sheet


def area_table(path: Path, rows: list[tuple[str, float, float, float]]) -> Path:
    """The sample's area table (mkr) with the figures typed as given: area, intäkter, kostnader, netto."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Budget"
    ws.append(["Kommunstyrelsen, budget per produktionsområde, mkr"])
    ws.append([])
    ws.append(["Produktionsområde", "Intäkter 2024", "Kostnader 2024", "Netto 2024"])
    for row in rows:
        ws.append(list(row))
    last = ws.max_row
    totals = [round(sum(float(ws.cell(r, c).value) for r in range(4, last + 1)), 1) for c in (2, 3, 4)]  # type: ignore[arg-type]
    ws.append(["Totalt", *totals])
    wb.save(path)
    return path


def test_costs_positive_with_netto_as_revenue_less_cost_reconciles_as_the_sample(tmp_path: Path) -> None:
    sample = reconcile_json(tmp_path, budget(tmp_path / "sample.xlsx", False))
    rows = [(n, r, round(-c, 1), round(r + c, 1)) for n, r, c in AREAS]  # costs positive, Netto = intäkt − kostnad
    got = reconcile_json(tmp_path, area_table(tmp_path / "a.xlsx", rows))
    assert got["board"]["budget"]["net"] == pytest.approx(-253.2)
    assert got["board"]["budget"]["cost"] == pytest.approx(-295.7)
    assert got["board"]["deviation_to_date"] == pytest.approx(sample["board"]["deviation_to_date"])
    assert got["board"]["used_share"] == pytest.approx(sample["board"]["used_share"])
    assert round(got["board"]["used_share"] * 100) == 35  # as the sample: not −35 % from a net turned over
    assert "nettot stämmer redan" in got["sign_convention"]


def test_mistyped_positive_costs_do_not_outvote_the_nets(tmp_path: Path) -> None:
    # a costs-negative budget whose first 5 of 9 costs are typed positive by mistake; the nets are right
    rows = [(n, r, (-c if i < 5 else c), round(r + c, 1)) for i, (n, r, c) in enumerate(AREAS)]
    path = area_table(tmp_path / "b.xlsx", rows)
    report = validate(read_workbook(path))
    area_rows = {f"C{4 + i}" for i in range(len(AREAS))}  # the Totalt row sums the typed figures: positive too
    blamed = sorted(f.cell or "" for f in report.findings if f.code == "VP204" and f.cell in area_rows)
    assert blamed == sorted(f"C{4 + i}" for i in range(5))
    got = reconcile_json(tmp_path, path)
    assert got["board"]["budget"]["net"] == pytest.approx(-253.2)
    assert "kostnaderna positiva" not in got["sign_convention"]


def test_two_small_surpluses_do_not_turn_a_big_areas_forecast_over(tmp_path: Path) -> None:
    from vpexcel.io.forecast_reader import read_forecast
    from vpexcel.settings import default_settings

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Prognos"
    ws.append(["Produktionsområde", "Prognos helår"])
    for row in (("Samhällsplanering", 0.3), ("Arbetsliv och stöd", 0.1), ("Kommundirektör", -13.0)):
        ws.append(list(row))
    wb.save(tmp_path / "fc.xlsx")
    notes: list[str] = []
    nets = {"Samhällsplanering": -0.2, "Arbetsliv och stöd": -0.1, "Kommundirektör": -13.2}
    got, _ = read_forecast(tmp_path / "fc.xlsx", default_settings(), "mkr", notes, nets)
    assert {a: round(f.net, 6) for a, f in got.items()} == {
        "Samhällsplanering": 0.3,
        "Arbetsliv och stöd": 0.1,
        "Kommundirektör": -13.0,
    }
    assert notes == []


def test_jamfor_settles_an_untold_sheet_as_validate_does(tmp_path: Path) -> None:
    from vpexcel.io.compare_xlsx import compare_paths

    # every sheet keeps costs positive; the new version's one sheet has a single non-zero cost left, whose sign
    # the other sheets tell (validate says nothing): jämför shows the one real change, no sign change
    others = {a: flipped(a) for a in OTHERS}
    old_rows, *_ = account_sheet(THIN, accounts=({}, {"Personalkostnader": 500.0, "Lokalkostnader": 200.0}))
    old = write_book(tmp_path / "old.xlsx", {THIN: old_rows, **others})
    new = write_book(tmp_path / "new.xlsx", {THIN: thin_sheet(0.0, 500.0), **others})
    assert [f.code for f in validate(read_workbook(new)).findings if f.code in ("VP204", "VP108")] == []
    comp = compare_paths(old, new)
    assert "sign_changed" not in comp.counts()
    changed = {(c.new_cell, c.old, c.new) for c in comp.changes if c.kind == "value_changed"}
    assert (f"{THIN}!B8", 200.0, 0.0) in changed
    assert all(c.old is None or c.new is None or (c.old >= 0) == (c.new >= 0) for c in comp.changes if c.kind == "value_changed")


def test_jamfor_keeps_a_netto_beside_costs_typed_positive(tmp_path: Path) -> None:
    from vpexcel.compare import compare_books

    old = budget(tmp_path / "minus.xlsx", False)
    new = area_table(tmp_path / "plus.xlsx", [(n, r, round(-c, 1), round(r + c, 1)) for n, r, c in AREAS])
    comp = compare_books(read_workbook(old), read_workbook(new))
    assert comp.counts() == {"sign_changed": 1}  # the costs turned; the nets (intäkt − kostnad) are the same
