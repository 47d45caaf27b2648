"""The corpus: budget workbooks laid out the way kommuner keep them, correct and with planted mistakes.

For every layout: the correct workbook gives no error and no warning; the one with
mistakes gives exactly the findings the builder planted (code, sheet, cell), a
knock-on names its cause; and the table map vpexcel prints is what the builder
laid out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.layouts import INFO_CODES, LAYOUTS, Case, build
from corpus.sheet import TablePlan
from vpexcel.findings import Report
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.layout import MEASURE_SV, ROLE_SV, ROW_SV, SIGN_SV, ColumnKind, Measure, Sign, rows_text
from vpexcel.validate import validate

KINDS = {k.value: k for k in ColumnKind}
MEASURES = {m.value: m for m in Measure}


def run(case: Case) -> tuple[Report, list[tuple[str, list[str]]]]:
    assert case.path is not None
    read_as: list[tuple[str, list[str]]] = []
    return validate(read_workbook(case.path), None, read_as), read_as


def stated(report: Report) -> set[tuple[str, str | None, str | None]]:
    """Errors and warnings, and the info codes a case states (rounding notes are not mistakes)."""
    return {(f.code, f.sheet, f.cell) for f in report.findings if f.severity.value != "info" or f.code in INFO_CODES}


def test_the_corpus_has_at_least_twenty_layouts() -> None:
    assert len(LAYOUTS) >= 20


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_correct_workbook_gives_no_error_and_no_warning(name: str, tmp_path: Path) -> None:
    case = build(name, False, tmp_path)
    report, _ = run(case)
    assert not [f for f in report.findings if f.severity.value in ("error", "warning")], [
        (f.code, f.cell, f.message) for f in report.findings if f.severity.value != "info"
    ]
    assert stated(report) == {(e.code, e.sheet, e.cell) for e in case.expected}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_every_planted_mistake_is_found_at_its_cell(name: str, tmp_path: Path) -> None:
    case = build(name, True, tmp_path)
    report, _ = run(case)
    assert case.expected, "a layout with mistakes plants at least one"
    assert stated(report) == {(e.code, e.sheet, e.cell) for e in case.expected}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_knock_on_findings_name_their_cause_and_suggest_nothing(name: str, tmp_path: Path) -> None:
    case = build(name, True, tmp_path)
    report, _ = run(case)
    by_place = {(f.code, f.sheet, f.cell): f for f in report.findings}
    for e in case.expected:
        f = by_place[(e.code, e.sheet, e.cell)]
        if e.cause is None:
            assert f.cause_cell is None, (e, f.message)
            continue
        assert f.cause_cell is not None and "Följdfel av F" in f.message and f.suggestion is None, (e, f.message)
        if e.cause != "*":
            assert f"{f.cause_sheet}!{f.cause_cell}" == e.cause
        m = re.search(r"Följdfel av F(\d+) \((VP\d+) i ([^)]+)\)", f.message)
        assert m is not None
        cause = report.findings[int(m.group(1)) - 1]  # F-numbers count the report's findings from 1
        assert (
            (cause.code, f"{cause.sheet}!{cause.cell}")
            == (m.group(2), m.group(3))
            == (m.group(2), f"{f.cause_sheet}!{f.cause_cell}")
        )
        assert cause.cause_cell is None  # the root, not another knock-on


def expected_lines(plan: TablePlan) -> list[str]:
    """What the printed map must say about a table the builder laid out."""
    lines = [f"Tabell med rubrikrad {plan.header} ", f"  Enhet: {plan.unit}", f"  Tecken: {SIGN_SV[Sign(plan.sign)]}"]
    for letter, col in plan.columns.items():
        text = f"    {letter}: {ROLE_SV[KINDS[col.role]]}, {MEASURE_SV[MEASURES[col.measure]]}"
        lines.append(text)
        if col.year:
            lines.append(f"{col.year} (rubrik")
    counts = plan.counts()
    lines += [f"{ROW_SV[role]} {n}" for role, n in counts.items()]
    lines += [f"    rad {row} (" for row in plan.blocks]
    lines += [f"summerar rad {rows_text(rows)}" for rows in plan.blocks.values()]
    return lines


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_the_printed_map_is_what_the_builder_laid_out(name: str, tmp_path: Path) -> None:
    case = build(name, False, tmp_path)
    _report, read_as = run(case)
    printed = dict(read_as)
    for plan in case.tables:
        text = "\n".join(printed[plan.sheet])
        # the table of this plan: from its header line to the next table's
        start = text.index(f"Tabell med rubrikrad {plan.header} ")
        nxt = text.find("Tabell med rubrikrad", start + 1)
        part = text[start : nxt if nxt > 0 else None]
        for line in expected_lines(plan):
            assert line in part, f"{plan.sheet}: {line!r} not in\n{part}"
        # exactly the row roles laid out, no more
        (rows_line,) = [x for x in part.splitlines() if x.startswith("  Rader: ")]
        assert rows_line == "  Rader: " + ", ".join(
            f"{ROW_SV[k]} {n}" for k, n in sorted(plan.counts().items(), key=lambda kv: rows_line.index(ROW_SV[kv[0]] + " "))
        )


def test_visa_prints_the_map_in_swedish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vpexcel.cli import main

    case = build("monthly", False, tmp_path)
    assert main(["validate", str(case.path), "--visa"]) == 0
    out = capsys.readouterr().out
    assert out.index("Så lästes arbetsboken") < out.index("Validering av")
    for line in (
        "Blad: Månadsbudget",
        "B: netto, månad 1 (januari) 2024",
        "N: netto, helår 2024",
        "rad 14 (total, 'Totalt') summerar rad 8, 13",
    ):
        assert line in out


def test_report_workbook_has_the_map_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from vpexcel.cli import main

    case = build("total_top_groups", False, tmp_path)
    target = tmp_path / "rapport.xlsx"
    assert main(["validate", str(case.path), "--format", "xlsx", "--output", str(target)]) == 0
    ws = load_workbook(target)["Så lästes arbetsboken"]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "Budget 2024" in text and any("summerar rad 9, 14, 18" in t for t in text)


def test_sheet_without_understood_table_is_named_once(tmp_path: Path) -> None:
    report, read_as = run(build("unread_sheet", False, tmp_path))
    assert [(f.code, f.sheet) for f in report.findings if f.code == "VP106"] == [("VP106", "Investeringar")]
    assert "VP106" in " ".join(dict(read_as)["Investeringar"])


def test_uncalculated_workbook_is_said_once(tmp_path: Path) -> None:
    report, _ = run(build("uncalculated", True, tmp_path))
    (f,) = [f for f in report.findings if f.code == "VP206"]
    assert "Excel" in (f.suggestion or "") and not [g for g in report.findings if g.code == "VP203"]


def test_default_settings_on_another_kommun_say_vpexcel_init(tmp_path: Path) -> None:
    report, _ = run(build("areas_default_foreign", False, tmp_path))
    (f,) = [f for f in report.findings if f.code == "VP107"]
    assert "vpexcel init" in (f.suggestion or "") and "Lerums kommun" in f.message
