"""Read the area managers' forecasts, and the statuses of controls and priorities, from a forecast workbook.

Forecasts: a sheet with a header row naming a "Prognos" column and one row per
area (a "Kommentar" column is read too), or one sheet per area with a cell
"Prognos helår" and the figure beside it. Statuses: a sheet "Status" with a
text column (the risk, control or priority), "Status" (grön/gul/röd) and
optionally "Kommentar".
"""

from __future__ import annotations

from pathlib import Path

from vpexcel.errors import InputError
from vpexcel.fill import Forecast, StatusLine
from vpexcel.grid import FIGURE_NOTES, SheetGrid, a1
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.layout import find_unit
from vpexcel.numbers import AmountKind, classify
from vpexcel.settings import UNIT_FACTOR, Settings, normalize


def _text(v: object) -> str:
    return v.strip() if isinstance(v, str) else ""


def read_forecast(
    path: Path, settings: Settings, unit: str, notes: list[str] | None = None
) -> tuple[dict[str, Forecast], list[StatusLine]]:
    """The forecasts per area and the status lines; what the reader wants said about the file goes to ``notes``:
    a name that ends otherwise than its content, macro sheets left out. Not that formulas were not read (an .ods
    or .xls forecast): only the figures are taken from it."""
    book = read_workbook(path)
    forecasts: dict[str, Forecast] = {}
    statuses: list[StatusLine] = []
    for sheet in book.sheets:
        if normalize(sheet.name).startswith("status"):
            statuses += _statuses(sheet)
            continue
        found = _table(sheet, settings, unit) or _per_area_sheet(sheet, settings, unit)
        for area, f in found.items():
            forecasts.setdefault(area, f)
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


def _table(sheet: SheetGrid, settings: Settings, unit: str) -> dict[str, Forecast]:
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
        for rr in range(r + 1, sheet.height):
            label = _text(sheet.value(rr, label_col))
            area = _area_name(settings, label) if label else None
            if area is None:
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
