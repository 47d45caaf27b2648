"""Settings: the board, its areas, the council's frames, the bridge and exemptions.

The embedded default is Lerums kommun's kommunstyrelse, budget 2024 (the seed).
A user overrides it with a sheet named "Inställningar" in the workbook or with a
settings file; both are read by :func:`settings_from_sheet`, which names the
sheet and cell of anything it cannot use.
"""

from __future__ import annotations

import math
import re
import weakref
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from vpexcel.errors import InputError
from vpexcel.grid import SheetGrid, WorkbookGrid, a1, column_index
from vpexcel.numbers import UNIT_FACTOR, classify, format_time_sv

if TYPE_CHECKING:
    from vpexcel.areas import AreaIndex

SETTINGS_SHEET = "Inställningar"
Unit = Literal["mkr", "tkr", "kr"]

# Every number in the settings is finite (no inf or NaN from JSON or a sheet) and bounded:
# a setting must never be able to switch a check off (a rounding of 1e300 hid every sum).
STRICT_NUMBERS = ConfigDict(allow_inf_nan=False)
MAX_ROUNDING = 10.0  # units of the settings' unit; the default is 0.1
MAX_AMOUNT = 1e15  # any amount or target, in any unit
Amount = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
MAX_AREAS = 2_000  # a board has tens of areas; a whole municipality's ansvar tree a few hundred
MAX_ROWS = 10_000  # any other table of the settings (frames, bridge, exemptions, ansvar, indicators)


_BLANKS = re.compile(r"[\s\u00a0]+")
_DASH = re.compile(r"\s*-\s*")
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def normalize(text: str) -> str:
    """Fold a label for matching: case, dashes, blanks and trailing marks do not count."""
    s = text.casefold().replace("\u2013", "-").replace("\u2212", "-")
    if _INVISIBLE_RE.search(s):
        s = _INVISIBLE_RE.sub("", s)  # a soft hyphen or zero-width character Excel does not show
    s = _BLANKS.sub(" ", s).strip(" *:.")
    if "-" in s:
        s = _DASH.sub("-", s)
    return s


class Area(BaseModel):
    """A produktionsområde, or a delområde when ``parent`` is set."""

    model_config = STRICT_NUMBERS

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    parent: str | None = None

    def match_keys(self) -> list[str]:
        return [normalize(n) for n in [self.name, *self.aliases]]


class Frame(BaseModel):
    """The council's net frame (ram) for a year, in the settings' unit (negative = net cost)."""

    model_config = STRICT_NUMBERS

    year: int = Field(ge=1900, le=2200)
    amount: Amount


class BridgeItem(BaseModel):
    """One item of the budget bridge; a positive amount increases the net cost."""

    model_config = STRICT_NUMBERS

    from_year: int = Field(ge=1900, le=2200)
    to_year: int = Field(ge=1900, le=2200)
    text: str
    amount: Amount


class Exemption(BaseModel):
    """An "Undantag": a finding the user has decided to accept, with the reason."""

    model_config = STRICT_NUMBERS

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

    model_config = STRICT_NUMBERS

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
            if low.isdecimal() and high.isdecimal() and code.isdecimal() and len(low) == len(high) == len(code):
                return int(low) <= int(code) <= int(high)
            return low <= code <= high and len(code) == len(low)
        return code == self.codes


EVEN_KEY = "jämn"
LAST_YEAR_KEY = "fjolårets utfall"


class PeriodKey(BaseModel):
    """A periodiseringsnyckel: for an area (None: every area) and account classes (empty: revenue and cost),
    spread the year's budget evenly, by a named monthly profile, or by last year's monthly actuals."""

    area: str | None = None
    classes: list[str] = Field(default_factory=list)
    key: str = EVEN_KEY

    @field_validator("key")
    @classmethod
    def _key_name(cls, v: str) -> str:
        v = v.strip()
        folded = normalize(v)
        if folded in ("jämn", "jämnt", "even"):
            return EVEN_KEY
        if folded in ("fjolårets utfall", "fjolår", "förra årets utfall", "last_year"):
            return LAST_YEAR_KEY
        return v

    @field_validator("classes", mode="before")
    @classmethod
    def _class_list(cls, v: object) -> object:
        return class_list(v) if isinstance(v, str) else v


def class_list(text: str) -> list[str]:
    """Account classes as typed: "3", "4-7", "5, 6"; ValueError in Swedish for anything else."""
    out: list[str] = []
    for part in [p.strip() for p in re.split(r"[,;]", text) if p.strip()]:
        m = re.fullmatch(r"(\d)\s*[-\u2013]\s*(\d)", part)
        if m and m.group(1) <= m.group(2):
            out += [str(d) for d in range(int(m.group(1)), int(m.group(2)) + 1)]
        elif re.fullmatch(r"\d", part):
            out.append(part)
        else:
            raise ValueError(f"{part!r} är ingen kontoklass; skriv en siffra (5) eller ett intervall (4-7)")
    return out


class LedgerSettings(BaseModel):
    """How the ledger export maps to the budget (Kommun-Bas defaults)."""

    model_config = STRICT_NUMBERS

    ansvar: list[AnsvarRule] = Field(default_factory=list, max_length=MAX_ROWS)
    revenue_classes: list[str] = Field(default_factory=lambda: ["3"])
    cost_classes: list[str] = Field(default_factory=lambda: ["4", "5", "6", "7"])
    internal_counterparts: list[str] = Field(default_factory=lambda: ["1", "2", "3", "4"])
    credit_negative: bool = True  # revenue is booked as credit (negative) in the ledger
    usage_margin: float = Field(default=0.20, ge=0, le=1)  # VP504: share of the year above the even pace
    # which export column is which, on top of the names the systems use ("Kolumner")
    columns: dict[str, str] = Field(default_factory=dict)
    # how the year's budget is spread over the months ("Periodiseringsnycklar", "Periodisering")
    keys: list[PeriodKey] = Field(default_factory=list)
    profiles: dict[str, list[float]] = Field(default_factory=dict)

    @field_validator("columns", mode="before")
    @classmethod
    def _column_roles(cls, v: object) -> object:
        return column_roles(v) if isinstance(v, dict) else v

    @field_validator("profiles")
    @classmethod
    def _twelve_shares(cls, v: dict[str, list[float]]) -> dict[str, list[float]]:
        for name, shares in v.items():
            if len(shares) != 12 or any(not math.isfinite(x) or x < 0 for x in shares) or not sum(shares) > 0:
                raise ValueError(f"profilen {name!r} ska ha tolv andelar, inga negativa, som inte alla är noll")
        return v

    @model_validator(mode="after")
    def _known_profiles(self) -> LedgerSettings:
        names = {normalize(n) for n in self.profiles}
        for k in self.keys:
            if k.key not in (EVEN_KEY, LAST_YEAR_KEY) and normalize(k.key) not in names:
                raise ValueError(f"nyckeln {k.key!r} är varken jämn, fjolårets utfall eller en profil under profiles")
        return self

    def profile(self, name: str) -> list[float] | None:
        return next((v for k, v in self.profiles.items() if normalize(k) == normalize(name)), None)

    def key_for(self, area: str, side: str) -> PeriodKey | None:
        """The periodisation key for an area's revenue or cost side: area and class before area before class."""
        best: tuple[int, PeriodKey] | None = None
        for k in self.keys:
            if k.area is not None and normalize(k.area) != normalize(area):
                continue
            if k.classes and side not in self.sides(k.classes):
                continue
            rank = (2 if k.area is not None else 0) + (1 if k.classes else 0)
            if best is None or rank > best[0]:
                best = (rank, k)
        return best[1] if best else None

    def sides(self, classes: list[str]) -> set[str]:
        return {kind for c in classes if (kind := self.account_kind(c))}

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

    model_config = STRICT_NUMBERS

    name: str
    aliases: list[str] = Field(default_factory=list)
    kpi: str | None = None
    direction: Direction = "ökande"
    values: dict[int, Amount] = Field(default_factory=dict)

    def match_keys(self) -> list[str]:
        return [normalize(n) for n in [self.name, *self.aliases]]


class FinancialTarget(BaseModel):
    """A target of good financial management: value ``operator`` target, over ``years`` years' average."""

    model_config = STRICT_NUMBERS

    name: str
    aliases: list[str] = Field(default_factory=list)
    kpi: str
    operator: Literal[">", ">=", "<", "<="]
    target: Amount
    years: int = Field(default=1, ge=1, le=20)
    unit: str = ""

    def match_keys(self) -> list[str]:
        return [normalize(n) for n in [self.name, *self.aliases]]

    def met(self, value: float) -> bool:
        return {">": value > self.target, ">=": value >= self.target, "<": value < self.target, "<=": value <= self.target}[
            self.operator
        ]


_SIDE: dict[int, dict[str, Any]] = {}  # id(settings) -> its lookups (Settings._cached), removed with the settings


class HistorySettings(BaseModel):
    """Where the board's history of runs is kept (see vpexcel.io.history_db); on by default."""

    enabled: bool = True
    file: str | None = None  # default: vpexcel-historik.sqlite beside the budget workbook; relative to its folder


class TableSpec(BaseModel):
    """One line of the "Tabeller" section: how a sheet's table is read, overriding detection.

    A line with ``header_row`` says where the table's header is; a line with ``column``
    says what that column is (``role``: intäkt, kostnad, netto, belopp, or område / konto for the column of
    names, whose rows are then areas / accounts; ``measure``:
    budget, utfall, prognos, avvikelse, helår, förändring; ``year``); ``sign`` says
    whether costs are shown negative or positive.
    """

    sheet: str = Field(min_length=1)
    header_row: int | None = Field(default=None, ge=1)
    column: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,3}$")
    role: Literal["intäkt", "kostnad", "netto", "belopp", "område", "konto"] | None = None  # område/konto: the names
    measure: Literal["budget", "utfall", "prognos", "avvikelse", "helår", "förändring"] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)
    sign: Literal["kostnader negativa", "kostnader positiva"] | None = None


class Settings(BaseModel):
    model_config = STRICT_NUMBERS
    municipality: str = "Lerums kommun"
    board: str = "Kommunstyrelsen"
    budget_year: int = Field(default=2024, ge=1900, le=2200)
    unit: Unit = "mkr"
    rounding: float = Field(default=0.1, gt=0, le=MAX_ROUNDING)
    areas: list[Area] = Field(default_factory=list, max_length=MAX_AREAS)
    frames: list[Frame] = Field(default_factory=list, max_length=MAX_ROWS)
    bridge: list[BridgeItem] = Field(default_factory=list, max_length=MAX_ROWS)
    exemptions: list[Exemption] = Field(default_factory=list, max_length=MAX_ROWS)
    ledger: LedgerSettings = Field(default_factory=LedgerSettings)
    municipality_code: str = "1441"
    indicators: list[Indicator] = Field(default_factory=list, max_length=MAX_ROWS)
    targets: list[FinancialTarget] = Field(default_factory=list, max_length=MAX_ROWS)
    # How a deviation (avvikelse) is signed in every report: by default a negative
    # deviation is an underskott (worse than budget), the common Swedish convention.
    deviation: Literal["negativ_underskott", "positiv_underskott"] = "negativ_underskott"
    history: HistorySettings = Field(default_factory=HistorySettings)

    def _cached(self, what: str, build: Any) -> Any:
        """A lookup built once per list of areas (a check asks per row and per area: rebuilt each time, settings
        with many areas were quadratic). Kept beside the settings, not in them, so two equal settings stay
        equal, and dropped with them; assigning or appending to ``areas`` builds it afresh."""
        side = _SIDE.get(id(self))
        if side is None:
            side = _SIDE[id(self)] = {}
            weakref.finalize(self, _SIDE.pop, id(self), None)
        hit = side.get(what)
        if hit is None or hit[0] is not self.areas or hit[1] != len(self.areas):
            hit = side[what] = (self.areas, len(self.areas), build())
        return hit[2]

    # Tables described by the user where detection cannot tell (the optional "Tabeller" section).
    tables: list[TableSpec] = Field(default_factory=list)

    # --- lookups -----------------------------------------------------------
    def matcher(self) -> AreaIndex:
        """The one area matcher (``vpexcel.areas``), built once for these settings' areas."""
        from vpexcel.areas import AreaIndex

        return self._cached("matcher", lambda: AreaIndex(self.areas))

    def find_area(self, label: str) -> Area | None:
        """The area a label names, also when written "Räddningstjänsten", "Kommunledning & verksamhetsstöd"."""
        return self.matcher().find(label)

    def find_area_for_sheet(self, sheet_name: str) -> Area | None:
        """The area a sheet is named after; Excel cuts sheet names at 31 characters."""
        return self.matcher().find_for_sheet(sheet_name)

    def suggest(self, label: str) -> str | None:
        """The area a label most likely means, for a "Menar du …?"; None when nothing is close."""
        return self.matcher().suggest(label)

    def top_level(self) -> list[Area]:
        return [a for a in self.areas if a.parent is None]

    def children(self, parent: Area) -> list[Area]:
        def build() -> dict[str, list[Area]]:
            by_parent: dict[str, list[Area]] = {}
            for a in self.areas:
                if a.parent is not None:
                    by_parent.setdefault(normalize(a.parent), []).append(a)
            return by_parent

        return list(self._cached("children", build).get(normalize(parent.name), []))

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
SECTION_DEVIATION = "Avvikelse"
DEVIATION_KEY = "Ett underskott visas som"
DEVIATION_WORDS = {"negativ_underskott": "negativt tal", "positiv_underskott": "positivt tal"}
SECTION_TABLES = "Tabeller"
EXCEL_ROWS = 1_048_576  # the most rows and columns (XFD) a sheet can have
EXCEL_COLUMNS = 16_384

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
    SECTION_DEVIATION: ["Inställning", "Värde (negativt tal eller positivt tal)"],
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
    rows += ledger_extra_rows(settings)
    rows += [[], [SECTION_DEVIATION], SECTION_HEADERS[SECTION_DEVIATION]]
    rows.append([DEVIATION_KEY, DEVIATION_WORDS[settings.deviation]])
    rows += history_rows(settings)
    return rows


def format_value(v: float) -> str:
    """A number as an economist types it: 47,1 (no trailing ,0)."""
    return (str(int(v)) if float(v).is_integer() else repr(float(v))).replace(".", ",")


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return (format_time_sv(v) or str(v)).strip()  # a time cell reads "12:24", not "12:24:00" or "PT12H24M"


def _number(sheet: SheetGrid, row: int, col: int, what: str) -> float:
    v = sheet.value(row, col)
    amount = classify(v)
    if amount.number is None:
        raise InputError(
            f"{sheet.name}!{a1(row, col)}: {what} ska vara ett tal men cellen innehåller "
            f"{_text(v)!r}. Skriv ett tal, till exempel -253,2."
        )
    if not math.isfinite(amount.number) or abs(amount.number) > MAX_AMOUNT:
        raise InputError(
            f"{sheet.name}!{a1(row, col)}: {what} är {_text(v)!r}, vilket inte är ett rimligt tal. Skriv ett vanligt tal."
        )
    return amount.number


def _number_between(sheet: SheetGrid, row: int, col: int, what: str, low: float, high: float) -> float:
    """A number with ``low < n <= high``, or an InputError naming the cell."""
    n = _number(sheet, row, col, what)
    if not low < n <= high:
        raise InputError(
            f"{sheet.name}!{a1(row, col)}: {what} ska vara större än {format_value(low)} och högst "
            f"{format_value(high)}, inte {format_value(n)}. Rätta värdet."
        )
    return n


def _year(sheet: SheetGrid, row: int, col: int) -> int:
    n = classify(sheet.value(row, col)).number
    if n is None or not n.is_integer() or not 1900 <= n <= 2200:
        raise InputError(
            f"{sheet.name}!{a1(row, col)}: {_text(sheet.value(row, col))!r} är inget år. Skriv året med fyra siffror."
        )
    return int(n)


def _sections(sheet: SheetGrid) -> dict[str, tuple[int, list[int]]]:
    """Section title -> (title row, data rows) for the sheet's tables."""
    names = {normalize(k): k for k in SECTION_HEADERS}

    def title(r: int) -> str | None:
        """The table whose title stands on row ``r``: its name alone on the row, its heading row below it."""
        label = sheet.value(r, 0)
        key = normalize(label) if isinstance(label, str) else ""
        if key not in names or any(sheet.value(r, c) not in (None, "") for c in range(1, 4)):
            return None
        heading = sheet.value(r + 1, 0)
        first = SECTION_HEADERS[names[key]][0]
        # "Ansvar" is a table's title and a line of the Kolumner table: only the title has its heading below
        return names[key] if isinstance(heading, str) and normalize(heading) == normalize(first) else None

    found: dict[str, tuple[int, list[int]]] = {}
    r = 0
    while r < sheet.height:
        name = title(r)
        if name is None:
            r += 1
            continue
        # a table's rows run to the next table's title: a row typed into the blank line before it, or
        # a blank line inside the table, neither ends the table early nor runs into the next one
        data: list[int] = []
        rr = r + 2
        while rr < sheet.height and title(rr) is None:
            if any(sheet.value(rr, c) is not None and sheet.value(rr, c) != "" for c in range(0, 4)):
                data.append(rr)
            rr += 1
        found[name] = (r, data)
        r = rr
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
                data[field] = _number_between(sheet, r, 1, "avrundningen", 0.0, MAX_ROUNDING)
            elif field == "unit":
                unit = _text(sheet.value(r, 1)).lower()
                if unit not in UNIT_FACTOR:
                    raise InputError(f"{sheet.name}!{a1(r, 1)}: enheten ska vara mkr, tkr eller kr, inte {unit!r}.")
                data[field] = unit
            else:
                data[field] = _text(sheet.value(r, 1))
    for title, (_, rows) in sections.items():
        limit = MAX_AREAS if title == SECTION_AREAS else MAX_ROWS
        if len(rows) > limit:
            raise InputError(
                f"{sheet.name}!{a1(rows[limit], 0)}: tabellen {title} har fler än {limit} rader, vilket inte är rimligt. "
                "Ta bort raderna som inte hör dit."
            )
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
                if not 0 <= data["ledger"][field] <= 1:
                    raise InputError(
                        f"{sheet.name}!{a1(r, 1)}: marginalen ska vara mellan 0 och 1 (till exempel 0,2 för 20 %), "
                        f"inte {_text(sheet.value(r, 1))!r}."
                    )
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
                if m is None or number is None or not math.isfinite(number) or abs(number) > MAX_AMOUNT:
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
    read_ledger_sections(sheet, sections, data)
    if SECTION_DEVIATION in sections:
        data["deviation"] = _deviation(sheet, sections[SECTION_DEVIATION][1])
    _history_section(sheet, sections, data)
    if SECTION_TABLES in sections:
        data["tables"] = [_table_spec(sheet, r) for r in sections[SECTION_TABLES][1]]
    return validated(data, f"bladet {sheet.name!r}")


def _deviation(sheet: SheetGrid, rows: list[int]) -> str:
    """The "Avvikelse" section: is an underskott shown as a negative or a positive deviation."""
    found = "negativ_underskott"
    for r in rows:
        key = normalize(_text(sheet.value(r, 0)))
        if key != normalize(DEVIATION_KEY):
            raise InputError(
                f"{sheet.name}!{a1(r, 0)}: okänd inställning {_text(sheet.value(r, 0))!r}. Tillåten är {DEVIATION_KEY}."
            )
        value = normalize(_text(sheet.value(r, 1)))
        if value.startswith("neg"):
            found = "negativ_underskott"
        elif value.startswith("pos"):
            found = "positiv_underskott"
        else:
            raise InputError(
                f"{sheet.name}!{a1(r, 1)}: skriv 'negativt tal' eller 'positivt tal' (hur ett underskott visas), "
                f"inte {_text(sheet.value(r, 1))!r}."
            )
    return found


def _table_spec(sheet: SheetGrid, r: int) -> dict[str, Any]:
    """One line of the "Tabeller" section, with the cell of anything it cannot use."""
    name = _text(sheet.value(r, 0))
    if not name:
        raise InputError(f"{sheet.name}!{a1(r, 0)}: raden i Tabeller saknar blad. Skriv bladets namn eller ta bort raden.")
    spec: dict[str, Any] = {"sheet": name}
    if sheet.value(r, 1) is not None:
        n = classify(sheet.value(r, 1)).number
        if n is None or not n.is_integer() or not 1 <= n <= EXCEL_ROWS:
            raise InputError(
                f"{sheet.name}!{a1(r, 1)}: rubrikraden ska vara ett radnummer, till exempel 3, "
                f"inte {_text(sheet.value(r, 1))!r}. Skriv numret på raden där tabellens rubriker står."
            )
        spec["header_row"] = int(n)
    choices = {
        3: ("role", ("intäkt", "kostnad", "netto", "belopp", "område", "konto")),
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
        if not re.fullmatch(r"[A-Za-z]{1,3}", column) or column_index(column) >= EXCEL_COLUMNS:
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
        loc = ".".join(str(p) for p in first["loc"]) or "(hela filen)"
        raise InputError(
            f"Inställningarna i {where} går inte att använda: fältet {loc} {_problem_sv(first)}. Rätta värdet och försök igen."
        ) from None
    except RecursionError:
        raise InputError(f"Inställningarna i {where} är orimligt djupt nästlade. Skapa en ny fil med 'vpexcel init'.") from None


def _problem_sv(error: Any) -> str:
    """What pydantic found wrong, in Swedish (its own message is English)."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    bounds = {
        "greater_than": "ska vara större än {gt}",
        "greater_than_equal": "ska vara minst {ge}",
        "less_than": "ska vara mindre än {lt}",
        "less_than_equal": "får vara högst {le}",
        "finite_number": "ska vara ett ändligt tal (inte inf eller NaN)",
        "missing": "saknas",
        "string_too_short": "får inte vara tomt",
        "string_pattern_mismatch": "har fel form",
        "literal_error": "ska vara ett av {expected}",
        "int_parsing": "ska vara ett heltal",
        "int_type": "ska vara ett heltal",
        "int_from_float": "ska vara ett heltal",
        "float_parsing": "ska vara ett tal",
        "float_type": "ska vara ett tal",
        "bool_parsing": "ska vara true eller false",
        "bool_type": "ska vara true eller false",
        "string_type": "ska vara en text",
        "list_type": "ska vara en lista",
        "dict_type": "ska vara ett objekt med fält",
        "model_type": "ska vara ett objekt med fält",
        "model_attributes_type": "ska vara ett objekt med fält",
        "extra_forbidden": "är okänt",
        "too_long": "får ha högst {max_length} rader",
    }
    if kind == "value_error" and "error" in ctx:
        return f"är fel: {ctx['error']}"  # our own validators speak Swedish
    text = bounds.get(kind, "har ett värde som inte går att använda")
    try:
        return text.format(**{k: _sv_value(v) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return bounds.get(kind, "har ett värde som inte går att använda").split("{")[0].strip()


def _sv_value(v: object) -> str:
    if isinstance(v, float):
        return format_value(v)
    return str(v).replace("'", "").replace(" or ", " eller ")


# --- ledger columns and periodisation keys (issue 12) --------------------------------
SECTION_COLUMNS = "Kolumner"
SECTION_PROFILES = "Periodisering"
SECTION_KEYS = "Periodiseringsnycklar"
MONTH_ABBR_SV = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
SECTION_HEADERS[SECTION_COLUMNS] = ["Fält", "Kolumnens namn i huvudboksexporten"]
SECTION_HEADERS[SECTION_PROFILES] = ["Profil", *MONTH_ABBR_SV]
SECTION_HEADERS[SECTION_KEYS] = [
    "Produktionsområde (tomt: alla)",
    "Kontoklasser (tomt: alla; 3 eller 4-7)",
    "Nyckel (jämn, fjolårets utfall eller en profil)",
]
# ledger field -> its Swedish name in the Kolumner table
COLUMN_FIELDS_SV = {
    "period": "Period",
    "ansvar": "Ansvar",
    "konto": "Konto",
    "motpart": "Motpart",
    "amount": "Belopp",
    "text": "Text",
    "verksamhet": "Verksamhet",
    "projekt": "Projekt",
    "aktivitet": "Aktivitet",
    "objekt": "Objekt",
    "budget": "Budget",
    "kind": "Beloppstyp",
}


def column_roles(mapping: dict[Any, Any]) -> dict[str, str]:
    """A Kolumner mapping with Swedish or English field names -> ledger field -> export column name."""
    by_name = {normalize(sv): field for field, sv in COLUMN_FIELDS_SV.items()} | {f: f for f in COLUMN_FIELDS_SV}
    out: dict[str, str] = {}
    for k, v in mapping.items():
        field = by_name.get(normalize(str(k)))
        if field is None:
            raise ValueError(f"{k!r} är inget fält; tillåtna är {', '.join(COLUMN_FIELDS_SV.values())}")
        if v is not None and str(v).strip():
            out[field] = str(v).strip()
    return out


def ledger_extra_rows(settings: Settings) -> list[list[object]]:
    """The Kolumner, Periodisering and Periodiseringsnycklar tables for ``vpexcel init``."""
    led = settings.ledger
    rows: list[list[Any]] = [[], [SECTION_COLUMNS], SECTION_HEADERS[SECTION_COLUMNS]]
    rows += [[sv, led.columns.get(field, "")] for field, sv in COLUMN_FIELDS_SV.items() if field not in ("kind",)]
    rows += [[], [SECTION_PROFILES], SECTION_HEADERS[SECTION_PROFILES]]
    rows += [[name, *shares] for name, shares in led.profiles.items()]
    rows += [[], [SECTION_KEYS], SECTION_HEADERS[SECTION_KEYS]]
    rows += [[k.area or "", ", ".join(k.classes), k.key] for k in led.keys]
    return rows


def read_ledger_sections(sheet: SheetGrid, sections: dict[str, tuple[int, list[int]]], data: dict[str, Any]) -> None:
    """Kolumner, Periodisering and Periodiseringsnycklar from the sheet into ``data["ledger"]``."""
    if SECTION_COLUMNS in sections:
        columns: dict[str, str] = {}
        allowed = {normalize(sv): field for field, sv in COLUMN_FIELDS_SV.items()}
        for r in sections[SECTION_COLUMNS][1]:
            label, name = _text(sheet.value(r, 0)), _text(sheet.value(r, 1))
            field = allowed.get(normalize(label))
            if field is None:
                raise InputError(
                    f"{sheet.name}!{a1(r, 0)}: {label!r} är inget fält i huvudboken. "
                    f"Skriv ett av {', '.join(COLUMN_FIELDS_SV.values())}."
                )
            if name:
                columns[field] = name
        data["ledger"]["columns"] = columns
    if SECTION_PROFILES in sections:
        profiles: dict[str, list[float]] = {}
        for r in sections[SECTION_PROFILES][1]:
            name = _text(sheet.value(r, 0))
            if not name:
                raise InputError(f"{sheet.name}!{a1(r, 0)}: profilen saknar namn. Skriv ett namn, till exempel Lön.")
            shares = [_number(sheet, r, c, f"andelen för {MONTH_ABBR_SV[c - 1]}") for c in range(1, 13)]
            if any(x < 0 for x in shares) or not sum(shares) > 0:
                raise InputError(
                    f"{sheet.name}!{a1(r, 1)}: profilen {name!r} ska ha tolv andelar som inte är negativa och inte alla noll."
                )
            profiles[name] = shares
        data["ledger"]["profiles"] = profiles
    if SECTION_KEYS in sections:
        keys: list[dict[str, Any]] = []
        profiles_known = {normalize(n) for n in data["ledger"].get("profiles", {})}
        top = [a for a in data["areas"] if not a.get("parent")]  # the budget is periodised per top-level area
        area_names = {normalize(a["name"]) for a in top} | {normalize(alias) for a in top for alias in a.get("aliases", [])}
        for r in sections[SECTION_KEYS][1]:
            area, classes, key = _text(sheet.value(r, 0)), _text(sheet.value(r, 1)), _text(sheet.value(r, 2)) or EVEN_KEY
            if area and normalize(area) not in area_names:
                raise InputError(
                    f"{sheet.name}!{a1(r, 0)}: {area!r} är inget produktionsområde på översta nivån (budgeten periodiseras "
                    "per område). Skriv ett områdes namn eller lämna cellen tom."
                )
            try:
                parsed = class_list(classes)
            except ValueError as exc:
                raise InputError(f"{sheet.name}!{a1(r, 1)}: {exc}.") from None
            checked = PeriodKey(key=key).key
            if checked not in (EVEN_KEY, LAST_YEAR_KEY) and normalize(checked) not in profiles_known:
                raise InputError(
                    f"{sheet.name}!{a1(r, 2)}: nyckeln {key!r} är varken jämn, fjolårets utfall eller en profil i tabellen "
                    f"{SECTION_PROFILES}. Skriv en av dem."
                )
            keys.append({"area": area or None, "classes": parsed, "key": checked})
        data["ledger"]["keys"] = keys


# --- the history of runs (section "Historik") ----------------------------------------------
SECTION_HISTORY = "Historik"
SECTION_HEADERS[SECTION_HISTORY] = ["Inställning", "Värde"]
_HISTORY_ON = {"ja": True, "på": True, "pa": True, "nej": False, "av": False}


def history_rows(settings: Settings) -> list[list[object]]:
    h = settings.history
    return [
        [],
        [SECTION_HISTORY],
        list(SECTION_HEADERS[SECTION_HISTORY]),
        ["Spara historik", "ja" if h.enabled else "nej"],
        ["Historikfil", h.file or ""],
    ]


def _history_section(sheet: SheetGrid, sections: dict[str, tuple[int, list[int]]], data: dict[str, Any]) -> None:
    if SECTION_HISTORY not in sections:
        return
    for r in sections[SECTION_HISTORY][1]:
        key, value = normalize(_text(sheet.value(r, 0))), _text(sheet.value(r, 1))
        if key == "spara historik":
            if normalize(value) not in _HISTORY_ON:
                raise InputError(f"{sheet.name}!{a1(r, 1)}: skriv ja eller nej, inte {value!r}.")
            data["history"]["enabled"] = _HISTORY_ON[normalize(value)]
        elif key == "historikfil":
            data["history"]["file"] = value or None
        else:
            raise InputError(
                f"{sheet.name}!{a1(r, 0)}: okänd inställning {_text(sheet.value(r, 0))!r}. Tillåtna är Spara historik, Historikfil."
            )


# --- the settings sheet under another name, and the Tabeller lines against the workbook ------------
_COPY_MARK = re.compile(r"\s*\(\d+\)$")


def is_settings_sheet_name(name: str) -> bool:
    """A sheet name that means Inställningar: any case, å/ä typed as a ("Installningar"), or
    Excel's mark on a copied sheet ("Inställningar (2)")."""
    return _COPY_MARK.sub("", normalize(name)).translate(str.maketrans("åäö", "aao")) == "installningar"


def settings_sheet(book: WorkbookGrid) -> SheetGrid | None:
    """The workbook's own settings sheet: the one named Inställningar, else the only sheet whose name
    means it (see :func:`is_settings_sheet_name`); None when there is none, or two such sheets."""
    exact = book.sheet(SETTINGS_SHEET)
    if exact is not None:
        return exact
    found = [s for s in book.sheets if is_settings_sheet_name(s.name)]
    return found[0] if len(found) == 1 else None


def tables_checked(settings: Settings, book: WorkbookGrid) -> Settings:
    """``settings``, once every line of their Tabeller section fits ``book``: the sheet it names exists
    and its header row is a row of that sheet; an InputError saying which line does not."""
    if not settings.tables:
        return settings
    sheets = {normalize(s.name): s for s in book.sheets}
    for t in settings.tables:
        sheet = sheets.get(normalize(t.sheet))
        if sheet is None:
            names = ", ".join(repr(s.name) for s in book.sheets if not is_settings_sheet_name(s.name))
            raise InputError(
                f"Tabeller i inställningarna nämner bladet {t.sheet!r}, men {book.name} har inget blad som heter så "
                f"(bladen heter {names}). Rätta bladets namn i Tabeller eller ta bort raden."
            )
        last = max([sheet.height, *(r + 1 for r, _c in sheet.formulas)])
        if t.header_row is not None and t.header_row > last:
            raise InputError(
                f"Tabeller i inställningarna säger att tabellen på bladet {sheet.name!r} har rubrikerna på rad "
                f"{t.header_row}, men bladet slutar på rad {last}. Skriv numret på raden där rubrikerna står."
            )
    return settings
