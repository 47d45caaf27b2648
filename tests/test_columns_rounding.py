"""Columns that are no budget amounts, rounding against the frame, the bridge over a broken total,
and monthly budgets whose months are dates or whose year column is "Totalt" (tester's faults 7-10, 26)."""

from __future__ import annotations

from collections.abc import Callable

from vpexcel.findings import Report
from vpexcel.samples import SEED_2023, SEED_2024, area_table
from vpexcel.settings import default_settings

from .conftest import codes, find

TITLE = "Kommunstyrelsen – produktionsområden 2024 (mkr)"


def test_bridge_over_a_total_showing_value_error_says_nothing_matches(check: Callable[..., Report]) -> None:
    """The 2024 net total shows #VALUE!: the bridge cannot be checked, so no VP309 "inom toleransen" for it."""
    rows = area_table(TITLE, {2023: SEED_2023, 2024: SEED_2024})
    total = next(i for i, r in enumerate(rows) if r and r[0] == "Totalt")
    rows[total][6] = "#VALUE!"  # G14: Budgeterat resultat 2024
    report = check({"Budget": rows}, default_settings())  # its bridge sums to 2023's total less the 2024 frame
    assert [f.cell for f in find(report, "VP205")] == ["G14"]
    assert not [f for f in report.findings if "budgetbryggan" in f.message]
    assert "VP305" not in codes(report)


def _nets_as_formulas(year_data: dict[str, tuple[float, float, float]]) -> dict[str, tuple[object, object, object]]:
    """Each net typed over as =intäkt+kostnad (column D, rows from 5), as many economists keep it."""
    out: dict[str, tuple[object, object, object]] = {}
    for i, (name, (r, c, _n)) in enumerate(year_data.items()):
        out[name] = (r, c, (f"=B{5 + i}+C{5 + i}", round(r + c, 1)))
    return out


def test_frame_against_a_total_of_formula_nets_allows_the_rounding_of_every_typed_figure(
    check: Callable[..., Report],
) -> None:
    """Totalt =SUM(D5:D13) of nets =B+C: 18 typed figures, so -253,3 against the frame -253,2 is rounding (VP309)."""
    report = check({"Budget": area_table(TITLE, {2024: _nets_as_formulas(SEED_2024)})}, _no_bridge())
    assert "VP304" not in codes(report)
    (note,) = [f for f in find(report, "VP309") if "ramen" in f.message]
    assert note.cell == "D14" and note.actual == -253.3 and note.expected == -253.2
    assert "inom toleransen 0,9 (18 avrundade tal)" in note.message


def test_frame_still_an_error_beyond_what_the_typed_figures_can_explain(check: Callable[..., Report]) -> None:
    settings = _no_bridge()
    settings.frames = [f if f.year != 2024 else type(f)(year=2024, amount=-252.0) for f in settings.frames]
    report = check({"Budget": area_table(TITLE, {2024: _nets_as_formulas(SEED_2024)})}, settings)
    (f,) = find(report, "VP304")
    assert f.cell == "D14" and f.expected == -252.0 and f.actual == -253.3


def _no_bridge():  # type: ignore[no-untyped-def]
    settings = default_settings()
    settings.bridge = []
    return settings


# --- columns that are no budget amounts (faults 8 and 9) ----------------------------------------------------
NETS_2024 = {name: round(r + c, 1) for name, (r, c, _n) in SEED_2024.items()}
NETS_2024["KS-reserv"] = -4.9  # the nets then add up to the 2024 frame, -253,2


def _frame_table(budget_total_typed: float | None = None) -> list[list[object]]:
    """Ram 2024 | Budget 2024 | Differens mot ram (=C-B) | Plan 2025, one row per area, Totalt =SUM at the bottom."""
    rows: list[list[object]] = [[TITLE], [], ["Produktionsområde", "Ram 2024", "Budget 2024", "Differens mot ram", "Plan 2025"]]
    for i, (name, net) in enumerate(NETS_2024.items()):
        r = 4 + i
        ram = net + (0.5 if name == "Vuxenutbildning" else 0.0)  # the council's frame per area, before the board's reshuffle
        rows.append([name, ram, net, (f"=C{r}-B{r}", round(net - ram, 1)), net])
    last = 3 + len(NETS_2024)
    total: list[object] = ["Totalt"]
    for c, letter in enumerate("BCDE", start=1):
        total.append(
            (
                f"=SUM({letter}4:{letter}{last})",
                round(sum(float(x[c][1] if isinstance(x[c], tuple) else x[c]) for x in rows[3:]), 1),
            )
        )
    if budget_total_typed is not None:
        total[2] = budget_total_typed
    rows.append(total)
    return rows


def test_ram_and_differens_mot_ram_columns_are_not_budget_columns(check: Callable[..., Report]) -> None:
    """Ram 2024 totals -252,7 and Differens mot ram 0,5: neither is the budget, so no VP304 on B13 or D13."""
    report = check({"Budget": _frame_table()}, _no_bridge())
    assert report.findings == []


def test_a_budget_total_off_the_frame_is_found_in_the_budget_column_only(check: Callable[..., Report]) -> None:
    report = check({"Budget": _frame_table(budget_total_typed=-250.0)}, _no_bridge())
    assert [(f.code, f.cell) for f in report.findings if f.code in ("VP302", "VP304")] == [("VP302", "C13"), ("VP304", "C13")]


def _map_of(make_book: Callable[..., object], rows: list[list[object]]) -> list[str]:
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.validate import validate

    maps: list = []
    validate(read_workbook(make_book({"Budget": rows})), _no_bridge(), read_as=maps)
    return [line.strip() for _sheet, lines in maps for line in lines]


def test_the_map_says_how_ram_and_differens_columns_were_read(make_book: Callable[..., object]) -> None:
    lines = _map_of(make_book, _frame_table())
    assert "B: netto, ram 2024, inte budget: bara dess summor kontrolleras (rubrik 'Ram 2024')" in lines
    assert "C: netto, budget 2024 (rubrik 'Budget 2024')" in lines
    assert "D: netto, avvikelse 2024 (rubrik 'Differens mot ram')" in lines


def _percent_table(change_total: float | None = None) -> list[list[object]]:
    """Budget 2023 | Budget 2024 | Förändring (=C-B) | Förändring % (=D/ABS(B)*100), Totalt at the bottom."""
    rows: list[list[object]] = [[TITLE], [], ["Produktionsområde", "Budget 2023", "Budget 2024", "Förändring", "Förändring %"]]
    old = {name: n for name, (_r, _c, n) in SEED_2023.items()}
    for i, (name, net) in enumerate(NETS_2024.items()):
        r = 4 + i
        change = round(net - old[name], 1)
        pct = change / abs(old[name]) * 100 if old[name] else 0.0
        rows.append([name, old[name], net, (f"=C{r}-B{r}", change), (f"=D{r}/ABS(B{r})*100", pct)])
    last = 3 + len(NETS_2024)
    tot_b, tot_c = round(sum(old[n] for n in NETS_2024), 1), round(sum(NETS_2024.values()), 1)
    tot_d = round(tot_c - tot_b, 1)
    rows.append([
        "Totalt", (f"=SUM(B4:B{last})", tot_b), (f"=SUM(C4:C{last})", tot_c),
        change_total if change_total is not None else (f"=SUM(D4:D{last})", tot_d),
        (f"=D{last + 1}/ABS(B{last + 1})*100", tot_d / abs(tot_b) * 100),
    ])  # fmt: skip
    return rows


def test_a_percent_column_is_no_amount(check: Callable[..., Report], make_book: Callable[..., object]) -> None:
    """The total's Förändring % is no sum of the rows' percentages: no VP302 nor VP402 on E13."""
    report = check({"Budget": _percent_table()}, _no_bridge())
    assert not [f for f in report.findings if f.cell == "E13"]
    assert not [f for f in report.findings if f.code in ("VP302", "VP402")]
    lines = _map_of(make_book, _percent_table())
    assert "E: läses inte, procent eller andel och inget belopp (rubrik 'Förändring %')" in lines


def test_a_wrong_change_total_beside_a_percent_column_is_still_found(check: Callable[..., Report]) -> None:
    report = check({"Budget": _percent_table(change_total=9.9)}, _no_bridge())
    assert [(f.code, f.cell) for f in report.findings if f.code == "VP302"] == [("VP302", "D13")]
