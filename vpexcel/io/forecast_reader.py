"""Read the area managers' forecasts, and the statuses of controls and priorities, from a forecast workbook.

Forecasts: a sheet with a header row naming a "Prognos" column and one row per
area (a "Kommentar" column is read too), or one sheet per area with a cell
"Prognos helår" and the figure beside it. Statuses: a sheet "Status" with a
text column (the risk, control or priority), "Status" (grön/gul/röd) and
optionally "Kommentar".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vpexcel.errors import InputError
from vpexcel.fill import Forecast, StatusLine
from vpexcel.grid import FIGURE_NOTES, SheetGrid, a1
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.layout import find_unit
from vpexcel.numbers import AmountKind, classify, format_sv
from vpexcel.settings import UNIT_FACTOR, Settings, normalize

# a row of the forecast table that is no area and is not meant to be one: the table's total, a "varav" line
_NOT_AN_AREA = re.compile(r"^(totalt|total|summa|s:a|varav)\b|\b(totalt|summa)$")


@dataclass
class _Seen:
    """What reading the forecast tables noticed, for the notes said once after the run."""

    unmatched: list[str] = field(default_factory=list)  # "'Politiska organisationen' (Prognos!A3)"
    suggestions: list[str] = field(default_factory=list)
    net_cost_header: str | None = None  # the value column's header when it says the figures are nettokostnad
    net_cost_areas: set[str] = field(default_factory=set)  # the areas read from such a column (turned over)


def _text(v: object) -> str:
    return v.strip() if isinstance(v, str) else ""


def read_forecast(
    path: Path,
    settings: Settings,
    unit: str,
    notes: list[str] | None = None,
    budget_nets: Mapping[str, float] | None = None,
) -> tuple[dict[str, Forecast], list[StatusLine]]:
    """The forecasts per area (net, costs negative, in ``unit``) and the statuses.

    ``notes`` gets one Swedish line for each thing the user should know: a forecast row whose
    name is no area, forecasts kept as positive nettokostnad (turned over), and what the reader says
    about the file (a name that ends otherwise than its content, macro sheets left out; not that
    formulas were not read: only the figures are taken from it). ``budget_nets``
    (the budget's net per area, costs negative) tells a column of nettokostnad from one of netto
    when its header does not say.
    """
    book = read_workbook(path)
    forecasts: dict[str, Forecast] = {}
    statuses: list[StatusLine] = []
    seen = _Seen()
    for sheet in book.sheets:
        if normalize(sheet.name).startswith("status"):
            statuses += _statuses(sheet)
            continue
        found = _table(sheet, settings, unit, seen) or _per_area_sheet(sheet, settings, unit)
        for area, f in found.items():
            forecasts.setdefault(area, f)
    said = notes if notes is not None else []
    if seen.unmatched:
        said.append(_unmatched_note(path, seen))
    forecasts = _signs(path, forecasts, seen, budget_nets or {}, unit, said)
    if not forecasts and not statuses:
        raise InputError(
            f"Prognosarbetsboken {path.name} har ingen tabell med en kolumn Prognos och en rad per produktionsområde, "
            "inga blad per område med 'Prognos helår' och inget blad Status. Se användarguiden för hur den ska se ut."
        )
    if notes is not None:
        notes.extend(book.notes_of(*FIGURE_NOTES))
    return forecasts, statuses


def _factor(sheet: SheetGrid, header_row: int, unit: str) -> float:
    found, _cell = find_unit(sheet, header_row)
    return UNIT_FACTOR[found] / UNIT_FACTOR[unit] if found else 1.0


def _area_name(settings: Settings, label: str) -> str | None:
    area = settings.find_area(label)
    while area is not None and area.parent is not None:
        area = settings.find_area(area.parent)
    return area.name if area else None


def _unmatched_note(path: Path, seen: _Seen) -> str:
    rows = seen.unmatched
    which = f"raden {rows[0]}" if len(rows) == 1 else "raderna " + ", ".join(rows[:-1]) + f" och {rows[-1]}"
    verb = "är inget produktionsområde" if len(rows) == 1 else "är inga produktionsområden"
    guess = f" (menar du {' / '.join(dict.fromkeys(seen.suggestions))}?)" if seen.suggestions else ""
    return (
        f"Prognosfilen {path.name}: {which} {verb} i inställningarna{guess}; den prognosen används inte, och området "
        "får vpexcels förslag i stället. Rätta namnet i prognosfilen, eller lägg till det som alias under "
        "Produktionsområden i Inställningar, och fyll igen."
    )


def _signs(
    path: Path, forecasts: dict[str, Forecast], seen: _Seen, budget: Mapping[str, float], unit: str, notes: list[str]
) -> dict[str, Forecast]:
    """Forecasts kept as nettokostnad (costs positive) turned over to netto (costs negative), said once.

    The header decides ("Prognos helår (nettokostnad)"), unless the figures are nearer the budget's signs
    than the opposite; without such a header, figures far nearer the budget's nets turned over (by amount,
    Σ|f + b| under a third of Σ|f − b|) are nettokostnad too: two small self-financed areas forecasting a
    surplus never turn a big area's forecast over.
    """
    pairs = [(a, f.net, budget[a]) for a, f in forecasts.items() if a in budget and abs(f.net) > 1e-9 and abs(budget[a]) > 1e-9]
    opposite = [p for p in pairs if (p[1] > 0) != (p[2] > 0)]
    told = len(pairs) >= 2
    as_turned = sum(abs(f + b) for _a, f, b in pairs)  # how far the forecasts are from the budget read as nettokostnad
    as_typed = sum(abs(f - b) for _a, f, b in pairs)
    looks_net_cost = told and as_turned * 3 < as_typed
    header = seen.net_cost_header
    if header is not None and told and as_typed < as_turned:
        notes.append(
            f"Prognosfilen {path.name}: kolumnen {header!r} säger nettokostnad, men prognoserna har samma tecken som "
            f"budgetens netto för {len(pairs) - len(opposite)} av {len(pairs)} områden, så vpexcel har läst dem som netto "
            "(kostnader negativa) utan att vända tecknet. Kontrollera prognosfilen."
        )
        return forecasts
    if header is None and not looks_net_cost:
        return forecasts
    turn = seen.net_cost_areas if header is not None else set(forecasts)
    out = {a: Forecast(-f.net, f.comment, f.proposal) if a in turn else f for a, f in forecasts.items()}
    if header is not None:
        notes.append(
            f"Prognosfilen {path.name}: kolumnen {header!r} har prognosen som nettokostnad (kostnader positiva). "
            "vpexcel har vänt tecknet, så att prognosen skrivs som netto med kostnader negativa, som budgeten."
        )
        return out
    area, x, b = opposite[0]
    notes.append(
        f"Prognoserna i {path.name} har motsatt tecken mot budgetens netto för {len(opposite)} av {len(pairs)} "
        f"områden (till exempel {area}: prognos {format_sv(x, 1)}, budget {format_sv(b, 1)} {unit}). vpexcel har läst dem "
        "som nettokostnad (kostnader positiva) och vänt tecknet, så att de skrivs med kostnader negativa, som budgeten. "
        "Stämmer det inte, skriv prognosen med samma tecken som budgeten och fyll igen; skriv 'nettokostnad' i "
        "kolumnens rubrik när prognosen har kostnader positiva."
    )
    return out


def _table(sheet: SheetGrid, settings: Settings, unit: str, seen: _Seen | None = None) -> dict[str, Forecast]:
    seen = seen if seen is not None else _Seen()
    for r in range(min(sheet.height, 20)):
        heads = {c: normalize(_text(v)) for c, v in enumerate(sheet.rows[r])}
        value_col = next((c for c, h in heads.items() if "prognos" in h and "kommentar" not in h), None)
        if value_col is None or sum(1 for h in heads.values() if h) < 2:
            continue  # a title such as "Prognos per produktionsområde" is no header
        comment_col = next((c for c, h in heads.items() if "kommentar" in h), None)
        label_col = next((c for c, h in heads.items() if h and c != value_col), 0)
        factor = _factor(sheet, r, unit)
        out: dict[str, Forecast] = {}
        subs: dict[str, float] = {}
        unmatched: list[tuple[str, str]] = []
        for rr in range(r + 1, sheet.height):
            label = _text(sheet.value(rr, label_col))
            area = _area_name(settings, label) if label else None
            if area is None:
                if (
                    label
                    and classify(sheet.value(rr, value_col)).number is not None
                    and not _NOT_AN_AREA.search(normalize(label))
                ):
                    unmatched.append((f"{label!r} ({sheet.name}!{a1(rr, label_col)})", label))
                continue
            amount = classify(sheet.value(rr, value_col))
            if amount.number is None:
                if amount.kind is not AmountKind.EMPTY:
                    raise InputError(
                        f"{sheet.name}!{a1(rr, value_col)}: prognosen för {label} är inget tal ({sheet.value(rr, value_col)!r}). Skriv ett tal."
                    )
                continue
            comment = sheet.value(rr, comment_col) if comment_col is not None else None
            value = amount.number * factor
            direct = settings.find_area(label)
            if direct is not None and direct.parent is not None:
                subs[area] = subs.get(area, 0.0) + value  # a sub-area: summed into its area
                continue
            out[area] = Forecast(value, str(comment) if comment not in (None, "") else None, False)
        for area, value in subs.items():
            out.setdefault(area, Forecast(value, None, False))
        if out:
            for where, label in unmatched:
                seen.unmatched.append(where)
                if (guess := settings.suggest(label)) is not None:
                    seen.suggestions.append(guess)
            if "nettokostnad" in heads[value_col] and seen.net_cost_header is None:
                seen.net_cost_header = _text(sheet.value(r, value_col))
                seen.net_cost_areas.update(out)
            return out
    return {}


def _per_area_sheet(sheet: SheetGrid, settings: Settings, unit: str) -> dict[str, Forecast]:
    area = settings.find_area_for_sheet(sheet.name)
    if area is None:
        return {}
    for r, line in enumerate(sheet.rows[:60]):
        for c, v in enumerate(line):
            if "prognos" in normalize(_text(v)):
                amount = classify(sheet.value(r, c + 1))
                if amount.number is not None:
                    return {
                        _area_name(settings, area.name) or area.name: Forecast(
                            amount.number * _factor(sheet, r, unit), None, False
                        )
                    }
    return {}


def _statuses(sheet: SheetGrid) -> list[StatusLine]:
    for r in range(min(sheet.height, 20)):
        heads = {c: normalize(_text(v)) for c, v in enumerate(sheet.rows[r])}
        status_col = next((c for c, h in heads.items() if h == "status"), None)
        if status_col is None:
            continue
        comment_col = next((c for c, h in heads.items() if "kommentar" in h), None)
        label_col = next((c for c, h in heads.items() if h and c not in (status_col, comment_col)), 0)
        out = []
        for rr in range(r + 1, sheet.height):
            key = _text(sheet.value(rr, label_col))
            status = normalize(_text(sheet.value(rr, status_col)))
            if not key or not status:
                continue
            if status not in ("grön", "gul", "röd"):
                raise InputError(f"{sheet.name}!{a1(rr, status_col)}: statusen {status!r} ska vara grön, gul eller röd.")
            comment = sheet.value(rr, comment_col) if comment_col is not None else None
            out.append(StatusLine(key, status, str(comment) if comment not in (None, "") else None))
        return out
    return []
