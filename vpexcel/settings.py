"""Settings: the board, its areas, the council's frames, the bridge and exemptions.

The embedded default is Lerums kommun's kommunstyrelse, budget 2024 (the seed).
A user overrides it with a sheet named "Inställningar" in the workbook or with a
settings file; both are read by :func:`settings_from_sheet`, which names the
sheet and cell of anything it cannot use.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from vpexcel.errors import InputError
from vpexcel.grid import SheetGrid, a1
from vpexcel.numbers import classify

SETTINGS_SHEET = "Inställningar"
Unit = Literal["mkr", "tkr", "kr"]
UNIT_FACTOR: dict[str, float] = {"kr": 1.0, "tkr": 1_000.0, "mkr": 1_000_000.0}


def normalize(text: str) -> str:
    """Fold a label for matching: case, dashes, blanks and trailing marks do not count."""
    s = text.casefold().replace("\u2013", "-").replace("\u2212", "-")
    s = re.sub(r"[\s\u00a0]+", " ", s).strip(" *:.")
    s = re.sub(r"\s*-\s*", "-", s)
    return s


class Area(BaseModel):
    """A produktionsområde, or a delområde when ``parent`` is set."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    parent: str | None = None

    def match_keys(self) -> list[str]:
        return [normalize(n) for n in [self.name, *self.aliases]]


class Frame(BaseModel):
    """The council's net frame (ram) for a year, in the settings' unit (negative = net cost)."""

    year: int = Field(ge=1900, le=2200)
    amount: float


class BridgeItem(BaseModel):
    """One item of the budget bridge; a positive amount increases the net cost."""

    from_year: int = Field(ge=1900, le=2200)
    to_year: int = Field(ge=1900, le=2200)
    text: str
    amount: float


class Exemption(BaseModel):
    """An "Undantag": a finding the user has decided to accept, with the reason."""

    code: str = Field(pattern=r"^VP\d{3}$")
    sheet: str | None = None
    cell: str | None = None
    reason: str = Field(min_length=1)

    @field_validator("code", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v

    def matches(self, code: str, sheet: str | None, cell: str | None) -> bool:
        if code != self.code:
            return False
        if self.sheet and (sheet is None or normalize(self.sheet) != normalize(sheet)):
            return False
        return not (self.cell and (cell is None or self.cell.replace("$", "").upper() != cell.upper()))


class AnsvarRule(BaseModel):
    """Which ansvar codes belong to an area: one code ("1010"), a range ("1100-1119") or a prefix ("139*")."""

    codes: str = Field(min_length=1)
    area: str = Field(min_length=1)

    @field_validator("codes")
    @classmethod
    def _shape(cls, v: str) -> str:
        v = v.strip()
        if not re.fullmatch(r"\w+|\w+\s*-\s*\w+|\w+\*", v):
            raise ValueError("skriv en kod (1010), ett intervall (1100-1119) eller ett prefix (139*)")
        return v.replace(" ", "")

    def matches(self, code: str) -> bool:
        if self.codes.endswith("*"):
            return code.startswith(self.codes[:-1])
        if "-" in self.codes:
            low, high = self.codes.split("-", 1)
            if low.isdigit() and high.isdigit() and code.isdigit() and len(low) == len(high) == len(code):
                return int(low) <= int(code) <= int(high)
            return low <= code <= high and len(code) == len(low)
        return code == self.codes


class LedgerSettings(BaseModel):
    """How the ledger export maps to the budget (Kommun-Bas defaults)."""

    ansvar: list[AnsvarRule] = Field(default_factory=list)
    revenue_classes: list[str] = Field(default_factory=lambda: ["3"])
    cost_classes: list[str] = Field(default_factory=lambda: ["4", "5", "6", "7"])
    internal_counterparts: list[str] = Field(default_factory=lambda: ["1", "2", "3", "4"])
    credit_negative: bool = True  # revenue is booked as credit (negative) in the ledger
    usage_margin: float = Field(default=0.20, ge=0, le=1)  # VP504: share of the year above the even pace

    def area_for(self, ansvar: str) -> str | None:
        return next((r.area for r in self.ansvar if r.matches(ansvar)), None)

    def account_kind(self, konto: str) -> str | None:
        """ "revenue", "cost" or None (left out: financial items, balance accounts)."""
        first = konto.strip()[:1]
        if first in self.revenue_classes:
            return "revenue"
        if first in self.cost_classes:
            return "cost"
        return None

    def is_internal(self, motpart: str) -> bool:
        code = motpart.strip()
        return bool(code) and any(code.startswith(p) for p in self.internal_counterparts)


Direction = Literal["ökande", "minskande", "bibehållen"]


class Indicator(BaseModel):
    """An indicator in the verksamhetsplan: from Kolada (``kpi``) or entered by hand (``values``)."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    kpi: str | None = None
    direction: Direction = "ökande"
    values: dict[int, float] = Field(default_factory=dict)

    def match_keys(self) -> list[str]:
        return [normalize(n) for n in [self.name, *self.aliases]]


class FinancialTarget(BaseModel):
    """A target of good financial management: value ``operator`` target, over ``years`` years' average."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    kpi: str
    operator: Literal[">", ">=", "<", "<="]
    target: float
    years: int = Field(default=1, ge=1, le=20)
    unit: str = ""

    def match_keys(self) -> list[str]:
        return [normalize(n) for n in [self.name, *self.aliases]]

    def met(self, value: float) -> bool:
        return {">": value > self.target, ">=": value >= self.target, "<": value < self.target, "<=": value <= self.target}[
            self.operator
        ]


class TableSpec(BaseModel):
    """One line of the "Tabeller" section: how a sheet's table is read, overriding detection.

    A line with ``header_row`` says where the table's header is; a line with ``column``
    says what that column is (``role``: intäkt, kostnad, netto, belopp; ``measure``:
    budget, utfall, prognos, avvikelse, helår, förändring; ``year``); ``sign`` says
    whether costs are shown negative or positive.
    """

    sheet: str = Field(min_length=1)
    header_row: int | None = Field(default=None, ge=1)
    column: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,3}$")
    role: Literal["intäkt", "kostnad", "netto", "belopp"] | None = None
    measure: Literal["budget", "utfall", "prognos", "avvikelse", "helår", "förändring"] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)
    sign: Literal["kostnader negativa", "kostnader positiva"] | None = None


class Settings(BaseModel):
    municipality: str = "Lerums kommun"
    board: str = "Kommunstyrelsen"
    budget_year: int = Field(default=2024, ge=1900, le=2200)
    unit: Unit = "mkr"
    rounding: float = Field(default=0.1, gt=0)
    areas: list[Area] = Field(default_factory=list)
    frames: list[Frame] = Field(default_factory=list)
    bridge: list[BridgeItem] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    ledger: LedgerSettings = Field(default_factory=LedgerSettings)
    municipality_code: str = "1441"
    indicators: list[Indicator] = Field(default_factory=list)
    targets: list[FinancialTarget] = Field(default_factory=list)
    # How a deviation (avvikelse) is signed in every report: by default a negative
    # deviation is an underskott (worse than budget), the common Swedish convention.
    deviation: Literal["negativ_underskott", "positiv_underskott"] = "negativ_underskott"
    # Tables described by the user where detection cannot tell (the optional "Tabeller" section).
    tables: list[TableSpec] = Field(default_factory=list)

    # --- lookups -----------------------------------------------------------
    def area_index(self) -> dict[str, Area]:
        index: dict[str, Area] = {}
        for area in self.areas:
            for key in area.match_keys():
                index.setdefault(key, area)
        return index

    def find_area(self, label: str) -> Area | None:
        return self.area_index().get(normalize(label))

    def find_area_for_sheet(self, sheet_name: str) -> Area | None:
        """The area a sheet is named after; Excel cuts sheet names at 31 characters."""
        key = normalize(sheet_name)
        found = self.area_index().get(key)
        if found or len(sheet_name) < 31:
            return found
        for k, area in self.area_index().items():
            if k.startswith(key):
                return area
        return None

    def suggest(self, label: str) -> str | None:
        names = {k: a.name for a in self.areas for k in a.match_keys()}
        hit = difflib.get_close_matches(normalize(label), list(names), n=1, cutoff=0.6)
        return names[hit[0]] if hit else None

    def top_level(self) -> list[Area]:
        return [a for a in self.areas if a.parent is None]

    def children(self, parent: Area) -> list[Area]:
        key = normalize(parent.name)
        return [a for a in self.areas if a.parent is not None and normalize(a.parent) == key]

    def frame(self, year: int) -> Frame | None:
        return next((f for f in self.frames if f.year == year), None)

    def bridge_between(self, from_year: int, to_year: int) -> list[BridgeItem]:
        return [b for b in self.bridge if b.from_year == from_year and b.to_year == to_year]

    def exemption_for(self, code: str, sheet: str | None, cell: str | None) -> Exemption | None:
        return next((e for e in self.exemptions if e.matches(code, sheet, cell)), None)


def default_settings() -> Settings:
    """Lerums kommun, kommunstyrelsen, budget 2024 in mkr (the seed's verksamhetsplan)."""
    klv = "Kommunledning och verksamhetsstöd"
    return Settings(
        areas=[
            Area(name="Politisk organisation"),
            Area(name="Kommundirektör"),
            Area(name=klv, aliases=["Kommunledning och verksamhetsstod", "KLV"]),
            Area(name="Ledning och internservice", parent=klv),
            Area(name="Utveckling och hållbarhet", parent=klv),
            Area(name="Ekonomi", parent=klv),
            Area(name="HR", parent=klv),
            Area(name="Vuxenutbildning"),
            Area(name="Stöd och utveckling"),
            Area(name="Samhällsplanering"),
            Area(name="Arbetsliv och stöd"),
            Area(name="Räddningstjänst"),
            Area(name="KS-reserv", aliases=["Kommunstyrelsens reserv", "KS reserv"]),
        ],
        frames=[Frame(year=2023, amount=-256.8), Frame(year=2024, amount=-253.2)],
        indicators=[
            Indicator(name="Hållbart medarbetarengagemang, HME", aliases=["HME", "medarbetarengagemang"], kpi="U00200"),
            Indicator(name="Sjukfrånvaro", aliases=["sjukfrånvaro samtlig", "sjukfrånvaro"], kpi="N00090", direction="minskande"),
            Indicator(
                name="Svenskt Näringslivs ranking",
                aliases=["svenskt näringslivs ranking", "företagsklimat", "näringslivsranking"],
                kpi="U40402",
                direction="minskande",
            ),
            Indicator(name="NKI företagare", aliases=["NKI", "insiktsmätning", "kundnöjdhet"], kpi="U07451"),
            Indicator(
                name="Öppna jämförelser, trygghet och säkerhet",
                aliases=["öppna jämförelser", "trygghet och säkerhet"],
                direction="bibehållen",
                values={2021: 16, 2022: 8},
            ),
            Indicator(
                name="Digital mognad (DIMIOS)",
                aliases=["DIMIOS", "digital mognad"],
                values={2021: 44.0, 2022: 47.1, 2023: 50.6},
            ),
        ],
        targets=[
            FinancialTarget(name="Soliditet", aliases=["soliditet"], kpi="N03106", operator=">", target=27.9, unit="%"),
            FinancialTarget(
                name="Skulder per invånare",
                aliases=["skulder per invånare", "skuld per invånare"],
                kpi="N03040",
                operator="<",
                target=104_620,
                unit="kr",
            ),
            FinancialTarget(
                name="Nettokostnadsandel",
                aliases=["nettokostnadsandel", "nettokostnadernas andel"],
                kpi="N03100",
                operator="<=",
                target=98.0,
                years=10,
                unit="%",
            ),
        ],
        ledger=LedgerSettings(
            ansvar=[
                AnsvarRule(codes="1000-1009", area="Politisk organisation"),
                AnsvarRule(codes="1010", area="Kommundirektör"),
                AnsvarRule(codes="1100-1119", area="Ledning och internservice"),
                AnsvarRule(codes="1120-1149", area="Utveckling och hållbarhet"),
                AnsvarRule(codes="1150-1169", area="Ekonomi"),
                AnsvarRule(codes="1170-1199", area="HR"),
                AnsvarRule(codes="1200-1249", area="Vuxenutbildning"),
                AnsvarRule(codes="1250-1269", area="Stöd och utveckling"),
                AnsvarRule(codes="1270-1279", area="Samhällsplanering"),
                AnsvarRule(codes="1280-1299", area="Arbetsliv och stöd"),
                AnsvarRule(codes="1300", area="Räddningstjänst"),
                AnsvarRule(codes="139*", area="KS-reserv"),
            ]
        ),
        bridge=[
            BridgeItem(from_year=2023, to_year=2024, text="Ökade priser och löner", amount=7.4),
            BridgeItem(from_year=2023, to_year=2024, text="Tillfälliga projekt 2023 som avslutas", amount=-7.0),
            BridgeItem(from_year=2023, to_year=2024, text="Riktade resurser 2024, digitalisering", amount=4.0),
            BridgeItem(
                from_year=2023,
                to_year=2024,
                text="Minskad reserv och justering mellan nämnder",
                amount=-8.05,
            ),
        ],
    )


# --- the settings sheet ------------------------------------------------------
SECTION_GENERAL = "Allmänt"
SECTION_AREAS = "Produktionsområden"
SECTION_FRAMES = "Ramar"
SECTION_BRIDGE = "Budgetbrygga"
SECTION_EXEMPTIONS = "Undantag"
SECTION_ANSVAR = "Ansvar"
SECTION_LEDGER = "Huvudbok"
SECTION_INDICATORS = "Indikatorer"
SECTION_TABLES = "Tabeller"

GENERAL_KEYS = {
    "kommun": "municipality",
    "nämnd": "board",
    "budgetår": "budget_year",
    "enhet": "unit",
    "avrundning": "rounding",
}
SECTION_HEADERS: dict[str, list[str]] = {
    SECTION_GENERAL: ["Inställning", "Värde"],
    SECTION_AREAS: ["Namn", "Alias (skilj med ;)", "Ingår i"],
    SECTION_FRAMES: ["År", "Ram (netto)"],
    SECTION_BRIDGE: ["Från år", "Till år", "Post", "Belopp (+ ökar nettokostnaden)"],
    SECTION_EXEMPTIONS: ["Kod", "Blad", "Cell", "Motivering"],
    SECTION_ANSVAR: ["Ansvar (kod, intervall 1100-1119 eller prefix 139*)", "Produktionsområde"],
    SECTION_LEDGER: ["Inställning", "Värde"],
    SECTION_INDICATORS: [
        "Indikator",
        "Kolada-id",
        "Förväntad riktning",
        "Värden som skrivs in (år=värde; ...)",
        "Alias (skilj med ;)",
    ],
}


SECTION_HEADERS[SECTION_TABLES] = ["Blad", "Rubrikrad", "Kolumn", "Roll", "Mått", "År", "Tecken"]  # optional


def settings_rows(settings: Settings) -> list[list[object]]:
    """The settings as rows of the "Inställningar" sheet (what ``vpexcel init`` writes)."""
    rows: list[list[Any]] = [
        [f"Inställningar för vpexcel: {settings.municipality}, {settings.board}"],
        ["Ändra värdena i tabellerna. En tom rad avslutar en tabell."],
        [],
        [SECTION_GENERAL],
        SECTION_HEADERS[SECTION_GENERAL],
        ["Kommun", settings.municipality],
        ["Nämnd", settings.board],
        ["Budgetår", settings.budget_year],
        ["Enhet", settings.unit],
        ["Avrundning", settings.rounding],
        [],
        [SECTION_AREAS],
        SECTION_HEADERS[SECTION_AREAS],
    ]
    rows += [[a.name, "; ".join(a.aliases), a.parent or ""] for a in settings.areas]
    rows += [[], [SECTION_FRAMES], SECTION_HEADERS[SECTION_FRAMES]]
    rows += [[f.year, f.amount] for f in settings.frames]
    rows += [[], [SECTION_BRIDGE], SECTION_HEADERS[SECTION_BRIDGE]]
    rows += [[b.from_year, b.to_year, b.text, b.amount] for b in settings.bridge]
    rows += [[], [SECTION_EXEMPTIONS], SECTION_HEADERS[SECTION_EXEMPTIONS]]
    rows += [[e.code, e.sheet or "", e.cell or "", e.reason] for e in settings.exemptions]
    rows += [[], [SECTION_ANSVAR], SECTION_HEADERS[SECTION_ANSVAR]]
    rows += [[r.codes, r.area] for r in settings.ledger.ansvar]
    led = settings.ledger
    rows += [[], [SECTION_LEDGER], SECTION_HEADERS[SECTION_LEDGER]]
    rows += [
        ["Intäktsklasser", ", ".join(led.revenue_classes)],
        ["Kostnadsklasser", ", ".join(led.cost_classes)],
        ["Interna motparter", ", ".join(led.internal_counterparts)],
        ["Intäkter i huvudboken", "negativa (kredit)" if led.credit_negative else "positiva"],
        ["Förbrukningsmarginal", led.usage_margin],
    ]
    rows += [[], [SECTION_INDICATORS], SECTION_HEADERS[SECTION_INDICATORS]]
    for ind in settings.indicators:
        manual = "; ".join(f"{y}={format_value(v)}" for y, v in sorted(ind.values.items()))
        rows.append([ind.name, ind.kpi or "", ind.direction, manual, "; ".join(ind.aliases)])
    return rows


def format_value(v: float) -> str:
    """A number as an economist types it: 47,1 (no trailing ,0)."""
    return (str(int(v)) if float(v).is_integer() else repr(float(v))).replace(".", ",")


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _number(sheet: SheetGrid, row: int, col: int, what: str) -> float:
    v = sheet.value(row, col)
    amount = classify(v)
    if amount.number is None:
        raise InputError(
            f"{sheet.name}!{a1(row, col)}: {what} ska vara ett tal men cellen innehåller "
            f"{_text(v)!r}. Skriv ett tal, till exempel -253,2."
        )
    return amount.number


def _year(sheet: SheetGrid, row: int, col: int) -> int:
    n = _number(sheet, row, col, "året")
    if not n.is_integer() or not 1900 <= n <= 2200:
        raise InputError(
            f"{sheet.name}!{a1(row, col)}: {_text(sheet.value(row, col))!r} är inget år. Skriv året med fyra siffror."
        )
    return int(n)


def _sections(sheet: SheetGrid) -> dict[str, tuple[int, list[int]]]:
    """Section title -> (title row, data rows) for the sheet's tables."""
    names = {normalize(k): k for k in SECTION_HEADERS}
    found: dict[str, tuple[int, list[int]]] = {}
    r = 0
    while r < sheet.height:
        label = sheet.value(r, 0)
        key = normalize(label) if isinstance(label, str) else ""
        if key in names and all(sheet.value(r, c) is None for c in range(1, 4)):
            data: list[int] = []
            rr = r + 2
            while rr < sheet.height and any(sheet.value(rr, c) is not None for c in range(0, 4)):
                data.append(rr)
                rr += 1
            found[names[key]] = (r, data)
            r = rr
        else:
            r += 1
    return found


def settings_from_sheet(sheet: SheetGrid, base: Settings | None = None) -> Settings:
    """Read an "Inställningar" sheet; a table left out keeps the base settings' value."""
    base = base or default_settings()
    data = base.model_dump()
    sections = _sections(sheet)
    if not sections:
        raise InputError(
            f"Bladet {sheet.name!r} har inga tabeller som vpexcel känner igen "
            f"({', '.join(SECTION_HEADERS)}). Skapa ett nytt med 'vpexcel init'."
        )
    if SECTION_GENERAL in sections:
        for r in sections[SECTION_GENERAL][1]:
            key = normalize(_text(sheet.value(r, 0)))
            if key not in GENERAL_KEYS:
                raise InputError(
                    f"{sheet.name}!{a1(r, 0)}: okänd inställning {_text(sheet.value(r, 0))!r}. "
                    f"Tillåtna är {', '.join(k.capitalize() for k in GENERAL_KEYS)}."
                )
            field = GENERAL_KEYS[key]
            if field == "budget_year":
                data[field] = _year(sheet, r, 1)
            elif field == "rounding":
                data[field] = _number(sheet, r, 1, "avrundningen")
            elif field == "unit":
                unit = _text(sheet.value(r, 1)).lower()
                if unit not in UNIT_FACTOR:
                    raise InputError(f"{sheet.name}!{a1(r, 1)}: enheten ska vara mkr, tkr eller kr, inte {unit!r}.")
                data[field] = unit
            else:
                data[field] = _text(sheet.value(r, 1))
    if SECTION_AREAS in sections:
        areas: list[dict[str, Any]] = []
        for r in sections[SECTION_AREAS][1]:
            name = _text(sheet.value(r, 0))
            if not name:
                raise InputError(f"{sheet.name}!{a1(r, 0)}: produktionsområdet saknar namn. Skriv namnet eller ta bort raden.")
            aliases = [s.strip() for s in _text(sheet.value(r, 1)).split(";") if s.strip()]
            areas.append({"name": name, "aliases": aliases, "parent": _text(sheet.value(r, 2)) or None})
        known = {normalize(a["name"]) for a in areas}
        for r, a in zip(sections[SECTION_AREAS][1], areas, strict=True):
            if a["parent"] and normalize(a["parent"]) not in known:
                raise InputError(
                    f"{sheet.name}!{a1(r, 2)}: {a['parent']!r} finns inte bland produktionsområdena. "
                    "Skriv namnet på ett område i tabellen eller lämna cellen tom."
                )
        data["areas"] = areas
    if SECTION_FRAMES in sections:
        data["frames"] = [
            {"year": _year(sheet, r, 0), "amount": _number(sheet, r, 1, "ramen")} for r in sections[SECTION_FRAMES][1]
        ]
    if SECTION_BRIDGE in sections:
        data["bridge"] = [
            {
                "from_year": _year(sheet, r, 0),
                "to_year": _year(sheet, r, 1),
                "text": _text(sheet.value(r, 2)),
                "amount": _number(sheet, r, 3, "beloppet"),
            }
            for r in sections[SECTION_BRIDGE][1]
        ]
    if SECTION_EXEMPTIONS in sections:
        exemptions = []
        for r in sections[SECTION_EXEMPTIONS][1]:
            code = _text(sheet.value(r, 0)).upper()
            if not re.fullmatch(r"VP\d{3}", code):
                raise InputError(f"{sheet.name}!{a1(r, 0)}: {code!r} är ingen regelkod. Skriv en kod som VP201.")
            reason = _text(sheet.value(r, 3))
            if not reason:
                raise InputError(
                    f"{sheet.name}!{a1(r, 3)}: undantaget för {code} saknar motivering. Skriv varför det är godtaget."
                )
            exemptions.append(
                {
                    "code": code,
                    "sheet": _text(sheet.value(r, 1)) or None,
                    "cell": _text(sheet.value(r, 2)) or None,
                    "reason": reason,
                }
            )
        data["exemptions"] = exemptions
    if SECTION_ANSVAR in sections:
        rules = []
        for r in sections[SECTION_ANSVAR][1]:
            codes, area = _text(sheet.value(r, 0)), _text(sheet.value(r, 1))
            if not area:
                raise InputError(f"{sheet.name}!{a1(r, 1)}: ansvar {codes!r} saknar produktionsområde. Skriv områdets namn.")
            if not re.fullmatch(r"\w+|\w+\s*-\s*\w+|\w+\*", codes):
                raise InputError(
                    f"{sheet.name}!{a1(r, 0)}: {codes!r} går inte att läsa som ansvar. "
                    "Skriv en kod (1010), ett intervall (1100-1119) eller ett prefix (139*)."
                )
            rules.append({"codes": codes, "area": area})
        data["ledger"]["ansvar"] = rules
    if SECTION_LEDGER in sections:
        keys = {
            "intäktsklasser": "revenue_classes",
            "kostnadsklasser": "cost_classes",
            "interna motparter": "internal_counterparts",
            "intäkter i huvudboken": "credit_negative",
            "förbrukningsmarginal": "usage_margin",
        }
        for r in sections[SECTION_LEDGER][1]:
            key = normalize(_text(sheet.value(r, 0)))
            if key not in keys:
                raise InputError(
                    f"{sheet.name}!{a1(r, 0)}: okänd inställning {_text(sheet.value(r, 0))!r}. "
                    f"Tillåtna är {', '.join(k.capitalize() for k in keys)}."
                )
            field, value = keys[key], _text(sheet.value(r, 1))
            if field == "credit_negative":
                data["ledger"][field] = not value.lower().startswith("pos")
            elif field == "usage_margin":
                data["ledger"][field] = _number(sheet, r, 1, "marginalen")
            else:
                data["ledger"][field] = [p.strip() for p in re.split(r"[,;\s]+", value) if p.strip()]
    if SECTION_INDICATORS in sections:
        indicators = []
        for r in sections[SECTION_INDICATORS][1]:
            name = _text(sheet.value(r, 0))
            if not name:
                raise InputError(f"{sheet.name}!{a1(r, 0)}: indikatorn saknar namn. Skriv namnet eller ta bort raden.")
            direction = normalize(_text(sheet.value(r, 2))) or "ökande"
            if direction not in ("ökande", "minskande", "bibehållen"):
                raise InputError(
                    f"{sheet.name}!{a1(r, 2)}: riktningen ska vara ökande, minskande eller bibehållen, inte {direction!r}."
                )
            values: dict[int, float] = {}
            for part in [p.strip() for p in _text(sheet.value(r, 3)).split(";") if p.strip()]:
                m = re.fullmatch(r"((?:19|20)\d{2})\s*=\s*(.+)", part)
                number = classify(m.group(2)).number if m else None
                if m is None or number is None:
                    raise InputError(
                        f"{sheet.name}!{a1(r, 3)}: {part!r} går inte att läsa. Skriv år och värde, till exempel 2024=52,3; 2023=50,6."
                    )
                values[int(m.group(1))] = number
            aliases = [s.strip() for s in _text(sheet.value(r, 4)).split(";") if s.strip()]
            indicators.append(
                {
                    "name": name,
                    "kpi": _text(sheet.value(r, 1)) or None,
                    "direction": direction,
                    "values": values,
                    "aliases": aliases,
                }
            )
        data["indicators"] = indicators
    if SECTION_TABLES in sections:
        data["tables"] = [_table_spec(sheet, r) for r in sections[SECTION_TABLES][1]]
    return validated(data, f"bladet {sheet.name!r}")


def _table_spec(sheet: SheetGrid, r: int) -> dict[str, Any]:
    """One line of the "Tabeller" section, with the cell of anything it cannot use."""
    name = _text(sheet.value(r, 0))
    if not name:
        raise InputError(f"{sheet.name}!{a1(r, 0)}: raden i Tabeller saknar blad. Skriv bladets namn eller ta bort raden.")
    spec: dict[str, Any] = {"sheet": name}
    if sheet.value(r, 1) is not None:
        n = _number(sheet, r, 1, "rubrikraden")
        if not n.is_integer() or n < 1:
            raise InputError(f"{sheet.name}!{a1(r, 1)}: rubrikraden ska vara ett radnummer, till exempel 3.")
        spec["header_row"] = int(n)
    choices = {
        3: ("role", ("intäkt", "kostnad", "netto", "belopp")),
        4: ("measure", ("budget", "utfall", "prognos", "avvikelse", "helår", "förändring")),
        6: ("sign", ("kostnader negativa", "kostnader positiva")),
    }
    for col, (field, allowed) in choices.items():
        text = normalize(_text(sheet.value(r, col)))
        if text:
            if text not in allowed:
                raise InputError(f"{sheet.name}!{a1(r, col)}: {text!r} går inte att använda. Skriv {', '.join(allowed)}.")
            spec[field] = text
    column = _text(sheet.value(r, 2))
    if column:
        if not re.fullmatch(r"[A-Za-z]{1,3}", column):
            raise InputError(f"{sheet.name}!{a1(r, 2)}: {column!r} är ingen kolumn. Skriv kolumnens bokstav, till exempel C.")
        spec["column"] = column.upper()
    if sheet.value(r, 5) is not None:
        spec["year"] = _year(sheet, r, 5)
    return spec


def validated(data: object, where: str) -> Settings:
    """Build Settings, turning pydantic's complaint into a Swedish sentence."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"Inställningarna i {where} går inte att använda: fältet {loc} är fel ({first['msg']}). Rätta värdet och försök igen."
        ) from None
