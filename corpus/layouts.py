"""The corpus layouts: each builds a workbook, correct or with planted mistakes, and says what to expect.

Every builder takes ``mistakes`` and returns a :class:`Case`: the sheets, the
settings (written into the workbook as an "Inställningar" sheet, or None for the
default settings), the findings expected (errors and warnings exactly; the info
codes listed in ``INFO_CODES`` too) and the table plans (what was laid out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.sheet import ColumnPlan, Sheet, TablePlan, excel_sum
from corpus.write import write_xlsx
from vpexcel.samples import SEED_2023
from vpexcel.settings import Area, Frame, Settings, settings_rows

# info codes a case states exactly (VP309 rounding notes are left out: they are not mistakes)
INFO_CODES = ("VP106", "VP107")


@dataclass(frozen=True)
class Expect:
    code: str
    sheet: str | None
    cell: str | None
    cause: str | None = None  # for a knock-on: "Sheet!A1" of its cause, or "*" for any cause


@dataclass
class Case:
    name: str
    mistakes: bool
    sheets: list[Sheet]
    settings: Settings | None  # None: no settings sheet (the default settings apply)
    expected: list[Expect] = field(default_factory=list)
    calculated: bool = True
    path: Path | None = None

    @property
    def tables(self) -> list[TablePlan]:
        return [t for s in self.sheets for t in s.tables]


def build(name: str, mistakes: bool, folder: Path) -> Case:
    """Build one layout's workbook into ``folder``; the case carries the path and what to expect."""
    case = LAYOUTS[name](mistakes)
    case.name = name
    sheets = list(case.sheets)
    if case.settings is not None:
        settings_sheet = Sheet("Inställningar")
        for line in settings_rows(case.settings):
            settings_sheet.add([v for v in line])
        sheets.append(settings_sheet)
    case.path = write_xlsx(folder / f"{name}{'-fel' if mistakes else ''}.xlsx", sheets, calculated=case.calculated)
    return case


def own_settings(municipality: str, board: str, unit: str, areas: list[Area], frames: dict[int, float]) -> Settings:
    return Settings(
        municipality=municipality,
        board=board,
        unit=unit,  # type: ignore[arg-type]
        rounding=1.0 if unit != "mkr" else 0.1,
        areas=areas,
        frames=[Frame(year=y, amount=round(a, 6)) for y, a in frames.items()],
    )


# --- data ----------------------------------------------------------------------------
LERUM_2023 = SEED_2023  # the seed (mkr): revenue, cost, net
LERUM_2024 = {
    "Politisk organisation": (0, -6.1, -6.1),
    "Kommundirektör": (0.2, -13.4, -13.2),
    "Kommunledning och verksamhetsstöd": (9.7, -157.9, -148.2),
    "Vuxenutbildning": (22, -45.3, -23.3),
    "Stöd och utveckling": (1, -12.6, -11.6),
    "Samhällsplanering": (0, -2.9, -2.9),
    "Arbetsliv och stöd": (9.6, -18.8, -9.2),
    "Räddningstjänst": (0, -33.7, -33.7),
    "KS-reserv": (0, -5, -5),
}
LERUM_SUB_2024 = {
    "Ledning och internservice": (2.1, -52.4, -50.3),
    "Utveckling och hållbarhet": (3.4, -61.7, -58.3),
    "Ekonomi": (1.9, -21.6, -19.7),
    "HR": (2.3, -22.2, -19.9),
}
ALINGSAS = {  # tkr: revenue, cost
    "Kommunledningskontoret": (1_200, -18_400),
    "Ekonomiavdelningen": (2_300, -21_500),
    "Personalavdelningen": (900, -15_800),
    "Samhällsbyggnad": (14_500, -42_800),
    "Kultur och fritid": (6_200, -38_900),
    "Näringsliv och turism": (400, -6_100),
}
MOLNDAL_GROUPS = {  # mkr, net 2023 and 2024
    "Ledning och stöd": {
        "Stadsledning": (-23.9, -24.5),
        "Ekonomi och upphandling": (-17.6, -18.2),
        "HR-avdelningen": (-12.1, -12.7),
    },
    "Samhälle": {"Planering och bygg": (-9.0, -9.4), "Gata och park": (-30.2, -31.6), "Miljö": (-5.1, -5.3)},
    "Välfärd": {"Arbetsmarknad": (-14.2, -14.9), "Integration": (-8.3, -7.8)},
}
ENHETER = {  # Kommun-Bas accounts per enhet (tkr): revenue accounts, cost accounts
    "Enhet Norr": (
        {"3110": ("Taxor och avgifter", 1_450), "3410": ("Hyror och arrenden", 320), "3510": ("Bidrag från staten", 2_800)},
        {
            "4010": ("Köp av huvudverksamhet", -3_900),
            "5010": ("Löner", -14_200),
            "5410": ("Sociala avgifter", -4_460),
            "6110": ("Lokalhyror", -2_150),
            "7010": ("Övriga kostnader", -980),
        },
    ),
    "Enhet Söder": (
        {"3110": ("Taxor och avgifter", 980), "3410": ("Hyror och arrenden", 150), "3510": ("Bidrag från staten", 1_900)},
        {
            "4010": ("Köp av huvudverksamhet", -2_600),
            "5010": ("Löner", -11_700),
            "5410": ("Sociala avgifter", -3_680),
            "6110": ("Lokalhyror", -1_750),
            "7010": ("Övriga kostnader", -640),
        },
    ),
    "Enhet Centrum": (
        {"3110": ("Taxor och avgifter", 2_100), "3410": ("Hyror och arrenden", 0), "3510": ("Bidrag från staten", 3_300)},
        {
            "4010": ("Köp av huvudverksamhet", -5_200),
            "5010": ("Löner", -19_800),
            "5410": ("Sociala avgifter", -6_220),
            "6110": ("Lokalhyror", -3_050),
            "7010": ("Övriga kostnader", -1_310),
        },
    ),
}
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec"]


def ref(sheet: Sheet, row: int, col: int) -> str:
    return f"{sheet.name}!{sheet.ref(row, col)}"


# --- layouts -------------------------------------------------------------------------
def rcn_table(
    sheet: Sheet,
    title: str,
    unit: str,
    years: dict[int, dict[str, tuple[object, object, object]]],
    *,
    label: str = "Produktionsområde",
    net_formulas: bool = False,
    measures: dict[int, str] | None = None,
    total: str | None = "Totalt",
    positive: bool = False,
    headers: tuple[str, str, str] = ("Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"),
    role: str = "area",
) -> tuple[TablePlan, dict[str, int], int | None]:
    """A table of revenue, cost and net per year (a year row over the names); returns plan, rows by name, total row."""
    sheet.add([title])
    sheet.add()
    year_row: list[object] = [""]
    names: list[object] = [label]
    plans: dict[int, ColumnPlan] = {}
    col = 1
    for y in years:
        measure = (measures or {}).get(y, "budget")
        word = {"budget": "", "utfall": "Utfall ", "prognos": "Prognos "}[measure]
        year_row += [f"{word}{y}".strip() if word else y, "", ""]
        names += list(headers)
        for k, r in enumerate(("revenue", "cost", "net")):
            plans[col + k] = ColumnPlan(r, measure, y)
        col += 3
    sheet.add(year_row)
    plan = sheet.table(names, unit, plans, "costs_positive" if positive else "costs_negative")
    rows: dict[str, int] = {}
    for area in next(iter(years.values())):
        line: list[object] = [area]
        for data in years.values():
            line += list(data[area])
        r = sheet.add(line)
        rows[area] = r
        plan.roles[r] = role
        if net_formulas:
            for k in range(len(years)):
                if isinstance(line[3 + 3 * k], (int, float)) and isinstance(line[1 + 3 * k], (int, float)):
                    sheet.set(r, 3 + 3 * k, sheet.net_cell(r, 1 + 3 * k, 2 + 3 * k, positive))
    total_row = None
    if total:
        total_row = sheet.sum_row(total, list(range(1, col)), list(rows.values()), plan)
    return plan, rows, total_row


def seed_mkr(m: bool) -> Case:
    """The seed's table (Lerum, mkr, two years, one decimal): four rounding notes and nothing else."""
    s = Sheet("Produktionsområden")
    y24 = dict(LERUM_2024)
    if m:
        y24["Räddningstjänst"] = (0, 33.7, -33.7)  # a cost with the wrong sign
        y24["Vuxenutbildning"] = (22, -45.3, -24.3)  # a net that is not revenue + cost
    _plan, rows, _t = rcn_table(s, "Kommunstyrelsen – produktionsområden 2024 (mkr)", "mkr", {2023: LERUM_2023, 2024: y24})
    exp = []
    if m:
        r, v = rows["Räddningstjänst"], rows["Vuxenutbildning"]
        t = max(rows.values()) + 1
        exp = [
            Expect("VP204", s.name, f"F{r}"),
            Expect("VP301", s.name, f"G{r}", cause=ref(s, r, 5)),
            Expect("VP301", s.name, f"G{v}"),
            Expect("VP301", s.name, f"G{t}", cause="*"),  # the total's cost takes in the wrong sign
            Expect("VP304", s.name, f"G{t}", cause="*"),
            Expect("VP305", s.name, f"G{t}", cause="*"),
        ]
    return Case("", m, [s], None, exp)


def areas_tkr_own(m: bool) -> Case:
    """Another kommun's areas in tkr, with its own settings in the workbook; nets as formulas."""
    s = Sheet("Budget 2024")
    data = {k: (r, c, r + c) for k, (r, c) in ALINGSAS.items()}
    frame = sum(r + c for r, c in ALINGSAS.values())
    settings = own_settings("Alingsås kommun", "Kommunstyrelsen", "tkr", [Area(name=k) for k in ALINGSAS], {2024: frame})
    if m:
        data = {("Kultur och fritd" if k == "Kultur och fritid" else k): v for k, v in data.items()}
        _r, c, n = data["Samhällsbyggnad"]
        data["Samhällsbyggnad"] = ("14 500", c, n)  # a number typed as text
    _plan, rows, total = rcn_table(s, "Kommunstyrelsen budget 2024 (tkr)", "tkr", {2024: data})
    exp = []
    if m:
        sb = rows["Samhällsbyggnad"]
        assert total is not None
        exp = [
            Expect("VP201", s.name, f"B{sb}"),
            Expect("VP302", s.name, f"B{total}", cause=ref(s, sb, 1)),  # Excel's SUM skipped the text
            Expect("VP301", s.name, f"D{total}", cause=ref(s, sb, 1)),
            Expect("VP102", s.name, f"A{rows['Kultur och fritd']}"),
            Expect("VP101", s.name, "A4"),
        ]
    return Case("", m, [s], settings, exp)


def areas_default_foreign(m: bool) -> Case:
    """Another kommun's workbook with no settings: the default settings (Lerum) do not fit; one VP107 says so."""
    s = Sheet("Budget")
    data = {k: (r, c, r + c) for k, (r, c) in ALINGSAS.items()}
    _plan, rows, total = rcn_table(s, "Kommunstyrelsen budget 2024 (tkr)", "tkr", {2024: data}, label="Verksamhet")
    exp = [Expect("VP107", None, None)]
    if m:
        assert total is not None
        last = max(rows.values())
        s.set(total, 2, s.sum_cell(2, list(rows.values()), leave_out=last))  # the SUM leaves out the last row
        exp += [
            Expect("VP403", s.name, f"C{total}"),
            Expect("VP402", s.name, f"C{total}"),  # its neighbours' SUMs cover the whole block
            Expect("VP302", s.name, f"C{total}", cause=ref(s, total, 2)),
            Expect("VP301", s.name, f"D{total}", cause=ref(s, total, 2)),
        ]
    return Case("", m, [s], None, exp)


def kommunbas_enheter(m: bool) -> Case:
    """Kommun-Bas account sheets per enhet (Summa verksamhetens intäkter/kostnader, Verksamhetens nettokostnad)
    and a Sammanställning linking to them (tkr)."""
    summary = Sheet("Sammanställning")
    summary.add(["Socialnämnden – sammanställning budget 2024 (tkr)"])
    summary.add()
    splan = summary.table(
        ["Enhet", "Intäkter", "Kostnader", "Nettokostnad"],
        "tkr",
        {1: ColumnPlan("revenue", "budget", 2024), 2: ColumnPlan("cost", "budget", 2024), 3: ColumnPlan("net", "budget", 2024)},
    )
    sheets = [summary]
    exp: list[Expect] = []
    links: list[int] = []
    frame = 0.0
    for enhet, (revenue, cost) in ENHETER.items():
        s = Sheet(enhet)
        s.add([f"{enhet} – budget 2024 (tkr)"])
        s.add()
        plan = s.table(
            ["Konto", "Benämning", "Budget 2024", "Budget 2023"],
            "tkr",
            {2: ColumnPlan("amount", "budget", 2024), 3: ColumnPlan("amount", "budget", 2023)},
        )
        g = s.add(["", "Verksamhetens intäkter"])
        plan.roles[g] = "group"
        rev_rows = []
        for code, (name, amount) in revenue.items():
            r = s.add([code, name, amount, round(amount * 0.97)])
            plan.roles[r] = "revenue_item"
            rev_rows.append(r)
        rev_sum = s.sum_row("Summa verksamhetens intäkter", [2, 3], rev_rows, plan, "revenue_sum", label_col=1)
        s.add()
        g = s.add(["", "Verksamhetens kostnader"])
        plan.roles[g] = "group"
        cost_rows = []
        for code, (name, amount) in cost.items():
            r = s.add([code, name, amount, round(amount * 0.97)])
            plan.roles[r] = "cost_item"
            cost_rows.append(r)
        if m and enhet == "Enhet Söder":
            s.set(cost_rows[3], 2, 1_750)  # a cost with the wrong sign
            exp.append(Expect("VP204", s.name, f"C{cost_rows[3]}"))
        if m and enhet == "Enhet Centrum":
            s.set(cost_rows[1], 2, "-19 800")  # a number typed as text
            exp.append(Expect("VP201", s.name, f"C{cost_rows[1]}"))
        leave = {2: cost_rows[-1]} if m and enhet == "Enhet Norr" else None
        cost_sum = s.sum_row("Summa verksamhetens kostnader", [2, 3], cost_rows, plan, "cost_sum", label_col=1, leave_out=leave)
        if m and enhet == "Enhet Norr":
            exp += [Expect("VP403", s.name, f"C{cost_sum}"), Expect("VP302", s.name, f"C{cost_sum}", cause=ref(s, cost_sum, 2))]
        if m and enhet == "Enhet Centrum":
            exp.append(Expect("VP302", s.name, f"C{cost_sum}", cause=ref(s, cost_rows[1], 2)))
        s.add()
        res = s.add(["", "Verksamhetens nettokostnad"])
        for c in (2, 3):
            s.set(res, c, (f"={s.ref(rev_sum, c)}+{s.ref(cost_sum, c)}", excel_sum([s.value(rev_sum, c), s.value(cost_sum, c)])))
        plan.roles[res] = "result"
        plan.blocks[res] = [rev_sum, cost_sum]
        sheets.append(s)
        frame += sum(a for _n, a in revenue.values()) + sum(a for _n, a in cost.values())
        line: list[object] = [enhet]
        for src in (rev_sum, cost_sum, res):
            line.append((f"='{enhet}'!C{src}", s.value(src, 2)))
        r = summary.add(line)
        splan.roles[r] = "area"
        links.append(r)
    total = summary.sum_row("Totalt", [1, 2, 3], links, splan)
    if m:
        exp.append(Expect("VP304", summary.name, f"D{total}", cause="*"))
    settings = own_settings("Ale kommun", "Socialnämnden", "tkr", [Area(name=k) for k in ENHETER], {2024: frame})
    return Case("", m, sheets, settings, exp)


def konto_rows(m: bool) -> Case:
    """A sheet per enhet with account rows: Konto, Benämning, Brutto intäkt, Brutto kostnad, Budgeterat resultat, Totalt."""
    sheets = []
    exp: list[Expect] = []
    for enhet, (revenue, cost) in ENHETER.items():
        s = Sheet(enhet)
        s.add([f"{enhet} – budget 2024 per konto (tkr)"])
        s.add()
        plan = s.table(
            ["Konto", "Benämning", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
            "tkr",
            {
                2: ColumnPlan("revenue", "budget", 2024),
                3: ColumnPlan("cost", "budget", 2024),
                4: ColumnPlan("net", "budget", 2024),
            },
        )
        rows = []
        for code, (name, amount) in {**revenue, **cost}.items():
            r = s.add([code, name, max(amount, 0), min(amount, 0)])
            s.set(r, 4, s.net_cell(r, 2, 3))
            plan.roles[r] = "item"
            rows.append(r)
        if m and enhet == "Enhet Norr":
            s.set(rows[5], 4, -14_000)  # a net typed in, and wrong
            s.set(rows[6], 3, 2_150)  # a cost with the wrong sign (its net follows the formula)
            s.set(rows[6], 4, s.net_cell(rows[6], 2, 3))
            exp += [
                Expect("VP301", s.name, f"E{rows[5]}"),
                Expect("VP401", s.name, f"E{rows[5]}"),
                Expect("VP204", s.name, f"D{rows[6]}"),
            ]
        typed = {4: excel_sum(s.value(r, 4) for r in rows)} if m and enhet == "Enhet Söder" else None
        total = s.sum_row("Totalt", [2, 3, 4], rows, plan, typed=typed, label_col=1)
        if m and enhet == "Enhet Norr":
            exp.append(Expect("VP301", s.name, f"E{total}", cause=ref(s, rows[5], 4)))
        if typed:
            exp.append(Expect("VP401", s.name, f"E{total}"))
        sheets.append(s)
    settings = own_settings("Ale kommun", "Socialnämnden", "tkr", [Area(name=k) for k in ENHETER], {})
    return Case("", m, sheets, settings, exp)


def total_top_groups(m: bool) -> Case:
    """The board's total at the top, areas grouped under headings with a "Summa ..." per group;
    a hidden column (last year) and cell comments."""
    s = Sheet("Budget 2024")
    s.add(["Kommunstyrelsen – nettobudget 2024 (mkr)"])
    s.add()
    plan = s.table(
        ["Verksamhet", "Budget 2023", "Budget 2024"],
        "mkr",
        {1: ColumnPlan("net", "budget", 2023), 2: ColumnPlan("net", "budget", 2024)},
    )
    s.hidden.append(1)
    top = s.add(["Kommunstyrelsen totalt"])
    plan.roles[top] = "total"
    subtotals = []
    first_area = None
    for group, areas in MOLNDAL_GROUPS.items():
        g = s.add([group])
        plan.roles[g] = "group"
        rows = []
        for name, (n23, n24) in areas.items():
            r = s.add([name, n23, n24])
            plan.roles[r] = "area"
            rows.append(r)
            first_area = first_area or r
        leave = {2: rows[-1]} if m and group == "Samhälle" else None
        sub = s.sum_row(f"Summa {group.lower()}", [1, 2], rows, plan, "subtotal", leave_out=leave)
        if leave:
            exp_sub = sub
        subtotals.append(sub)
    for c in (1, 2):
        s.set(top, c, ("=" + "+".join(s.ref(r, c) for r in subtotals), excel_sum(s.value(r, c) for r in subtotals)))
    plan.blocks[top] = subtotals
    s.comments[f"C{top}"] = "Summan av gruppernas delsummor"
    s.comments[f"A{first_area}"] = "Inklusive stadsledningskontorets stab"
    frames = {y: sum(v[i] for a in MOLNDAL_GROUPS.values() for v in a.values()) for i, y in ((0, 2023), (1, 2024))}
    settings = own_settings(
        "Mölndals stad", "Kommunstyrelsen", "mkr", [Area(name=k) for a in MOLNDAL_GROUPS.values() for k in a], frames
    )
    exp: list[Expect] = []
    if m:
        exp = [
            Expect("VP403", s.name, f"C{exp_sub}"),
            Expect("VP302", s.name, f"C{exp_sub}", cause=ref(s, exp_sub, 2)),
            Expect("VP304", s.name, f"C{top}", cause=ref(s, exp_sub, 2)),
        ]
    return Case("", m, [s], settings, exp)


def measures_net(m: bool) -> Case:
    """Bokslut 2023, Budget 2024, Prognos 2024 and Avvikelse beside each other (net per area, mkr)."""
    s = Sheet("Uppföljning")
    s.add(["Kommunstyrelsen – budget och prognos 2024 (mkr)"])
    s.add()
    plan = s.table(
        ["Verksamhet", "Bokslut 2023", "Budget 2024", "Prognos 2024", "Avvikelse budget-prognos"],
        "mkr",
        {
            1: ColumnPlan("net", "utfall", 2023),
            2: ColumnPlan("net", "budget", 2024),
            3: ColumnPlan("net", "prognos", 2024),
            4: ColumnPlan("net", "avvikelse", 2024),
        },
    )
    rows = []
    for name, (_r, _c, n) in LERUM_2024.items():
        actual = round(LERUM_2023[name][2] - 0.4, 1)
        forecast = round(n + (0.6 if name == "Vuxenutbildning" else -0.3 if name == "Räddningstjänst" else 0), 1)
        r = s.add([name, actual, n, forecast, round(forecast - n, 1)])
        plan.roles[r] = "area"
        rows.append(r)
    leave = {3: rows[-1]} if m else None
    total = s.sum_row("Totalt", [1, 2, 3, 4], rows, plan, leave_out=leave)
    settings = own_settings(
        "Lerums kommun", "Kommunstyrelsen", "mkr", [Area(name=k) for k in LERUM_2024], {2023: -256.8, 2024: -253.2}
    )
    exp: list[Expect] = []
    if m:
        s.set(rows[2], 2, -150.2)  # the budget no longer meets the frame
        s.set(total, 2, s.sum_cell(2, rows))
        exp = [
            Expect("VP403", s.name, f"D{total}"),
            Expect("VP402", s.name, f"D{total}"),
            Expect("VP302", s.name, f"D{total}", cause=ref(s, total, 3)),
            Expect("VP304", s.name, f"C{total}"),
        ]
    return Case("", m, [s], settings, exp)


def rcn_with_actuals(m: bool) -> Case:
    """Revenue/cost/net for Utfall 2023 beside Budget 2024 (Lerum's default settings): the frame is the budget's only."""
    s = Sheet("Produktionsområden")
    actual = {k: (r, round(c - 0.5, 1), round(r + c - 0.5, 1)) for k, (r, c, _n) in LERUM_2023.items()}
    exact = {k: (r, c, round(r + c, 1)) for k, (r, c, _n) in LERUM_2024.items()}
    if m:
        r, c, n = actual["Samhällsplanering"]
        actual["Samhällsplanering"] = (r, c, round(n - 1, 1))
    _plan, rows, t = rcn_table(
        s, "Kommunstyrelsen – utfall och budget (mkr)", "mkr", {2023: actual, 2024: exact}, measures={2023: "utfall"}
    )
    exp = [Expect("VP301", s.name, f"D{rows['Samhällsplanering']}"), Expect("VP301", s.name, f"D{t}", cause="*")] if m else []
    return Case("", m, [s], None, exp)


def costs_positive(m: bool) -> Case:
    """Costs shown as positive numbers, Nettokostnad = kostnad − intäkt (tkr, own settings)."""
    s = Sheet("Budget 2024")
    data = {k: (r, -c, -(r + c)) for k, (r, c) in ALINGSAS.items()}
    if m:
        r, c, n = data["Personalavdelningen"]
        data["Personalavdelningen"] = (r, -c, n)  # one cost typed negative
    frame = sum(r + c for r, c in ALINGSAS.values())
    settings = own_settings("Alingsås kommun", "Kommunstyrelsen", "tkr", [Area(name=k) for k in ALINGSAS], {2024: frame})
    _plan, rows, total = rcn_table(
        s,
        "Nettokostnad per verksamhet 2024 (tkr)",
        "tkr",
        {2024: data},
        positive=True,
        headers=("Intäkter", "Kostnader", "Nettokostnad"),
    )
    exp = []
    if m:
        p = rows["Personalavdelningen"]
        assert total is not None
        exp = [
            Expect("VP204", s.name, f"C{p}"),
            Expect("VP301", s.name, f"D{p}", cause=ref(s, p, 2)),
            Expect("VP301", s.name, f"D{total}", cause=ref(s, p, 2)),
        ]
    return Case("", m, [s], settings, exp)


def monthly(m: bool) -> Case:
    """A monthly budget: jan ... dec and Helår = SUM(jan:dec) per row, groups with subtotals per month, Totalt (tkr)."""
    s = Sheet("Månadsbudget")
    s.add(["Kultur- och fritidsnämnden – budget 2024 per månad (tkr)"])
    s.add()
    cols = {c + 1: ColumnPlan("net", "månad", 2024) for c in range(12)}
    cols[13] = ColumnPlan("net", "helår", 2024)
    plan = s.table(["Verksamhet", *MONTH_NAMES, "Helår"], "tkr", cols)
    groups = {
        "Kultur": {"Bibliotek": -1_850, "Kulturskola": -1_320, "Konsthall": -410},
        "Fritid": {"Fritidsgårdar": -960, "Idrottsanläggningar": -2_240, "Föreningsbidrag": -730},
    }
    subtotals = []
    exp: list[Expect] = []
    for group, areas in groups.items():
        g = s.add([group])
        plan.roles[g] = "group"
        rows = []
        for i, (name, monthly_net) in enumerate(areas.items()):
            months = [monthly_net + ((k * 7 + i * 3) % 5) * 10 for k in range(12)]
            r = s.add([name, *months])
            s.set(r, 13, (f"=SUM(B{r}:M{r})", excel_sum(months)))
            plan.roles[r] = "area"
            rows.append(r)
        if m and group == "Fritid":
            s.set(rows[1], 13, excel_sum(s.value(rows[1], c) for c in range(1, 13)) - 500)  # Helår typed in, and wrong
            exp += [Expect("VP401", s.name, f"N{rows[1]}"), Expect("VP302", s.name, f"N{rows[1]}")]
            exp.append(Expect("VP302", s.name, f"N{rows[-1] + 1}", cause=ref(s, rows[1], 13)))
        leave = {3: rows[-1]} if m and group == "Kultur" else None
        sub = s.sum_row(f"Summa {group.lower()}", list(range(1, 13)), rows, plan, "subtotal", leave_out=leave)
        s.set(sub, 13, (f"=SUM(B{sub}:M{sub})", excel_sum(s.value(sub, c) for c in range(1, 13))))
        if leave:
            exp += [
                Expect("VP403", s.name, f"D{sub}"),
                Expect("VP402", s.name, f"D{sub}"),
                Expect("VP302", s.name, f"D{sub}", cause=ref(s, sub, 3)),
                Expect("VP302", s.name, f"N{sub}", cause=ref(s, sub, 3)),
            ]
        subtotals.append(sub)
    total = s.sum_row("Totalt", list(range(1, 14)), subtotals, plan)
    areas_all = [k for a in groups.values() for k in a]
    helar = excel_sum(
        excel_sum(mn + ((k * 7 + i * 3) % 5) * 10 for k in range(12)) for a in groups.values() for i, mn in enumerate(a.values())
    )
    if m:
        exp.append(Expect("VP304", s.name, f"N{total}", cause="*"))
    settings = own_settings(
        "Mölndals stad", "Kultur- och fritidsnämnden", "tkr", [Area(name=k) for k in areas_all], {2024: helar}
    )
    return Case("", m, [s], settings, exp)


def text_numbers_kr(m: bool) -> Case:
    """An enhet's account sheet in kr with numbers typed the way ledgers write them ("22000-", "-9 000 kr")."""
    s = Sheet("Fritidsgårdar")
    s.add(["Fritidsgårdar – budget 2024 (kr)"])
    s.add()
    plan = s.table(["Kontogrupp", "Budget 2024"], "kr", {1: ColumnPlan("amount", "budget", 2024)})
    g = s.add(["Intäkter"])
    plan.roles[g] = "group"
    rev = []
    for name, v in (("Entréavgifter", 48_000), ("Bidrag", 120_000)):
        r = s.add([name, v])
        plan.roles[r] = "revenue_item"
        rev.append(r)
    rs = s.sum_row("Summa intäkter", [1], rev, plan, "revenue_sum")
    g = s.add(["Kostnader"])
    plan.roles[g] = "group"
    cost = []
    for name, v in (("Personal", -612_000), ("Lokaler", -22_000), ("Material", -9_000), ("Övrigt", -31_000)):
        r = s.add([name, v])
        plan.roles[r] = "cost_item"
        cost.append(r)
    exp: list[Expect] = []
    if m:
        s.set(cost[1], 1, "22000-")
        s.set(cost[2], 1, "-9 000 kr")
        exp = [Expect("VP201", s.name, f"B{cost[1]}"), Expect("VP201", s.name, f"B{cost[2]}")]
    cs = s.sum_row("Summa kostnader", [1], cost, plan, "cost_sum")
    if m:
        exp.append(Expect("VP302", s.name, f"B{cs}", cause="*"))
    res = s.add(["Resultat", (f"=B{rs}+B{cs}", excel_sum([s.value(rs, 1), s.value(cs, 1)]))])
    plan.roles[res] = "result"
    plan.blocks[res] = [rs, cs]
    settings = own_settings("Mölndals stad", "Kultur- och fritidsnämnden", "kr", [Area(name="Fritidsgårdar")], {})
    return Case("", m, [s], settings, exp)


def uncalculated(m: bool) -> Case:
    """The seed's table with its sums as formulas; with mistakes it is saved by a program that does not calculate."""
    case = seed_mkr(False)
    case.calculated = not m
    if m:
        case.expected = [Expect("VP206", "Produktionsområden", "B14")]
    return case


def year_constant(m: bool) -> Case:
    """Net budget for three years; one year's total typed in where the others are formulas."""
    s = Sheet("Nettobudget")
    s.add(["Kommunstyrelsen – nettobudget (mkr)"])
    s.add()
    plan = s.table(
        ["Produktionsområde", "Budget 2023", "Budget 2024", "Plan 2025"],
        "mkr",
        {1: ColumnPlan("net", "budget", 2023), 2: ColumnPlan("net", "budget", 2024), 3: ColumnPlan("net", "budget", 2025)},
    )
    rows = []
    for name, (_r, _c, n) in LERUM_2024.items():
        r = s.add([name, LERUM_2023[name][2], n, round(n * 1.02, 1)])
        plan.roles[r] = "area"
        rows.append(r)
    typed = {2: excel_sum(s.value(r, 2) for r in rows)} if m else None
    total = s.sum_row("Totalt", [1, 2, 3], rows, plan, typed=typed)
    exp = [Expect("VP401", s.name, f"C{total}")] if m else []
    return Case("", m, [s], None, exp)


def sub_areas(m: bool) -> Case:
    """An area with its sub-areas (Lerum: Kommunledning och verksamhetsstöd)."""
    s = Sheet("Delområden")
    subs = dict(LERUM_SUB_2024)
    klv = ("Kommunledning och verksamhetsstöd", *[round(sum(v[i] for v in subs.values()), 1) for i in range(3)])
    if m:
        subs["HR"] = (2.3, -24.2, -19.9)
    data = {klv[0]: klv[1:], **subs}
    _plan, rows, _t = rcn_table(
        s, "Kommunledning och verksamhetsstöd – delområden 2024 (mkr)", "mkr", {2024: data}, label="Delområde", total=None
    )  # type: ignore[arg-type]
    for name in subs:
        _plan.roles[rows[name]] = "sub-area"
    exp = [Expect("VP301", s.name, f"D{rows['HR']}"), Expect("VP303", s.name, f"C{rows[klv[0]]}")] if m else []
    return Case("", m, [s], None, exp)


def two_tables(m: bool) -> Case:
    """Two tables on one sheet, 2023 above 2024."""
    s = Sheet("Budget")
    y23 = dict(LERUM_2023)
    y24 = {k: (r, c, round(r + c, 1)) for k, (r, c, _n) in LERUM_2024.items()}
    rcn_table(s, "Budget 2023 (mkr)", "mkr", {2023: y23})
    s.add()
    if m:
        y24["Vuxenutbildning "] = y24["Vuxenutbildning"]
    _p, rows, _t = rcn_table(s, "Budget 2024 (mkr)", "mkr", {2024: y24})
    exp = [Expect("VP103", s.name, f"A{rows['Vuxenutbildning ']}"), Expect("VP304", s.name, f"D{_t}")] if m else []
    return Case("", m, [s], None, exp)


def per_area_accounts(m: bool) -> Case:
    """A sheet per area with account groups (Summa intäkter, Summa kostnader, Resultat) and a summary in mkr."""
    from vpexcel.samples import ACCOUNTS_2024_TKR

    summary = Sheet("Sammanställning")
    summary.add(["Sammanställning budget 2024 (mkr)"])
    summary.add()
    summary.add(["", 2024, "", ""])
    splan = summary.table(
        ["Produktionsområde", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
        "mkr",
        {1: ColumnPlan("revenue", "budget", 2024), 2: ColumnPlan("cost", "budget", 2024), 3: ColumnPlan("net", "budget", 2024)},
    )
    sheets = [summary]
    rows = []
    exp: list[Expect] = []
    for area, (revenue, cost) in ACCOUNTS_2024_TKR.items():
        s = Sheet(area[:31])
        s.add([f"{area} – budget 2024 (tkr)"])
        s.add()
        plan = s.table(["Kontogrupp", "Budget 2024"], "tkr", {1: ColumnPlan("amount", "budget", 2024)})
        g = s.add(["Intäkter"])
        plan.roles[g] = "group"
        rv = []
        for k, v in revenue.items():
            r = s.add([k, v])
            plan.roles[r] = "revenue_item"
            rv.append(r)
        rs = s.sum_row("Summa intäkter", [1], rv, plan, "revenue_sum")
        g = s.add(["Kostnader"])
        plan.roles[g] = "group"
        cs_rows = []
        for k, v in cost.items():
            r = s.add([k, v])
            plan.roles[r] = "cost_item"
            cs_rows.append(r)
        cs = s.sum_row("Summa kostnader", [1], cs_rows, plan, "cost_sum")
        res = s.add(["Resultat", (f"=B{rs}+B{cs}", excel_sum([s.value(rs, 1), s.value(cs, 1)]))])
        plan.roles[res] = "result"
        plan.blocks[res] = [rs, cs]
        sheets.append(s)
        q = "'" + s.name + "'"
        line: list[object] = [area] + [(f"={q}!B{x}/1000", round(s.value(x, 1) / 1000, 6)) for x in (rs, cs, res)]
        r = summary.add(line)
        splan.roles[r] = "area"
        rows.append(r)
        if m and area == "Vuxenutbildning":
            summary.set(r, 3, -22.3)  # typed over the link, and wrong
            exp += [
                Expect("VP306", summary.name, f"D{r}"),
                Expect("VP401", summary.name, f"D{r}"),
                Expect("VP301", summary.name, f"D{r}"),
            ]
    total = summary.sum_row("Totalt", [1, 2, 3], rows, splan)
    if m:
        exp += [
            Expect("VP301", summary.name, f"D{total}", cause="*"),
            Expect("VP304", summary.name, f"D{total}", cause="*"),
            Expect("VP305", summary.name, f"D{total}", cause="*"),
        ]
    return Case("", m, sheets, None, exp)


def varav_notes(m: bool) -> Case:
    """Note rows ("varav ...") under areas and under the total (mkr)."""
    s = Sheet("Budget")
    exact = {k: (r, c, round(r + c, 1)) for k, (r, c, _n) in LERUM_2024.items()}
    plan, _rows, total = rcn_table(s, "Kommunstyrelsen 2024 (mkr)", "mkr", {2024: exact})
    assert total is not None
    n1 = s.add(["varav nämndinterna intäkter", 0.5])
    n2 = s.add(["därav lönekostnader", "", -96.4])
    plan.roles[n1] = plan.roles[n2] = "note"
    exp: list[Expect] = []
    if m:
        s.set(total, 2, -300.0)
        exp = [
            Expect("VP401", s.name, f"C{total}"),
            Expect("VP302", s.name, f"C{total}"),
            Expect("VP301", s.name, f"D{total}", cause=ref(s, total, 2)),
        ]
    return Case("", m, [s], None, exp)


def unread_sheet(m: bool) -> Case:
    """The seed's table beside a sheet of figures vpexcel does not understand (one VP106)."""
    case = seed_mkr(m)
    inv = Sheet("Investeringar")
    inv.add(["Investeringsprojekt"])
    inv.add(["Projekt", "2024", "2025", "2026"])
    for name, a, b, c in (
        ("Ny brandstation", 12.0, 30.5, 8.0),
        ("IT-plattform", 3.2, 2.1, 1.0),
        ("Gång- och cykelväg", 4.4, 0.0, 0.0),
    ):
        inv.add([name, a, b, c])
    case.sheets.append(inv)
    case.expected = [*case.expected, Expect("VP106", "Investeringar", None)]
    return case


def rcn_tkr_decimals(m: bool) -> Case:
    """Lerum's areas in whole tkr with the workbook's own settings in tkr, two budget years."""
    s = Sheet("Budget")
    y23 = {k: (r * 1000, c * 1000, round((r + c) * 1000)) for k, (r, c, _n) in LERUM_2023.items()}
    y24 = {k: (r * 1000, c * 1000, round((r + c) * 1000)) for k, (r, c, _n) in LERUM_2024.items()}
    frames = {2023: sum(v[2] for v in y23.values()), 2024: sum(v[2] for v in y24.values())}
    settings = own_settings("Lerums kommun", "Kommunstyrelsen", "tkr", [Area(name=k) for k in LERUM_2024], frames)
    if m:
        y23, y24 = ({("Vuxenutbilding" if k == "Vuxenutbildning" else k): v for k, v in y.items()} for y in (y23, y24))
    _p, rows, _total = rcn_table(s, "Kommunstyrelsen budget (tkr)", "tkr", {2023: y23, 2024: y24})
    exp = [Expect("VP102", s.name, f"A{rows['Vuxenutbilding']}"), Expect("VP101", s.name, "A4")] if m else []
    return Case("", m, [s], settings, exp)


def costs_positive_accounts(m: bool) -> Case:
    """A Kommun-Bas enhet sheet with costs shown positive and Verksamhetens nettokostnad = kostnader − intäkter."""
    s = Sheet("Enhet Norr")
    s.add(["Enhet Norr – budget 2024 (tkr)"])
    s.add()
    plan = s.table(["Konto", "Benämning", "Budget 2024"], "tkr", {2: ColumnPlan("amount", "budget", 2024)}, "costs_positive")
    revenue, cost = ENHETER["Enhet Norr"]
    rv = []
    for code, (name, v) in revenue.items():
        r = s.add([code, name, v])
        plan.roles[r] = "revenue_item"
        rv.append(r)
    rs = s.sum_row("Summa verksamhetens intäkter", [2], rv, plan, "revenue_sum", label_col=1)
    cr = []
    for i, (code, (name, v)) in enumerate(cost.items()):
        r = s.add([code, name, v if (m and i == 2) else -v])
        plan.roles[r] = "cost_item"
        cr.append(r)
    cs = s.sum_row("Summa verksamhetens kostnader", [2], cr, plan, "cost_sum", label_col=1)
    res = s.add(["", "Verksamhetens nettokostnad", (f"=C{cs}-C{rs}", excel_sum([s.value(cs, 2)]) - excel_sum([s.value(rs, 2)]))])
    plan.roles[res] = "result"
    plan.blocks[res] = [rs, cs]
    exp = [Expect("VP204", s.name, f"C{cr[2]}")] if m else []
    settings = own_settings("Ale kommun", "Socialnämnden", "tkr", [Area(name="Enhet Norr")], {})
    return Case("", m, [s], settings, exp)


LAYOUTS: dict[str, Callable[[bool], Case]] = {
    "seed_mkr": seed_mkr,
    "areas_tkr_own": areas_tkr_own,
    "areas_default_foreign": areas_default_foreign,
    "kommunbas_enheter": kommunbas_enheter,
    "konto_rows": konto_rows,
    "total_top_groups": total_top_groups,
    "measures_net": measures_net,
    "rcn_with_actuals": rcn_with_actuals,
    "costs_positive": costs_positive,
    "monthly": monthly,
    "text_numbers_kr": text_numbers_kr,
    "uncalculated": uncalculated,
    "year_constant": year_constant,
    "sub_areas": sub_areas,
    "two_tables": two_tables,
    "per_area_accounts": per_area_accounts,
    "varav_notes": varav_notes,
    "unread_sheet": unread_sheet,
    "rcn_tkr_decimals": rcn_tkr_decimals,
    "costs_positive_accounts": costs_positive_accounts,
}
