"""The table map reads tables the way an economist lays them out: a code column before the area names,
a second table under the first, a first figure that looks like a year, a "Totalt" under Konto."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vpexcel.findings import Report
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.layout import Measure, detect_tables, map_lines
from vpexcel.samples import SEED_2024, Rows
from vpexcel.settings import Area, Settings, TableSpec, default_settings, settings_rows

EXACT_2024 = {k: (r, c, round(r + c, 1)) for k, (r, c, _n) in SEED_2024.items()}
EXACT_2024["KS-reserv"] = (0, -4.9, -4.9)  # the table's total is the 2024 frame, -253,2
CODES = dict(zip(EXACT_2024, ["1001", "1010", "11", "12", "1250", "1270", "1280", "1300", "139"], strict=True))


def _where(report: Report) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in report.findings]


def _board(head: list[str], mistakes: bool, code: bool = True) -> Rows:
    """The board's areas with their Ansvar codes in column A (mkr); ``mistakes``: KS-reserv left out,
    Räddningstjänst twice (-10 more), so the total misses the frame."""
    data = [(CODES[n], n, *v) for n, v in EXACT_2024.items() if not (mistakes and n == "KS-reserv")]
    if mistakes:
        data.append(("1300", "Räddningstjänst", 0, -10.0, -10.0))
    rows: Rows = [["Kommunstyrelsen budget 2024 (mkr)"], [], head]
    lead = 1 if code else 0
    for k, (c, name, rev, cost, _net) in enumerate(data):
        r = 4 + k
        x, y = ("B", "C") if not code else ("C", "D")
        rows.append(([c] if code else []) + [name, rev, cost, (f"={x}{r}+{y}{r}", round(rev + cost, 1))])
    last = 3 + len(data)
    total: list[object] = [None] if code else []
    total.append("Totalt")
    for col in range(3):
        letter = "ABCDE"[lead + 1 + col]
        figure = round(sum(d[2 + col] for d in data), 1)
        total.append((f"=SUM({letter}4:{letter}{last})", figure))
    rows.append(total)
    return rows


# --- fault 3: an Ansvar code column before the area names ----------------------------------------
def test_an_ansvar_code_column_before_the_names_keeps_it_an_area_table(check: Callable[..., Report]) -> None:
    head = ["Ansvar", "Verksamhet", "Intäkter", "Kostnader", "Netto"]
    wrong = check({"Budget 2024": _board(head, mistakes=True)})
    assert _where(wrong) == [("VP101", "B3"), ("VP103", "B12"), ("VP304", "E13"), ("VP305", "E13")]
    assert "KS-reserv" in wrong.findings[0].message
    assert "Räddningstjänst finns redan på rad 11" in wrong.findings[1].message
    assert "väntat −253,2, står −258,3" in wrong.findings[2].message
    # the same figures without the code column give the same findings, one column to the left
    plain = check({"Budget 2024": _board(head[1:], mistakes=True, code=False)})
    assert _where(plain) == [("VP101", "A3"), ("VP103", "A12"), ("VP304", "D13"), ("VP305", "D13")]
    no_bridge = default_settings()
    no_bridge.bridge = []
    assert check({"Budget 2024": _board(head, mistakes=False)}, no_bridge).findings == []


@pytest.mark.parametrize("label", ["S:a", "Total", "Nämnden totalt", "Summa KS", "Totalt"])
def test_codes_beside_known_area_names_make_an_area_table_whatever_the_total_is_called(
    label: str, make_book: Callable[..., Path]
) -> None:
    rows = _board(["Kod", "Namn", "Intäkter", "Kostnader", "Netto"], mistakes=True)
    rows[-1][1] = label
    book = read_workbook(make_book({"Budget 2024": rows}))
    (table,) = detect_tables(book.sheets[0], default_settings())
    assert table.rows_are_areas and table.label_col == 1
    assert "Rader: område 9, total 1" in "\n".join(map_lines(table))


def _konto_head_book(settings_sheet: Rows | None = None) -> dict[str, Rows]:
    """Areas under the headers Konto | Benämning: the header says accounts, the names say areas."""
    sheets = {"Budget 2024": _board(["Konto", "Benämning", "Intäkter", "Kostnader", "Netto"], mistakes=True)}
    if settings_sheet is not None:
        sheets["Inställningar"] = settings_sheet
    return sheets


def test_a_header_that_says_accounts_over_area_names_is_said_once(check: Callable[..., Report]) -> None:
    report = check(_konto_head_book())
    assert _where(report) == [("VP109", "B3")]
    (f,) = report.findings
    assert "rubriken säger det ('Konto')" in f.message and "'Politisk organisation'" in f.message
    assert f.suggestion == (
        "Är raderna områden: skriv i tabellen Tabeller på bladet Inställningar en rad med Blad 'Budget 2024', "
        "Kolumn B och Roll område."
    )


def test_the_tabeller_role_omrade_makes_the_rows_areas(check: Callable[..., Report]) -> None:
    """The Inställningar sheet's Tabeller line "Budget 2024 | | B | område" fixes what the header hides."""
    own = settings_rows(default_settings())
    own += [[], ["Tabeller"], ["Blad", "Rubrikrad", "Kolumn", "Roll", "Mått", "År", "Tecken"]]
    own += [["Budget 2024", "", "B", "område"]]
    report = check(_konto_head_book(own))
    assert _where(report) == [("VP101", "B3"), ("VP103", "B12"), ("VP304", "E13"), ("VP305", "E13")]
    # with the header row given too, and the amount columns described
    settings = default_settings()
    settings.tables = [
        TableSpec(sheet="Budget 2024", header_row=3, column="C", role="intäkt"),
        TableSpec(sheet="Budget 2024", column="D", role="kostnad"),
        TableSpec(sheet="Budget 2024", column="E", role="netto"),
        TableSpec(sheet="Budget 2024", column="B", role="område"),
    ]
    report = check(_konto_head_book(), settings)
    assert _where(report) == [("VP101", "B3"), ("VP103", "B12"), ("VP304", "E13"), ("VP305", "E13")]
    # and "konto" turns an area table into one of accounts
    settings.tables[-1] = TableSpec(sheet="Budget 2024", column="B", role="konto")
    assert check(_konto_head_book(), settings).findings == []


# --- fault 4: a second table under the area table -------------------------------------------------
def _teknik() -> Settings:
    s = default_settings()
    s.municipality, s.board, s.budget_year, s.unit, s.rounding = "Åby kommun", "Tekniska nämnden", 2025, "tkr", 1
    s.areas = [Area(name=n) for n in ("Fastighet", "Gata", "Park")]
    s.frames, s.bridge = [], []
    return s


def _two_tables(cost_sum: str = "=SUM(C4:C6)") -> Rows:
    return [
        ["Tekniska nämnden – budget 2025 (tkr)"],
        [],
        ["Verksamhet", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
        ["Fastighet", 3030, -9000, ("=B4+C4", -5970)],
        ["Gata", 500, -7200, ("=B5+C5", -6700)],
        ["Park", 300, -4100, ("=B6+C6", -3800)],
        ["Totalt", ("=SUM(B4:B6)", 3830), (cost_sum, -20300 if cost_sum == "=SUM(C4:C6)" else -16200), ("=SUM(D4:D6)", -16470)],
        [],
        [],
        ["Investeringar 2025 (tkr)"],
        ["Projekt", "Budget 2025", "Plan 2026"],
        ["Ny brandstation", -25000, -40000],
        ["Gång- och cykelväg", -3500, -2000],
        ["Lekplatser", -800, -800],
        ["Summa investeringar", ("=SUM(B12:B14)", -29300), ("=SUM(C12:C14)", -42800)],
        [],
        ["Personal"],
        ["Yrkesgrupp", "Årsarbetare 2024", "Årsarbetare 2025"],
        ["Tekniker", 12, 13],
        ["Parkarbetare", 8, 8],
        ["Summa", ("=SUM(B19:B20)", 20), ("=SUM(C19:C20)", 21)],
    ]


def test_a_second_table_below_blank_rows_is_not_merged_into_the_area_table(
    check: Callable[..., Report], make_book: Callable[..., Path]
) -> None:
    assert check({"Budget 2025": _two_tables()}, _teknik()).findings == []
    tables = detect_tables(read_workbook(make_book({"Budget 2025": _two_tables()})).sheets[0], _teknik())
    first = map_lines(tables[0])
    assert "  Rader: område 3, total 1" in first and "    rad 7 (total, 'Totalt') summerar rad 4–6" in first
    assert [t.header_row + 1 for t in tables] == [3, 11]  # the investments are a table of their own (of items)
    assert not tables[1].rows_are_areas
    # a mistake in the area table is still found, and only there
    wrong = check({"Budget 2025": _two_tables(cost_sum="=SUM(C4:C5)")}, _teknik())
    assert [(c, cell) for c, cell in _where(wrong) if c != "VP402"] == [("VP302", "C7"), ("VP403", "C7"), ("VP301", "D7")]
    # words typed where an area's figures go, below a blank row, are that area's mistakes, not a new table
    gap = [*_two_tables()[:4], [], ["Gata", "saknas", "ej klart", ("=B6+C6", "#VALUE!")]]
    gap += [["Park", 300, -4100, ("=B7+C7", -3800)]]
    gap += [["Totalt", ("=SUM(B4:B7)", 3330), ("=SUM(C4:C7)", -13100), ("=SUM(D4:D7)", "#VALUE!")]]
    found = _where(check({"Budget 2025": gap}, _teknik()))
    assert [(c, cell) for c, cell in found if c in ("VP202", "VP403")] == [("VP202", "B6"), ("VP202", "C6")]


# --- fault 5: a first figure that looks like a year ----------------------------------------------
def _bibliotek(first: float, cost_sum: str = "=SUM(C7:C8)", cost: float = -1250) -> Rows:
    return [
        ["Bibliotek – budget (tkr)"],
        [],
        ["Kontogrupp", "Bokslut 2024", "Budget 2025"],
        ["Taxor och avgifter", first, 2100],
        ["Bidrag", 500, 520],
        ["Summa intäkter", ("=SUM(B4:B5)", first + 500), ("=SUM(C4:C5)", 2620)],
        ["Personalkostnader", -9000, -9300],
        ["Övriga kostnader", -1200, cost],
        ["Summa kostnader", ("=SUM(B7:B8)", -10200), (cost_sum, -9300 + cost if cost_sum == "=SUM(C7:C8)" else -9300)],
        ["Resultat", ("=B6+B9", first + 500 - 10200), ("=C6+C9", 0.0)],
    ]


def _kultur() -> Settings:
    s = _teknik()
    s.municipality, s.board, s.areas = "Västerviken kommun", "Kulturnämnden", [Area(name="Bibliotek"), Area(name="Kulturskola")]
    return s


def _fix_result(rows: Rows) -> Rows:
    rows[9][2] = ("=C6+C9", rows[5][2][1] + rows[8][2][1])
    return rows


@pytest.mark.parametrize("first", [2030, 2037, 1980])
def test_a_first_figure_like_a_year_is_no_header(
    first: float, check: Callable[..., Report], make_book: Callable[..., Path]
) -> None:
    rows = _fix_result(_bibliotek(first))
    (table,) = detect_tables(read_workbook(make_book({"Bibliotek": rows})).sheets[0], _kultur())
    assert table.header_row == 2
    assert [(c.header, c.measure, c.year) for c in table.columns] == [
        ("Bokslut 2024", Measure.ACTUAL, 2024),
        ("Budget 2025", Measure.BUDGET, 2025),
    ]
    assert check({"Bibliotek": rows}, _kultur()).findings == []
    # the mistakes in the budget column are found where they are: a SUM that leaves out row 8, a positive cost
    wrong = _fix_result(_bibliotek(first, cost_sum="=SUM(C7:C7)"))
    assert ("VP403", "C9") in _where(check({"Bibliotek": wrong}, _kultur()))
    positive = _fix_result(_bibliotek(first, cost=1250))
    assert _where(check({"Bibliotek": positive}, _kultur())) == [("VP204", "C8")]


# --- fault 6: "Totalt" in the Konto column, the names under Benämning ----------------------------
def _konto(where: str, cost_sum: str = "=SUM(D4:D8)") -> Rows:
    accounts = [(3110, "Taxor och avgifter", 45000, 0), (3410, "Statsbidrag", 120000, 0), (4010, "Löner", 0, -850000)]
    accounts += [(5010, "Lokalhyror", 0, -96000), (7010, "Övrigt", 0, -12500)]
    rows: Rows = [
        ["Bibliotek – budget 2025 per konto (kr)"],
        [],
        ["Konto", "Benämning", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
    ]
    for k, (code, name, rev, cost) in enumerate(accounts):
        rows.append([code, name, rev, cost, (f"=C{4 + k}+D{4 + k}", rev + cost)])
    costs = [a[3] for a in accounts] if cost_sum == "=SUM(D4:D8)" else [a[3] for a in accounts[:-1]]
    label = ["Totalt", None] if where == "A" else [None, "Totalt"]
    rows.append([*label, ("=SUM(C4:C8)", 165000), (cost_sum, sum(costs)), ("=SUM(E4:E8)", 165000 - 958500)])
    return rows


def test_a_total_labelled_under_konto_is_a_total(check: Callable[..., Report], make_book: Callable[..., Path]) -> None:
    settings = _kultur()
    settings.unit = "kr"
    (table,) = detect_tables(read_workbook(make_book({"Bibliotek": _konto("A")})).sheets[0], settings)
    assert "    rad 9 (total, 'Totalt') summerar rad 4–8" in map_lines(table)
    assert check({"Bibliotek": _konto("A")}, settings).findings == []
    # the SUM that leaves out row 8 is found as with "Totalt" under Benämning
    for where in ("A", "B"):
        found = check({"Bibliotek": _konto(where, cost_sum="=SUM(D4:D7)")}, settings).findings
        assert [(f.code, f.cell) for f in found if f.code != "VP402"] == [("VP302", "D9"), ("VP403", "D9"), ("VP301", "E9")]
        assert found[-1].message.startswith("Netto Totalt 2025: väntat −781\u00a0000, står −793\u00a0500")
