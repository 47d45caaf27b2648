"""One budget kept two ways (costs negative, or costs positive with nettokostnad = kostnad − intäkt): reconcile,
fill and jämför give the same figures, and a forecast kept as positive nettokostnad is turned over and said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from vpexcel.cli import main

from .conftest import WORKBOOKS

LEDGER = WORKBOOKS / "huvudbok-2024.csv"
TEMPLATE = WORKBOOKS / "templates" / "tertialrapport-april.xlsx"

# the sample budget 2024 (mkr): area, revenue, cost (negative)
AREAS = [
    ("Politisk organisation", 0.0, -6.1),
    ("Kommundirektör", 0.2, -13.4),
    ("Kommunledning och verksamhetsstöd", 9.7, -157.9),
    ("Vuxenutbildning", 22.0, -45.3),
    ("Stöd och utveckling", 1.0, -12.6),
    ("Samhällsplanering", 0.0, -2.9),
    ("Arbetsliv och stöd", 9.6, -18.8),
    ("Räddningstjänst", 0.0, -33.7),
    ("KS-reserv", 0.0, -5.0),
]


def budget(path: Path, costs_positive: bool) -> Path:
    """The area table with typed figures; costs positive: cost and Nettokostnad (cost − revenue) shown positive."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Budget"
    ws.append(["Kommunstyrelsen, budget per produktionsområde, mkr"])
    ws.append([])
    net_head = "Nettokostnad 2024" if costs_positive else "Netto 2024"
    ws.append(["Produktionsområde", "Intäkter 2024", "Kostnader 2024", net_head])
    for name, rev, cost in AREAS:
        if costs_positive:
            ws.append([name, rev, round(-cost, 1), round(-cost - rev, 1)])
        else:
            ws.append([name, rev, cost, round(rev + cost, 1)])
    last = ws.max_row
    totals = [round(sum(float(ws.cell(r, c).value) for r in range(4, last + 1)), 1) for c in (2, 3, 4)]  # type: ignore[arg-type]
    ws.append(["Totalt", *totals])
    wb.save(path)
    return path


def reconcile_json(tmp_path: Path, book: Path) -> dict:  # type: ignore[type-arg]
    out = tmp_path / f"{book.stem}.json"
    args = ["reconcile", str(book), str(LEDGER), "--period", "2024-04", "--format", "json", "--output", str(out)]
    assert main([*args, "--ingen-historik"]) in (0, 1)
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_reconcile_reads_a_costs_positive_budget_as_the_same_budget(tmp_path: Path) -> None:
    neg = reconcile_json(tmp_path, budget(tmp_path / "minus.xlsx", False))
    pos = reconcile_json(tmp_path, budget(tmp_path / "plus.xlsx", True))
    # the figures a controller checks: budget netto, avvikelse and förbrukning for the board
    assert pos["board"]["budget"]["net"] == pytest.approx(-253.2)
    assert pos["board"]["budget"]["cost"] == pytest.approx(-295.7)
    assert pos["board"]["budget"]["revenue"] == pytest.approx(42.5)
    for key in ("budget", "budget_to_date", "actual_to_date"):
        assert pos["board"][key] == pytest.approx(neg["board"][key])
    assert pos["board"]["deviation_to_date"] == pytest.approx(neg["board"]["deviation_to_date"])
    assert pos["board"]["used_share"] == pytest.approx(neg["board"]["used_share"]) and pos["board"]["used_share"] > 0
    for a, b in zip(pos["areas"], neg["areas"], strict=True):
        assert (a["area"], a["budget"]) == (b["area"], pytest.approx(b["budget"]))
    # the same findings (no VP504 "förbrukat -66 %" from costs read with the wrong sign)
    assert [(f["code"], f["message"]) for f in pos["findings"]] == [(f["code"], f["message"]) for f in neg["findings"]]
    assert "kostnaderna positiva" in pos["sign_convention"] and "kostnaderna positiva" not in neg["sign_convention"]


def test_vp502_compares_a_costs_positive_budget_with_the_ledger_budget_by_meaning(tmp_path: Path) -> None:
    ledger = tmp_path / "hb.csv"
    rows = ["Period;Ansvar;Konto;Motpart;Belopp;Budget;Text", "2024-01;1300;4010;;1000000;33700000;Rädd"]
    ledger.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    book = budget(tmp_path / "plus.xlsx", True)
    main(
        ["reconcile", str(book), str(ledger), "--period", "2024-01", "--format", "json", "--output", str(out), "--ingen-historik"]
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [f["code"] for f in data["findings"] if f["code"] == "VP502"] == []  # 33,7 net cost is −33,7 net
    rädd = next(a for a in data["areas"] if a["area"] == "Räddningstjänst")
    assert rädd["budget"]["net"] == pytest.approx(-33.7)


def filled(tmp_path: Path, book: Path) -> dict[str, object]:
    out = tmp_path / f"fylld-{book.stem}.xlsx"
    args = ["fill", str(TEMPLATE), "--period", "2024-04", "--budget", str(book), "--ledger", str(LEDGER)]
    assert main([*args, "--date", "2024-05-15", "--output", str(out), "--ingen-historik"]) in (0, 1)
    wb = load_workbook(out)
    return {f"{ws.title}!{c.coordinate}": c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}


def test_fill_writes_the_same_report_from_either_convention(tmp_path: Path) -> None:
    neg = filled(tmp_path, budget(tmp_path / "minus.xlsx", False))
    pos = filled(tmp_path, budget(tmp_path / "plus.xlsx", True))
    differ = {k: (neg[k], pos.get(k)) for k in neg if k in pos and neg[k] != pos[k] and not str(k).endswith("B3")}
    assert differ == {}
    # the budget column really holds the budget with costs negative (Räddningstjänst −33,7 mkr, in the template's unit)
    values = [v for v in pos.values() if isinstance(v, (int, float))]
    assert any(abs(v - -33.7) < 1e-9 or abs(v - -33700) < 1e-6 for v in values)
    assert not any(abs(v - 33.7) < 1e-9 or abs(v - 33700) < 1e-6 for v in values)


# --- forecasts kept as positive nettokostnad, and forecast rows that name no area ----------------------------------

BUDGET_NETS = {name: round(rev + cost, 1) for name, rev, cost in AREAS}


def forecast_book(path: Path, header: str, rows: list[tuple[str, object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Prognos"
    ws.append(["Prognos per område (tkr)"])
    ws.append(["Område", header, "Kommentar"])
    for name, value in rows:
        ws.append([name, value, None])
    wb.save(path)
    return path


def read(path: Path) -> tuple[dict[str, float], list[str]]:
    from vpexcel.io.forecast_reader import read_forecast
    from vpexcel.settings import default_settings

    notes: list[str] = []
    got, _ = read_forecast(path, default_settings(), "mkr", notes, BUDGET_NETS)
    return {a: round(f.net, 6) for a, f in got.items()}, notes


POSITIVE = [("Politisk organisation", 6100), ("Kommundirektör", 18400), ("Vuxenutbildning", 23900), ("Räddningstjänst", 33700)]
EXPECTED = {"Politisk organisation": -6.1, "Kommundirektör": -18.4, "Vuxenutbildning": -23.9, "Räddningstjänst": -33.7}


def test_forecast_headed_nettokostnad_is_turned_over_and_said_once(tmp_path: Path) -> None:
    got, notes = read(forecast_book(tmp_path / "p.xlsx", "Prognos helår (nettokostnad)", POSITIVE))
    assert got == EXPECTED
    assert len(notes) == 1 and "'Prognos helår (nettokostnad)'" in notes[0] and "vänt tecknet" in notes[0]


def test_forecast_opposite_in_sign_to_the_budget_is_turned_over_with_a_warning(tmp_path: Path) -> None:
    got, notes = read(forecast_book(tmp_path / "p.xlsx", "Prognos helår", POSITIVE))
    assert got == EXPECTED
    assert len(notes) == 1
    assert (
        "motsatt tecken mot budgetens netto för 4 av 4 områden" in notes[0] and "Politisk organisation: prognos 6,1" in notes[0]
    )


def test_forecast_kept_as_netto_is_left_alone_and_quiet(tmp_path: Path) -> None:
    rows = [(n, -v) for n, v in POSITIVE[:3]] + [("Räddningstjänst", 500)]  # one area forecast in surplus: no flip
    got, notes = read(forecast_book(tmp_path / "p.xlsx", "Prognos helår", rows))
    assert got == {**{k: v for k, v in EXPECTED.items() if k != "Räddningstjänst"}, "Räddningstjänst": 0.5}
    assert notes == []


def test_forecast_headed_nettokostnad_but_written_as_netto_is_not_turned(tmp_path: Path) -> None:
    rows = [(n, -v) for n, v in POSITIVE]
    got, notes = read(forecast_book(tmp_path / "p.xlsx", "Prognos (nettokostnad)", rows))
    assert got == EXPECTED
    assert len(notes) == 1 and "samma tecken som budgetens netto för 4 av 4 områden" in notes[0]


def test_a_forecast_row_that_names_no_area_is_named_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [("Politiska organisationen", -6100), ("Kommundirektör", -18400), ("Räddningstjänst", -33700), ("Totalt", -58200)]
    path = forecast_book(tmp_path / "p.xlsx", "Prognos helår", rows)
    got, notes = read(path)
    assert got == {"Kommundirektör": -18.4, "Räddningstjänst": -33.7}
    assert len(notes) == 1  # the total row is no area and not meant to be one: not named
    assert "raden 'Politiska organisationen' (Prognos!A3) är inget produktionsområde" in notes[0]
    assert "menar du Politisk organisation?" in notes[0]
    # through the command: said once, on stderr, after the result
    out = tmp_path / "fylld.xlsx"
    args = [
        "fill",
        str(TEMPLATE),
        "--period",
        "2024-04",
        "--budget",
        str(WORKBOOKS / "budget-2024.xlsx"),
        "--ledger",
        str(LEDGER),
    ]
    main([*args, "--forecast", str(path), "--date", "2024-05-15", "--output", str(out), "--ingen-historik"])
    err = capsys.readouterr().err
    assert err.count("'Politiska organisationen' (Prognos!A3)") == 1


# --- jämför between the two conventions -----------------------------------------------------------------------------


def test_jamfor_says_once_that_the_convention_differs_and_shows_only_real_changes(tmp_path: Path) -> None:
    from vpexcel.compare import compare_books, text_lines
    from vpexcel.io.xlsx_reader import read_workbook

    old = budget(tmp_path / "minus.xlsx", False)
    new = budget(tmp_path / "plus.xlsx", True)
    comp = compare_books(read_workbook(old), read_workbook(new))
    assert comp.counts() == {"sign_changed": 1}
    (said,) = comp.changes
    assert "före med kostnaderna negativa" in said.message and "efter med kostnaderna positiva" in said.message
    nets = {s.area: (s.old, s.new) for s in comp.summary if s.year == 2024}
    assert nets["Räddningstjänst"] == (pytest.approx(33.7), pytest.approx(33.7))  # both as nettokostnad, the new way
    assert "Nettokostnad (kostnader positiva) per område (mkr): före → efter (förändring)" in text_lines(comp)
    # a real change beside the turned signs: only that cost, its net and the totals
    wb = load_workbook(new)
    ws = wb["Budget"]
    ws["C11"] = 34.0  # Räddningstjänst's cost 33,7 -> 34,0 (costs positive)
    ws["D11"] = 34.0
    ws["C13"] = round(ws["C13"].value + 0.3, 1)
    ws["D13"] = round(ws["D13"].value + 0.3, 1)
    wb.save(new)
    comp = compare_books(read_workbook(old), read_workbook(new))
    changed = sorted((c.new_cell, c.old, c.new) for c in comp.changes if c.kind == "value_changed")
    assert changed == [
        ("Budget!C11", pytest.approx(33.7), 34.0),
        ("Budget!C13", pytest.approx(295.7), pytest.approx(296.0)),
        ("Budget!D11", pytest.approx(33.7), 34.0),
        ("Budget!D13", pytest.approx(253.2), pytest.approx(253.5)),
    ]
    assert comp.counts()["sign_changed"] == 1


def test_jamfor_of_one_convention_says_nothing_about_signs(tmp_path: Path) -> None:
    from vpexcel.compare import compare_books
    from vpexcel.io.xlsx_reader import read_workbook

    for costs_positive in (False, True):
        a = budget(tmp_path / f"a{costs_positive}.xlsx", costs_positive)
        b = budget(tmp_path / f"b{costs_positive}.xlsx", costs_positive)
        assert compare_books(read_workbook(a), read_workbook(b)).changes == []


def test_the_fill_button_says_the_forecast_notes_once(tmp_path: Path) -> None:
    import vpexcel.excel as vp

    from .test_excel import alert, payload, xw

    path = forecast_book(tmp_path / "p.xlsx", "Prognos helår (nettokostnad)", [("Politiska organisationen", 6100), *POSITIVE[1:]])
    book = xw.Book(json=payload(TEMPLATE))
    book.set_mock_caller()
    vp.fill("2024-04", str(WORKBOOKS / "budget-2024.xlsx"), str(LEDGER), str(path))
    text = alert(book)
    assert text.count("OBS: Prognosfilen p.xlsx: raden 'Politiska organisationen' (Prognos!A3)") == 1, text
    assert text.count("OBS: Prognosfilen p.xlsx: kolumnen 'Prognos helår (nettokostnad)'") == 1, text


def test_an_area_sheet_kept_with_costs_positive_turns_its_cost_rows_and_result_only() -> None:
    from vpexcel.compare import ColumnKey, Line, TableView, _in_sign
    from vpexcel.layout import Sign

    key = ColumnKey("budget", 2024, "amount")
    kinds = ["revenue_item", "revenue_sum", "cost_item", "cost_sum", "result"]
    lines = [Line(f"r{n}", f"r{n}", kind, None, n) for n, kind in enumerate(kinds)]
    plus = TableView(
        "Räddning",
        "område:r",
        "accounts",
        "Räddningstjänst",
        "mkr",
        [(key, 1, "Budget 2024")],
        lines,
        {key: [2.0, 2.0, 35.7, 35.7, 33.7]},
        Sign.COSTS_POSITIVE,
    )
    turned = _in_sign(plus, Sign.COSTS_NEGATIVE)
    assert turned.values[key] == [2.0, 2.0, -35.7, -35.7, -33.7] and turned.sign is Sign.COSTS_NEGATIVE
    assert _in_sign(turned, Sign.COSTS_NEGATIVE) is turned  # already in that convention: unchanged


def test_the_history_keeps_a_costs_positive_budget_as_every_other_run_keeps_it(tmp_path: Path) -> None:
    """validate's history record holds the budget per area: the same budget kept either way is kept alike
    (costs negative), so a later fill or reconcile reading the history does not see a sign flip."""
    from vpexcel.history import budget_figures_of
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.settings import default_settings

    def kept(costs_positive: bool) -> dict[tuple[str, str], float]:
        book = read_workbook(budget(tmp_path / f"{costs_positive}.xlsx", costs_positive))
        return {(f.area, f.kind): f.value for f in budget_figures_of(book, default_settings())}

    neg, pos = kept(False), kept(True)
    assert pos == pytest.approx(neg)
    assert pos[("Räddningstjänst", "cost")] == pytest.approx(-33.7) and pos[("Räddningstjänst", "net")] == pytest.approx(-33.7)
