"""Issue 12 point 6: the reconciliation workbook prints readably and shows what the figures mean."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vpexcel.cli import main
from vpexcel.io.reconcile_xlsx import column_points
from vpexcel.samples import write_ledger_csv

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"


def line(period: str, ansvar: str, konto: str, kr: float) -> list[str]:
    return [period, ansvar, "100", konto, "", "", "", f"{kr:.2f}".replace(".", ","), "t"]


def workbook(tmp_path: Path, ledger: Path = LEDGER, *extra: str) -> Path:
    target = tmp_path / "avstamning.xlsx"
    rc = main(["reconcile", str(BUDGET), str(ledger), "--period", "2024-04", "--format", "xlsx", "--output", str(target), *extra])
    assert rc in (0, 1)
    return target


def header_row(ws) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(1, 20) if ws.cell(r, 1).value == "Produktionsområde")


def test_prints_on_a4_landscape_at_a_readable_size(tmp_path: Path) -> None:
    wb = load_workbook(workbook(tmp_path))
    ws = wb["Avstämning"]
    setup = ws.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0  # as many pages down as needed
    head = header_row(ws)
    assert ws.print_title_rows == f"${head}:${head}" and ws.print_title_cols == "$A:$A"  # headings on every page
    # the scale Excel needs to fit the columns on fitToWidth pages keeps the smallest text at 8 pt or more
    last = max(c.column for c in ws[head] if c.value)
    widths = [ws.column_dimensions[ws.cell(1, c).column_letter].width for c in range(1, last + 1)]
    usable = 841.9 - (ws.page_margins.left + ws.page_margins.right) * 72
    first, rest = column_points(widths[0]), [column_points(w) for w in widths[1:]]
    # the largest scale at which the columns fit fitToWidth pages, each page losing at most one column at its edge
    scale = min(1.0, setup.fitToWidth * usable / (sum(rest) + setup.fitToWidth * (first + max(rest))))
    sizes = {c.font.sz or 11 for row in ws.iter_rows(min_row=head, max_row=ws.max_row) for c in row if c.value is not None}
    assert min(sizes) * scale >= 8
    assert setup.fitToWidth > 1  # split across pages rather than shrunk to one


def test_the_findings_sheet_prints_on_a4_at_a_readable_size_with_long_texts_wrapped(tmp_path: Path) -> None:
    ws = load_workbook(workbook(tmp_path))["Anmärkningar"]
    setup = ws.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == "9"  # A4
    widths = [ws.column_dimensions[ws.cell(1, c).column_letter].width for c in range(1, ws.max_column + 1)]
    usable = 841.9 - (ws.page_margins.left + ws.page_margins.right) * 72
    pts = [column_points(w) for w in widths]
    scale = min(1.0, setup.fitToWidth * usable / (sum(pts) + setup.fitToWidth * max(pts)))
    assert 11 * scale >= 8  # the tester measured about 6 pt before
    message = next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == "Meddelande")
    assert ws.cell(2, message).alignment.wrap_text  # long messages wrap instead of widening the page


def test_number_formats_no_negative_zero_and_colour_only_for_an_underskott(tmp_path: Path) -> None:
    # Politisk organisation: budget −6,1 gives −2,033 by April; an actual of −2,063 is 0,03 under: stored exact and
    # shown as −0,03 (never "-0,0", never a 0 that hides 30 000 kr)
    rows = [line("2024-01", "1001", "4010", 2_063_333.33), line("2024-02", "1010", "4010", 9_000_000)]
    wb = load_workbook(workbook(tmp_path, write_ledger_csv(tmp_path / "h.csv", rows)))
    ws = wb["Avstämning"]
    head = header_row(ws)
    titles = [c.value for c in ws[head]]
    assert "Kvar av budget (budget − utfall ack.)" in titles and not any("Avvikelse helår" in str(t) for t in titles)
    dev = titles.index("Avvikelse mot periodiserad budget") + 1
    by_area = {ws.cell(r, 1).value: r for r in range(head + 1, head + 20)}
    pol, kd = by_area["Politisk organisation"], by_area["Kommundirektör"]
    assert ws.cell(pol, dev).value == pytest.approx(-0.03, abs=1e-8)
    assert ws.cell(pol, dev).number_format == "#,##0.00;-#,##0.00;0.00"
    formats = {c.number_format for row in ws.iter_rows(min_row=head + 1, max_row=ws.max_row) for c in row}
    assert "#,##0.0;-#,##0.0;0.0" in formats and not any("Red" in f for f in formats)
    # Kommundirektör spent 9,0 against 4,4: an underskott, negative by default, the only red cell
    assert ws.cell(kd, dev).value == pytest.approx(-4.6)
    red = [
        (c.row, c.column)
        for row in ws.iter_rows(min_row=head + 1, max_row=ws.max_row)
        for c in row
        if c.font.color is not None and c.font.color.type == "rgb" and str(c.font.color.rgb).endswith("C00000")
    ]
    assert (kd, dev) in red and (pol, dev) in red and all(col == dev for _, col in red)
    assert all(ws.cell(r, dev).value < 0 for r, _ in red)
    assert "negativt tal är ett underskott" in ws.cell(3, 1).value


def test_the_positive_convention_colours_the_other_sign(tmp_path: Path) -> None:
    import json

    from vpexcel.settings import default_settings

    data = default_settings().model_dump()
    data["deviation"] = "positiv_underskott"
    s = tmp_path / "s.json"
    s.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rows = [line("2024-02", "1010", "4010", 9_000_000)]
    ws = load_workbook(workbook(tmp_path, write_ledger_csv(tmp_path / "h.csv", rows), "--settings", str(s)))["Avstämning"]
    head = header_row(ws)
    dev = [c.value for c in ws[head]].index("Avvikelse mot periodiserad budget") + 1
    kd = next(r for r in range(head + 1, head + 20) if ws.cell(r, 1).value == "Kommundirektör")
    assert ws.cell(kd, dev).value == pytest.approx(4.6) and ws.cell(kd, dev).font.color.rgb.endswith("C00000")
    assert "positivt tal är ett underskott" in ws.cell(3, 1).value


def test_chart_data_on_its_own_sheet(tmp_path: Path) -> None:
    target = workbook(tmp_path)
    wb = load_workbook(target)
    ws = wb["Avstämning"]
    assert not any("Diagramdata" in str(c.value) for row in ws.iter_rows() for c in row if c.value)
    data = wb["Diagramdata"]
    assert [data.cell(2, c).value for c in (1, 2, 3)] == ["Produktionsområde", "Periodiserad budget", "Utfall"]
    with zipfile.ZipFile(target) as z:
        chart = next(z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart"))
    assert b"Diagramdata" in chart and b"Avst\xc3\xa4mning!" not in chart


def test_the_key_and_last_year_columns(tmp_path: Path) -> None:
    rows = [line(f"2024-{m:02d}", "1201", "4010", 1_000_000) for m in range(1, 5)]
    previous = [line(f"2023-{m:02d}", "1201", "4010", 500_000) for m in range(1, 13)]
    target = workbook(
        tmp_path,
        write_ledger_csv(tmp_path / "h.csv", rows),
        "--ledger-previous",
        str(write_ledger_csv(tmp_path / "f.csv", previous)),
    )
    ws = load_workbook(target)["Avstämning"]
    head = header_row(ws)
    titles = [c.value for c in ws[head]]
    vux = next(r for r in range(head + 1, head + 20) if ws.cell(r, 1).value == "Vuxenutbildning")
    last = titles.index("Utfall netto ack. samma period 2023") + 1
    assert ws.cell(vux, last).value == pytest.approx(-2.0)
    assert ws.cell(vux, titles.index("Förändring mot 2023") + 1).value == pytest.approx(-2.0)
    assert ws.cell(vux, titles.index("Periodiseringsnyckel") + 1).value == "jämn"
    assert math.isclose(ws.cell(vux, titles.index("Rader") + 1).value, 4)


def test_stored_figures_are_exact_and_small_amounts_show_themselves(tmp_path: Path) -> None:
    import json

    # internal revenue and cost of 50 000 kr (0,05 mkr) between two areas, 3 000 kr on an ansvar without an area,
    # and amounts whose sum in floats is 0.09999999999999999
    rows = [
        [*line("2024-01", "1300", "3110", -50_000)[:6], "2", "-50000,00", "intern"],
        [*line("2024-01", "1010", "4010", 50_000)[:6], "2", "50000,00", "intern"],
        line("2024-01", "9999", "4010", 3_000),
        line("2024-02", "1001", "3110", -10_000),
        line("2024-03", "1001", "3110", -20_000),
        line("2024-04", "1001", "3110", -70_000),
    ]
    ledger = write_ledger_csv(tmp_path / "h.csv", rows)
    wb = load_workbook(workbook(tmp_path, ledger))
    ws = wb["Avstämning"]
    head = header_row(ws)
    titles = [c.value for c in ws[head]]
    by_label = {ws.cell(r, 1).value: r for r in range(head + 1, ws.max_row + 1)}
    elim = by_label["Eliminering nämndinterna poster"]
    col = {t: titles.index(t) + 1 for t in ("Utfall intäkt ack.", "Utfall kostnad ack.", "varav interna intäkter")}
    assert ws.cell(elim, col["Utfall intäkt ack."]).value == -0.05  # was 0 0 0 beside "0,05 mkr eliminated"
    assert ws.cell(elim, col["Utfall kostnad ack."]).value == 0.05
    assert ws.cell(by_label["Totalt Kommunstyrelsen"], col["varav interna intäkter"]).value == 0.05
    pol = by_label["Politisk organisation"]
    assert ws.cell(pol, col["Utfall intäkt ack."]).value == 0.1  # 0,01 + 0,02 + 0,07 mkr, no float noise
    unmapped = by_label["ansvar utan produktionsområde (VP501)"]
    assert ws.cell(unmapped, 3).value == -0.003  # −3 000 kr in mkr, shown so (not 0,00)
    assert ws.cell(unmapped, 3).number_format == "#,##0.000;-#,##0.000;0.000"
    out = tmp_path / "r.json"
    main(
        [
            "reconcile",
            str(BUDGET),
            str(ledger),
            "--period",
            "2024-04",
            "--format",
            "json",
            "--output",
            str(out),
            "--ingen-historik",
        ]
    )
    text = out.read_text(encoding="utf-8")
    assert "99999" not in text and "00000000" not in text
    data = json.loads(text)
    assert data["eliminated"] == 0.05 and data["board"]["internal_revenue"] == 0.05
    assert next(a for a in data["areas"] if a["area"] == "Politisk organisation")["actual_to_date"]["revenue"] == 0.1
