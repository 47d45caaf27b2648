"""Columns that are no budget amounts, rounding against the frame, the bridge over a broken total,
and monthly budgets whose months are dates or whose year column is "Totalt" (tester's faults 7-10, 26)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from vpexcel.findings import Report
from vpexcel.grid import SheetGrid, WorkbookGrid
from vpexcel.samples import SEED_2023, SEED_2024, area_table
from vpexcel.settings import Area, default_settings
from vpexcel.validate import validate

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
    assert "inom toleransen 0,21 (18 avrundade tal)" in note.message  # √18 half units, not 18


def test_a_frame_miss_of_0_8_over_18_typed_figures_is_an_error_not_rounding(check: Callable[..., Report]) -> None:
    """n half units grew with the figures and hid 0,8 mkr as rounding; √18 half units is 0,21."""
    data = dict(SEED_2024)
    r, c, n = data["Vuxenutbildning"]
    data["Vuxenutbildning"] = (r, round(c - 0.8, 1), n)
    report = check({"Budget": area_table(TITLE, {2024: _nets_as_formulas(data)})}, _no_bridge())
    (f,) = find(report, "VP304")
    assert f.cell == "D14" and f.expected == -253.2 and f.actual == -254.1
    assert not [f for f in find(report, "VP309") if "ramen" in f.message]


def test_counting_the_rounded_figures_stops_at_its_visit_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A total reading n formulas that each SUM an n-cell range costs n² visits unless the count is bounded."""
    from vpexcel.rules import arithmetic
    from vpexcel.rules.context import Context

    visits = [0]

    class Counting(dict):  # type: ignore[type-arg]
        def get(self, key, default=None):  # type: ignore[no-untyped-def]
            visits[0] += 1
            return super().get(key, default)

    memo = Context.memo

    def counting_memo(self, key, build):  # type: ignore[no-untyped-def]
        return memo(self, key, Counting if isinstance(key, tuple) and key[0] == "rounded_figures" else build)

    monkeypatch.setattr(Context, "memo", counting_memo)
    monkeypatch.setattr(arithmetic, "_VISIT_BUDGET", 2_000, raising=False)
    n = 300
    rows: list[list[object]] = [[TITLE], [], ["Produktionsområde", "Intäkter 2024", "Kostnader 2024", "Netto 2024"]]
    for name, (r, c, net) in SEED_2024.items():
        rows.append([name, r, c, net])
    rows.append(["Totalt", *(round(sum(x[k] for x in rows[3:]), 1) for k in (1, 2, 3))])  # type: ignore[misc]
    formulas = {(len(rows) - 1, 3): f"=SUM(D4:D{len(rows) - 1})+0*SUM(F1:F{n})"}
    for k in range(n):
        while len(rows) <= k:
            rows.append([])
        rows[k] += [None] * (7 - len(rows[k]))
        rows[k][5], rows[k][6] = 0, 1.0
        formulas[(k, 5)] = f"=0*SUM(G1:G{n})"
    validate(WorkbookGrid("x.xlsx", [SheetGrid("Budget", rows, formulas)]), _no_bridge())
    assert 0 < visits[0] <= 2_000 + 1  # n² = 90 000 without the budget


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


# --- monthly budgets (fault 7) -----------------------------------------------------------------------------
def _monthly(months: list[object], year_head: str, typed: dict[str, object] | None = None) -> list[list[object]]:
    """One area's monthly budget in kr: accounts down, twelve month columns B..M and a year column N.

    ``typed`` puts a typed value over a cell ("F10": a May cost typed positive)."""
    cols = "BCDEFGHIJKLM"
    rows: list[list[object]] = [["Gata och park – månadsbudget 2025 (kr)"], [], ["Kontogrupp", *months, year_head]]
    items: list[tuple[str, object]] = [
        ("Intäkter", None), ("Taxor och avgifter", 204000.0), ("Bidrag", 68000.0), ("Summa intäkter", "S1"),
        ("Kostnader", None), ("Personalkostnader", -697000.0), ("Övriga kostnader", -102000.0),
        ("Summa kostnader", "S2"), ("Resultat", "R"),
    ]  # fmt: skip
    values: dict[str, float] = {}
    for n, v in items:
        r = len(rows) + 1
        line: list[object] = [n]
        for c in cols:
            if v is None:
                line.append("")
                continue
            if v == "S1":
                x = values[f"{c}5"] + values[f"{c}6"]
                line.append((f"=SUM({c}5:{c}6)", x))
            elif v == "S2":
                x = values[f"{c}9"] + values[f"{c}10"]
                line.append((f"=SUM({c}9:{c}10)", x))
            elif v == "R":
                x = values[f"{c}7"] + values[f"{c}11"]
                line.append((f"={c}7+{c}11", x))
            else:
                typed_v = (typed or {}).get(f"{c}{r}")
                x = float(typed_v) if typed_v is not None else float(v)  # type: ignore[arg-type]
                line.append(x)
            values[f"{c}{r}"] = x
        if v is not None:
            total = sum(values[f"{c}{r}"] for c in cols)
            typed_n = (typed or {}).get(f"N{r}")
            line.append(typed_n if typed_n is not None else (f"=SUM(B{r}:M{r})", total))
        rows.append(line)
    return rows


DATE_MONTHS: list[object] = [dt.date(2025, m, 1) for m in range(1, 13)]
WORD_MONTHS: list[object] = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
                             "oktober", "november", "december"]  # fmt: skip


def _monthly_settings():  # type: ignore[no-untyped-def]
    settings = _no_bridge()
    settings.budget_year = 2025
    settings.unit = "kr"
    settings.rounding = 1.0
    settings.frames = []
    settings.areas = [Area(name="Gata och park")]
    return settings


def _errors(report: Report) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in report.findings if f.severity.value != "info"]


def test_month_headers_that_are_dates_are_read_as_months(check: Callable[..., Report]) -> None:
    """Months typed as dates (shown jan-25): a right budget is quiet, a May cost typed positive is VP204 at F10."""
    assert _errors(check({"Gata och park": _monthly(DATE_MONTHS, "Helår")}, _monthly_settings())) == []
    report = check({"Gata och park": _monthly(DATE_MONTHS, "Helår", {"F10": 102000.0})}, _monthly_settings())
    (sign,) = find(report, "VP204")
    assert sign.cell == "F10" and "maj-25" in sign.message


def test_a_month_sum_missing_a_row_is_found_in_its_month(check: Callable[..., Report], make_book) -> None:  # type: ignore[no-untyped-def]
    rows = _monthly(DATE_MONTHS, "Helår")
    rows[10][3] = ("=SUM(D9:D9)", -697000.0)  # March's Summa kostnader leaves out Övriga kostnader
    report = check({"Gata och park": rows}, _monthly_settings())
    (march,) = [f for f in find(report, "VP302") if f.cell == "D11"]
    assert march.expected == -799000.0 and march.actual == -697000.0
    lines = _map_of_sheet(make_book, "Gata och park", rows)
    assert "D: belopp (raderna säger vad), månad 3 (mars) 2025 (rubrik 'mar-25')" in lines


def test_a_totalt_column_after_the_months_is_the_full_year(check: Callable[..., Report], make_book) -> None:  # type: ignore[no-untyped-def]
    """januari..december + "Totalt": the year total typed -8 000 000 against months adding to -8 364 000 is VP302 at N9."""
    assert _errors(check({"Gata och park": _monthly(WORD_MONTHS, "Totalt")}, _monthly_settings())) == []
    report = check({"Gata och park": _monthly(WORD_MONTHS, "Totalt", {"N9": -8000000.0})}, _monthly_settings())
    (year,) = [f for f in find(report, "VP302") if f.cell == "N9"]
    assert year.expected == -8364000.0 and year.actual == -8000000.0
    lines = _map_of_sheet(make_book, "Gata och park", _monthly(WORD_MONTHS, "Totalt"))
    assert "N: belopp (raderna säger vad), helår 2025 (rubrik 'Totalt')" in lines


def _map_of_sheet(make_book: Callable[..., object], name: str, rows: list[list[object]]) -> list[str]:
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.validate import validate

    maps: list = []
    validate(read_workbook(make_book({name: rows})), _monthly_settings(), read_as=maps)
    return [line.strip() for _sheet, lines in maps for line in lines]


# --- "Totalt" after a few months, and date headers alone (REVIEW2 finding 5) ------------------------------
DATE_MONTHS_2024: list[object] = [dt.datetime(2024, m, 1) for m in range(1, 13)]


def _outcome_to_date(heads: list[object]) -> list[list[object]]:
    """An outcome per month so far (jan-apr) with "Totalt" the months so far: no year's budget."""
    months = len(heads)
    rows: list[list[object]] = [["Utfall per månad 2024, mkr"], [], ["Produktionsområde", *heads, "Totalt"]]
    for name, (r, c, _n) in SEED_2024.items():
        m = [round((r + c) / 12, 2)] * months
        rows.append([name, *m, round(sum(m), 2)])
    rows.append(["Totalt", *(round(sum(float(x[k]) for x in rows[3:]), 2) for k in range(1, months + 2))])  # type: ignore[arg-type]
    return rows


def test_totalt_after_four_months_is_no_full_year_budget(check: Callable[..., Report]) -> None:
    """Jan-apr and Totalt -84,4: the months so far, not a 2024 net held against the frame -253,2 or the bridge."""
    for heads in (["jan 2024", "feb 2024", "mar 2024", "apr 2024"], ["Januari", "Februari", "Mars", "April"]):
        report = check({"Utfall": _outcome_to_date(heads)})  # type: ignore[arg-type]
        assert not {"VP304", "VP305"} & set(codes(report)), heads


def test_date_headers_alone_open_no_table(check: Callable[..., Report]) -> None:
    """Årsarbetare per month under date headers, Totalt their average: no budget table, so no VP302/VP304."""
    rows: list[list[object]] = [["Årsarbetare per månad 2024"], [], ["Produktionsområde", *DATE_MONTHS_2024, "Totalt"]]
    for i, name in enumerate(SEED_2024):
        rows.append([name, *([10 + i] * 12), 10 + i])  # Totalt is the average, not a sum
    budget = area_table(TITLE, {2024: SEED_2024})
    report = check({"Budget": budget, "Personal": rows})
    assert [f.code for f in report.findings if f.sheet == "Personal"] == ["VP106"]
    assert not {"VP302", "VP304"} & set(codes(report))
    outcome = check({"Utfall": _outcome_to_date(DATE_MONTHS_2024[:4])})
    assert not {"VP304", "VP305"} & set(codes(outcome))


# --- an area's net budget headed "Ram 2024" (REVIEW2 finding 6) --------------------------------------------
def test_a_ram_column_without_a_budget_column_beside_it_is_the_budget(check: Callable[..., Report]) -> None:
    """Intäkter, Kostnader and "Ram 2024" per area: the ram is the area's budget, so a 10 mkr miss is VP304."""
    for head in ("Ram 2024", "Budgetram 2024"):
        rows: list[list[object]] = [[TITLE], [], ["Produktionsområde", "Intäkter 2024", "Kostnader 2024", head]]
        for name, (r, c, _n) in SEED_2024.items():
            c = round(c - 10, 1) if name == "Politisk organisation" else c
            rows.append([name, r, c, round(r + c, 1)])
        rows.append(["Totalt", *(round(sum(float(x[k]) for x in rows[3:]), 1) for k in (1, 2, 3))])  # type: ignore[arg-type]
        report = check({"Budget": rows}, _no_bridge())
        (f,) = find(report, "VP304")
        assert f.cell == "D13" and f.expected == -253.2 and f.actual == pytest.approx(-263.2, abs=0.15), head
        assert "VP104" not in codes(report), head
