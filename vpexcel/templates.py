"""The follow-up templates in workbooks/templates/ and the sample forecast and Kolada files.

Development tool, like ``vpexcel.samples``: ``python scripts/make_samples.py``
rebuilds them. The templates look like a municipality's own: styles, merged
title cells, a native chart of budget against forecast, traffic-light
conditional formatting, data validation lists, notes, a logo, print settings,
defined names and placeholders for the tool.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from vpexcel.samples import SEED_2024

AREAS = list(SEED_2024)
PRIORITIES = [
    "Analysera kompetensförsörjningsbehovet, anpassa arbetssätt samt utveckla chefer och medarbetare",
    "Verksamhetsutveckla genom digitalisering för att klara välfärdens utmaningar",
    "Avsluta kommunens medlemskap i organisationer och samarbeten som inte berör kärnverksamheten",
    "Utvärdera den politiska organisationen",
    "Utveckla kommunens kontrollplaner i syfte att säkra en effektiv förvaltning",
]
RISKS = [
    (
        "Dokument- och ärendehantering",
        "Risk att förvaltningen inte hanterar ärenden och dokument enligt lagkrav",
        "Följa upp revideringen av dokumenthanteringsplanen",
    ),
    (
        "Ekonomi",
        "Risk för att inköp och upphandlingar inte sker enligt gällande lagstiftning",
        "Stickprov av direktupphandlingar",
    ),
    (
        "Kompetensförsörjning",
        "Risk för brister i kvalitet på grund av svårighet att rekrytera",
        "Utvärdera kompetensförsörjningsplanen",
    ),
    ("Säkerhet", "Risk att personuppgifter hanteras felaktigt", "Utvärdera rutiner för hantering av personuppgifter"),
    ("Säkerhet", "Risk för att obehörig får tillgång till information", "Utbildningsinsatser inom informationssäkerhet"),
    (
        "Säkerhet",
        "Risk för att personal och förtroendevalda utsätts för hot och våld",
        "Uppföljning genom det systematiska arbetsmiljöarbetet",
    ),
]
INDICATORS = [
    ("Hållbart medarbetarengagemang, HME (index 0-100)", 79.2, 78.8, 79.8, "Ökande"),
    ("Sjukfrånvaro samtlig månadsavlönad personal (%)", 9.0, 9.3, None, "Minskande"),
    ("Svenskt Näringslivs ranking, upplevt företagsklimat, placering", 109, 130, 86, "Minskande"),
    ("NKI företagares nöjdhet med kommunens service (index 0-100)", 75, 72, 76, "Ökande"),
    ("SKR:s Öppna jämförelser, trygghet och säkerhet", 16, 8, None, "Bibehållen"),
    ("Digital mognad i förvaltningsorganisationen (DIMIOS, %)", 44, 47.1, 50.6, "Ökande"),
]
TEMPLATES = {
    "manadsrapport-februari.xlsx": ("Månadsrapport februari", ("drift",)),
    "tertialrapport-april.xlsx": ("Tertialrapport 1", ("drift", "mal", "prio")),
    "delarsrapport-augusti.xlsx": ("Delårsrapport", ("drift", "prognos", "mal", "ind", "ik", "prio")),
    "manadsrapport-oktober.xlsx": ("Månadsrapport oktober", ("drift",)),
    "arsredovisning-december.xlsx": (
        "Verksamhetsberättelse och årsbokslut",
        ("drift", "bokslut", "prognos", "mal", "ind", "ik", "prio"),
    ),
}
PERIODS = {
    "manadsrapport-februari.xlsx": "2024-02",
    "tertialrapport-april.xlsx": "2024-04",
    "delarsrapport-augusti.xlsx": "2024-08",
    "manadsrapport-oktober.xlsx": "2024-10",
    "arsredovisning-december.xlsx": "2024-12",
}


def logo_png(width: int = 160, height: int = 48) -> bytes:
    """A small PNG (a blue band with a lighter stripe), made here so the templates carry an image."""
    rows = []
    for y in range(height):
        line = bytearray([0])
        for x in range(width):
            light = 10 < y < 16 or (x // 12) % 5 == 0
            line += bytes((60, 120, 200) if light else (0, 70, 140))
        rows.append(bytes(line))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def build_template(
    path: Path,
    title: str,
    parts: tuple[str, ...],
    *,
    vba: bytes | None = None,
    button: bool = False,
    deviation: str = "negativ_underskott",
) -> Path:
    """A follow-up template; ``parts`` names its sheets ("bokslut" makes the operating table a year-end one).

    ``deviation`` is the settings' sign convention, which the traffic-light colours of the
    deviation column follow (default: a negative deviation is an underskott, red).
    """
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2024, 1, 1), "author": "Ekonomienheten", "title": title})
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    f: dict[str, Any] = {
        "title": wb.add_format({"bold": True, "font_size": 16, "font_color": "#00468C", "align": "left", "valign": "vcenter"}),
        "sub": wb.add_format({"italic": True, "font_color": "#404040"}),
        "head": wb.add_format(
            {"bold": True, "bg_color": "#00468C", "font_color": "#FFFFFF", "text_wrap": True, "valign": "top", "border": 1}
        ),
        "label": wb.add_format({"border": 1}),
        "num": wb.add_format({"num_format": "#,##0.0;[Red]-#,##0.0", "border": 1}),
        "pct": wb.add_format({"num_format": "0%", "border": 1}),
        "total": wb.add_format({"bold": True, "num_format": "#,##0.0;[Red]-#,##0.0", "top": 2, "border": 1}),
        "total_label": wb.add_format({"bold": True, "top": 2, "border": 1}),
        "total_pct": wb.add_format({"bold": True, "num_format": "0%", "top": 2, "border": 1}),
        "text": wb.add_format({"text_wrap": True, "valign": "top", "border": 1}),
        "green": wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"}),
        "yellow": wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"}),
        "red": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
    }
    logo = logo_png()
    if "drift" in parts:
        _operating_sheet(wb, f, logo, year_end="bokslut" in parts, deviation=deviation)
        if button:
            wb.worksheets()[0].insert_button("L6", {"macro": "FyllUppfoljning", "caption": "Fyll i", "width": 90, "height": 28})
    if "prognos" in parts:
        _development_sheet(wb, f, year_end="bokslut" in parts)
    if "mal" in parts:
        _targets_sheet(wb, f)
    if "ind" in parts:
        _indicator_sheet(wb, f)
    if "ik" in parts:
        _status_sheet(
            wb,
            f,
            "Internkontroll",
            ["Riskområde", "Risk", "Kontrollmetod", "Status", "Kommentar"],
            [list(r) for r in RISKS],
            status_col=3,
        )
    if "prio" in parts:
        _status_sheet(
            wb, f, "Prioriteringar", ["Prioriterad inriktning", "Status", "Kommentar"], [[p] for p in PRIORITIES], status_col=1
        )
    wb.close()
    return path


def _operating_sheet(wb: Any, f: dict[str, Any], logo: bytes, *, year_end: bool, deviation: str) -> None:
    ws = wb.add_worksheet("Driftredovisning")
    ws.merge_range("A1:G1", "{{rapport}} – {{namnd}}", f["title"])
    ws.set_row(0, 30)
    ws.write("A2", "Period: {{period}}", f["sub"])
    ws.write("A3", "Belopp i mkr. {{avvikelse}}", f["sub"])
    ws.write("A4", "Uppdaterad:", f["sub"])
    ws.write_blank("B4", None, f["sub"])
    wb.define_name("vp_datum", "=Driftredovisning!$B$4")
    ws.insert_image("I1", "logo.png", {"image_data": io.BytesIO(logo), "x_scale": 0.8, "y_scale": 0.8})
    amounts: tuple[int, ...]
    texts: tuple[int, ...]
    if year_end:  # the year's outcome against the budget: no forecast at year-end
        heads = ["Produktionsområde", "Budget helår", "Utfall helår", "Budgetavvikelse", "Förbrukning %", "Kommentar"]
        amounts, pct, texts, traffic, outcome = (1, 2, 3), 4, (5,), 3, (2, "Utfall helår")
    else:
        heads = [
            "Produktionsområde",
            "Budget helår",
            "Periodiserad budget",
            "Utfall ack.",
            "Avvikelse mot periodiserad budget",
            "Förbrukning %",
            "Prognos helår",
            "Avvikelse prognos",
            "Prognoskommentar",
            "Kommentar",
        ]
        amounts, pct, texts, traffic, outcome = (1, 2, 3, 4, 6, 7), 5, (8, 9), 7, (6, "Prognos helår")
    used = chr(65 + pct - 2)  # the actual's column, for the share used
    ws.write_row(5, 0, heads, f["head"])
    ws.set_row(5, 42)
    if not year_end:
        ws.write_comment(5, 6, "Produktionsområdenas prognos för helåret. Saknas en prognos föreslår vpexcel en.")
    first = 6
    for i, area in enumerate(AREAS):
        r = first + i
        ws.write(r, 0, area, f["label"])
        for c in amounts:
            ws.write_blank(r, c, None, f["num"])
        ws.write_blank(r, pct, None, f["pct"])
        for c in texts:
            ws.write_blank(r, c, None, f["text"])
    ws.write(first + 2, texts[-1], "Vakanser inom IT och HR under våren.", f["text"])  # a user's own comment, kept
    total = first + len(AREAS)
    ws.write(total, 0, "Totalt", f["total_label"])
    for c in amounts:
        col = chr(65 + c)
        ws.write_formula(total, c, f"=SUM({col}{first + 1}:{col}{total})", f["total"], 0)
    ws.write_formula(total, pct, f"=IF(B{total + 1}=0,0,{used}{total + 1}/B{total + 1})", f["total_pct"], 0)
    worse = "<" if deviation == "negativ_underskott" else ">"  # an underskott is red, a surplus or balance green
    better = ">=" if deviation == "negativ_underskott" else "<="
    ws.conditional_format(first, traffic, total, traffic, {"type": "cell", "criteria": worse, "value": 0, "format": f["red"]})
    ws.conditional_format(first, traffic, total, traffic, {"type": "cell", "criteria": better, "value": 0, "format": f["green"]})
    last_col = chr(65 + len(heads) - 1)
    ws.set_column("A:A", 34)
    ws.set_column(f"B:{chr(65 + max(amounts))}", 13)
    ws.set_column(f"{chr(65 + texts[0])}:{last_col}", 36)
    ws.freeze_panes(first, 1)
    chart = wb.add_chart({"type": "bar"})
    for series_col, name in ((1, "Budget helår"), outcome):
        chart.add_series(
            {
                "name": name,
                "categories": ["Driftredovisning", first, 0, total - 1, 0],
                "values": ["Driftredovisning", first, series_col, total - 1, series_col],
            }
        )
    chart.set_title({"name": f"Netto per produktionsområde: budget mot {outcome[1].split()[0].lower()} (mkr)"})
    chart.set_y_axis({"label_position": "low"})  # area names beside the plot, not on the bars
    chart.set_size({"width": 720, "height": 360})
    ws.insert_chart(total + 3, 0, chart)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(5)
    ws.print_area(0, 0, total + 22, len(heads) - 1)
    ws.set_header('&L&"Calibri,Bold"{{namnd}}&R&D'.replace("{{namnd}}", "Lerums kommun"))
    ws.set_footer("&CSida &P av &N")


FOLLOW_UPS = ("februari", "april", "augusti", "oktober")


def _development_sheet(wb: Any, f: dict[str, Any], *, year_end: bool) -> None:
    """Prognosutveckling: per area the budget and the full-year forecast at each follow-up of the year (and a chart)."""
    ws = wb.add_worksheet("Prognosutveckling")
    heads = ["Produktionsområde", "Budget helår", *(f"Prognos {m}" for m in FOLLOW_UPS)]
    if year_end:
        heads.append("Utfall helår")
    heads.append("Kommentar")
    last = len(heads) - 1
    ws.merge_range(0, 0, 0, last, "Prognosutveckling {{ar}} – {{namnd}}", f["title"])
    ws.set_row(0, 30)
    ws.write("A2", "Belopp i mkr. Budget och helårsprognos vid varje uppföljning under året, ur vpexcel:s historik.", f["sub"])
    ws.write_row(3, 0, heads, f["head"])
    ws.set_row(3, 30)
    ws.write_comment(3, 2, "Fylls av vpexcel ur historiken: den prognos som skrevs när uppföljningen fylldes.")
    first = 4
    for i, area in enumerate(AREAS):
        r = first + i
        ws.write(r, 0, area, f["label"])
        for c in range(1, last):
            ws.write_blank(r, c, None, f["num"])
        ws.write_blank(r, last, None, f["text"])
    total = first + len(AREAS)
    ws.write(total, 0, "Totalt", f["total_label"])
    for c in range(1, last):
        col = chr(65 + c)
        ws.write_formula(total, c, f"=SUM({col}{first + 1}:{col}{total})", f["total"], 0)
    ws.write_blank(total, last, None, f["total_label"])
    ws.set_column("A:A", 34)
    ws.set_column(1, last - 1, 13)
    ws.set_column(last, last, 36)
    ws.freeze_panes(first, 1)
    chart = wb.add_chart({"type": "line"})
    chart.add_series(
        {
            "name": "Nämnden totalt",
            "categories": ["Prognosutveckling", 3, 1, 3, last - 1],
            "values": ["Prognosutveckling", total, 1, total, last - 1],
            "marker": {"type": "circle"},
        }
    )
    chart.set_title({"name": "Nämndens helårsprognos under året mot budget (mkr)"})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 320})
    ws.insert_chart(total + 3, 0, chart)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _targets_sheet(wb: Any, f: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Finansiella mål")
    ws.merge_range("A1:E1", "God ekonomisk hushållning – finansiella mål {{ar}}", f["title"])
    ws.write_row(2, 0, ["Mål", "Målvärde", "Utfall", "Uppfyllt", "Kommentar"], f["head"])
    rows = ["Soliditet (%)", "Skulder per invånare (kr)", "Nettokostnadsandel över tio år (%)"]
    for i, text in enumerate(rows):
        ws.write(3 + i, 0, text, f["label"])
        for c in (1, 2, 3, 4):
            ws.write_blank(3 + i, c, None, f["text"])
    ws.data_validation(3, 3, 5, 3, {"validate": "any"})
    ws.conditional_format(3, 3, 5, 3, {"type": "text", "criteria": "begins with", "value": "Ja", "format": f["green"]})
    ws.conditional_format(3, 3, 5, 3, {"type": "text", "criteria": "begins with", "value": "Nej", "format": f["red"]})
    ws.set_column("A:A", 40)
    ws.set_column("B:D", 18)
    ws.set_column("E:E", 40)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _indicator_sheet(wb: Any, f: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Indikatorer")
    ws.merge_range("A1:H1", "Indikatorer", f["title"])
    ws.write_row(2, 0, ["Indikator", 2021, 2022, 2023, 2024, "Förväntad riktning", "Riktning uppnådd", "Kommentar"], f["head"])
    for i, (name, a, b, c, direction) in enumerate(INDICATORS):
        r = 3 + i
        ws.write(r, 0, name, f["text"])
        for col, v in ((1, a), (2, b), (3, c)):
            if v is None:
                ws.write_blank(r, col, None, f["num"])
            else:
                ws.write_number(r, col, v, f["num"])
        ws.write_blank(r, 4, None, f["num"])
        ws.write(r, 5, direction, f["label"])
        ws.write_blank(r, 6, None, f["label"])
        ws.write_blank(r, 7, None, f["text"])
    last = 3 + len(INDICATORS) - 1
    ws.data_validation(3, 5, last, 5, {"validate": "list", "source": ["Ökande", "Minskande", "Bibehållen"]})
    ws.conditional_format(3, 6, last, 6, {"type": "cell", "criteria": "==", "value": '"Ja"', "format": f["green"]})
    ws.conditional_format(3, 6, last, 6, {"type": "cell", "criteria": "==", "value": '"Nej"', "format": f["red"]})
    ws.write_comment(2, 4, "Årets värde fylls i av vpexcel från Kolada (och DIMIOS från inställningarna).")
    ws.set_column("A:A", 52)
    ws.set_column("B:E", 9)
    ws.set_column("F:G", 16)
    ws.set_column("H:H", 40)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _status_sheet(wb: Any, f: dict[str, Any], name: str, heads: list[str], rows: list[list[str]], status_col: int) -> None:
    ws = wb.add_worksheet(name)
    ws.merge_range(0, 0, 0, len(heads) - 1, f"{name} – uppföljning {{{{period}}}}", f["title"])
    ws.write_row(2, 0, heads, f["head"])
    for i, line in enumerate(rows):
        r = 3 + i
        for c in range(len(heads)):
            value = line[c] if c < len(line) and c != status_col else None
            if value is None:
                ws.write_blank(r, c, None, f["text"])
            else:
                ws.write(r, c, value, f["text"])
    last = 3 + len(rows) - 1
    ws.write(3, len(heads) - 1, "Revideringen klar i mars.", f["text"])  # a user's own comment, kept
    ws.data_validation(3, status_col, last, status_col, {"validate": "list", "source": ["grön", "gul", "röd"]})
    for word, fmt in (("grön", f["green"]), ("gul", f["yellow"]), ("röd", f["red"])):
        ws.conditional_format(
            3, status_col, last, status_col, {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt}
        )
    ws.set_column(0, len(heads) - 1, 30)
    ws.set_column(status_col, status_col, 10)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def forecast_book() -> dict[str, list[list[Any]]]:
    """A forecast workbook as area managers send it: some areas forecast, statuses for controls and priorities."""
    forecast: list[list[Any]] = [
        ["Prognos per produktionsområde (mkr)"],
        [],
        ["Produktionsområde", "Prognos helår", "Kommentar"],
        ["Politisk organisation", -6.1, "Enligt budget."],
        ["Kommundirektör", -18.4, "=Konsultutredning våren 2024 ger underskott"],
        ["Kommunledning och verksamhetsstöd", -147.0, "+1,2 mkr vakanser"],
        ["Vuxenutbildning", -23.9, "Fler SFI-elever än planerat."],
        ["Räddningstjänst", -33.7, None],
    ]
    status: list[list[Any]] = [["Punkt", "Status", "Kommentar"]]
    status += [
        [r[1], s, c]
        for r, s, c in zip(
            RISKS,
            ["grön", "gul", "grön", "röd", "gul", "grön"],
            ["", "Stickprov i maj.", "", "@Incident i april utreds", "", ""],
            strict=True,
        )
    ]
    status += [[p, s, ""] for p, s in zip(PRIORITIES, ["gul", "grön", "grön", "gul", "grön"], strict=True)]
    return {"Prognos": forecast, "Status": status}


def kolada_sample() -> dict[str, Any]:
    """Example values in the format ``vpexcel kolada fetch`` saves. Marked "exempeldata": not fetched, not official."""
    values = {
        "U00200": {2021: 79.2, 2022: 78.8, 2023: 79.8, 2024: 80.3},
        "N00090": {2021: 9.0, 2022: 9.3, 2023: 8.8, 2024: 8.5},
        "U40402": {2021: 109, 2022: 130, 2023: 86, 2024: 71},
        "U07451": {2021: 75, 2022: 72, 2023: 76, 2024: 77},
        "N03106": {2022: 29.1, 2023: 28.6, 2024: 28.3},
        "N03040": {2022: 98_150, 2023: 101_900, 2024: 103_700},
        "N03100": {
            2015: 96.5,
            2016: 95.9,
            2017: 96.2,
            2018: 97.4,
            2019: 97.0,
            2020: 94.8,
            2021: 95.6,
            2022: 97.9,
            2023: 99.1,
            2024: 99.6,
        },
    }
    return {"municipality": "1441", "fetched": "2024-11-15T10:00:00", "source": "exempeldata", "values": values}


def build_templates(folder: Path) -> list[Path]:
    from vpexcel.samples import write_book

    out = [build_template(folder / "templates" / name, title, parts) for name, (title, parts) in TEMPLATES.items()]
    out.append(write_book(folder / "prognos-2024.xlsx", forecast_book(), merge_years=False))
    kolada = folder / "kolada-1441.json"
    kolada.write_text(json.dumps(kolada_sample(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    out.append(kolada)
    return out
