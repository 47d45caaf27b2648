"""Issue 9, the writing side: no live formulas, no overwritten input, no inf/nan, Swedish refusals, clean temp files.

The hostile inputs come from scripts/make_hostile_outputs.py. Every output workbook
is checked by walking the ``<f>`` elements of all its XML parts: only the formulas
the tool meant to write (the template's own, the reconciliation chart's ranges) may
be there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT, WORKBOOKS
from .test_bad_input import assert_swedish_refusal, run

SAMPLE = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"
TEMPLATE = WORKBOOKS / "templates" / "tertialrapport-april.xlsx"
CHART_RANGE = re.compile(r"'(?:Avstämning|Diagramdata)'!\$?[A-Z]+\$?\d+(:\$?[A-Z]+\$?\d+)?")


def _load_builders() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_hostile_outputs", ROOT / "scripts" / "make_hostile_outputs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hostile = _load_builders()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fientligt")
    built: dict[str, Path] = hostile.build_all(folder)
    return built


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def formulas(path: Path) -> dict[str, list[str]]:
    """Every <f> element in every XML part of a workbook: part -> formula texts (shared followers as "")."""
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            text = z.read(name).decode("utf-8", "replace")
            got = [m.group(2) or "" for m in re.finditer(r"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", text, re.S)]
            if got:
                found[name] = got
    return found


def assert_only_intended_formulas(path: Path, allowed: dict[str, list[str]] | None = None, chart: bool = False) -> None:
    """The workbook's formulas are exactly ``allowed`` (a template's own), plus chart ranges when ``chart``."""
    got = formulas(path)
    for part, texts in list(got.items()):
        if chart and part.startswith("xl/charts/"):
            assert all(CHART_RANGE.fullmatch(t) for t in texts), (part, texts)
            del got[part]
    assert got == (allowed or {}), f"formulas the tool did not mean to write: {got}"


def sheet_texts(path: Path) -> str:
    """All shared and inline strings of a workbook, as one text (for asserting hostile text arrived as text)."""
    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/")
        )


# --- the helper itself ------------------------------------------------------------------------


def test_the_formula_walker_sees_formulas(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "=cmd|'/C calc'!A0"
    wb.save(tmp_path / "f.xlsx")
    assert formulas(tmp_path / "f.xlsx") == {"xl/worksheets/sheet1.xml": ["cmd|'/C calc'!A0"]}
    with pytest.raises(AssertionError):
        assert_only_intended_formulas(tmp_path / "f.xlsx")


# --- 1. no live formulas in any output workbook --------------------------------------------------


def test_reconciliation_workbook_keeps_hostile_area_names_as_text(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "avstamning.xlsx"
    rc, _, err = run(
        [
            "reconcile", str(inputs["budget"]), str(inputs["ledger"]), "--settings", str(inputs["settings"]),
            "--format", "xlsx", "--output", str(out),
        ],
        capsys,
    )  # fmt: skip
    assert rc in (0, 1), err
    assert_only_intended_formulas(out, chart=True)
    import openpyxl

    book = openpyxl.load_workbook(out)
    ws = book["Avstämning"]
    column_a = [c.value for c in ws["A"] if c.value is not None]
    # the area rows and the chart data (a sheet of its own) hold the names as text, the DDE payload included
    assert column_a.count("=cmd|'/C calc'!A0") == 1
    assert [c.value for c in book["Diagramdata"]["A"]].count("=cmd|'/C calc'!A0") == 1
    assert "=2+2" in column_a  # the Ansvar row whose area matches nothing
    assert "\t=2" in column_a  # the tab is kept, not stripped into a formula
    assert "Stöd och utveckling" in column_a  # the control character removed, not a crash
    for cell in ws["A"]:
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
            assert cell.data_type == "s" and cell.quotePrefix
    text = sheet_texts(out)
    assert "cmd|" in text and "=1+1" in text and "@SUM(1)" in text


def test_validation_report_keeps_hostile_messages_sheet_names_and_reasons_as_text(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rapport.xlsx"
    rc, _, err = run(
        ["validate", str(inputs["budget"]), "--settings", str(inputs["settings"]), "--format", "xlsx", "--output", str(out)],
        capsys,
    )
    assert rc in (0, 1), err
    assert_only_intended_formulas(out)
    text = sheet_texts(out)
    assert "HYPERLINK" in text  # the exemption reasons and the unknown row's name arrived, as text
    import openpyxl

    ws = openpyxl.load_workbook(out)["Valideringsrapport"]
    sheets = {ws.cell(r, 4).value for r in range(1, ws.max_row + 1)}
    assert "=1+1" in sheets  # the sheet named "=1+1" is text in the "Blad" column


def test_report_rows_built_from_hostile_findings(tmp_path: Path) -> None:
    from vpexcel.findings import Finding, Report, Severity
    from vpexcel.io.report_xlsx import write_report

    findings = [
        Finding(
            code="VP102", severity=Severity.WARNING, sheet=h, cell="A1", message=h, expected=h, actual=float("inf"),
            suggestion=h, silenced=h,
        )
        for h in hostile.HOSTILE
    ]  # fmt: skip
    out = write_report(Report(file="=1+1.xlsx", findings=findings), SAMPLE, tmp_path / "r.xlsx")
    assert_only_intended_formulas(out)
    assert "<v>inf</v>" not in sheet_texts(out)


def test_excel_escapes_in_text_are_written_as_typed(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    from vpexcel.findings import Finding, Report, Severity
    from vpexcel.io.report_xlsx import write_report

    message = "_x003D_cmd|'/C calc'!A0"  # Excel would show "_x003D_" decoded as "="
    finding = Finding(code="VP102", severity=Severity.WARNING, sheet="Blad1", cell="A1", message=message, suggestion="\r=1")
    out = write_report(Report(file="b.xlsx", findings=[finding]), SAMPLE, tmp_path / "r.xlsx")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    values = [v for row in rows for v in row]
    assert message in values and "\r=1" in values  # the CR kept, not turned into a line feed


def test_report_on_another_drive_links_by_full_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    from vpexcel.findings import Finding, Report, Severity
    from vpexcel.io import report_xlsx

    def other_drive(path: str, start: str | None = None) -> str:
        raise ValueError("path is on mount 'C:', start on mount 'D:'")

    monkeypatch.setattr(report_xlsx.os.path, "relpath", other_drive)
    finding = Finding(code="VP102", severity=Severity.WARNING, sheet="Blad1", cell="A1", message="m")
    out = report_xlsx.write_report(Report(file="b.xlsx", findings=[finding]), SAMPLE, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    links = [c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink]
    assert links and links[0].startswith(str(SAMPLE.resolve()).replace(os.sep, "/"))


def test_settings_workbook_keeps_hostile_names_as_text(inputs: dict[str, Path], tmp_path: Path) -> None:
    from vpexcel.io.settings_io import load_settings_file, write_settings_workbook

    settings = load_settings_file(inputs["settings"])
    out = write_settings_workbook(tmp_path / "installningar.xlsx", settings)
    assert_only_intended_formulas(out)
    back = load_settings_file(out)
    names = [a.name for a in back.areas]
    assert "=cmd|'/C calc'!A0" in names and "@SUM(1)" in names and "Stöd och utveckling" in names


TEMPLATES = {
    "manadsrapport-februari.xlsx": "2024-02",
    "tertialrapport-april.xlsx": "2024-04",
    "delarsrapport-augusti.xlsx": "2024-08",
    "manadsrapport-oktober.xlsx": "2024-10",
    "arsredovisning-december.xlsx": "2024-12",
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_filled_template_has_only_its_own_formulas(
    name: str, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = hostile.hostile_template(tmp_path / name, name)
    out = tmp_path / "ifylld.xlsx"
    rc, _, err = run(
        [
            "fill", str(template), "--period", TEMPLATES[name], "--budget", str(inputs["budget"]),
            "--ledger", str(inputs["ledger"]), "--forecast", str(inputs["forecast"]),
            "--indicators", str(WORKBOOKS / "kolada-1441.json"), "--settings", str(inputs["settings"]),
            "--date", "2024-05-15", "--output", str(out),
        ],
        capsys,
    )  # fmt: skip
    assert rc == 1, err  # filled; the hostile areas have no row of their own in the template (listed)
    assert_only_intended_formulas(out, formulas(template))


def test_filled_template_keeps_hostile_comments_as_inline_text(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ifylld.xlsx"
    rc, _, err = run(
        [
            "fill", str(inputs["template"]), "--period", "2024-04", "--budget", str(inputs["budget"]),
            "--ledger", str(inputs["ledger"]), "--forecast", str(inputs["forecast"]),
            "--indicators", str(WORKBOOKS / "kolada-1441.json"), "--settings", str(inputs["settings"]),
            "--date", "2024-05-15", "--output", str(out),
        ],
        capsys,
    )  # fmt: skip
    assert rc == 1, err  # filled; the hostile areas have no row of their own in the template (listed)
    assert_only_intended_formulas(out, formulas(inputs["template"]))
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    # the forecast's hostile comments are inline text; the CR is kept as Excel's escape, the bell removed
    assert '<t xml:space="preserve">=1+1</t>' in sheet
    assert "<t xml:space=\"preserve\">_x000D_=cmd|'/C calc'!A0</t>" in sheet
    assert "\x07" not in sheet


def test_patcher_escapes_what_xml_cannot_hold() -> None:
    from vpexcel.io.xlsx_patch import _cell_xml

    assert _cell_xml("A1", b"", "\r=1") == b'<c r="A1" t="inlineStr"><is><t xml:space="preserve">_x000D_=1</t></is></c>'
    assert b">\t=1<" in _cell_xml("A1", b"", "\t=1")
    assert b">ab<" in _cell_xml("A1", b"", "a\x01\ud800b")  # a control character and a lone surrogate go
    assert b">_x005F_x0041_ &amp; &lt;f&gt;<" in _cell_xml("A1", b"", "_x0041_ & <f>")
    with pytest.raises(ValueError):
        _cell_xml("A1", b"", float("nan"))


# --- 2. an output is never an input ---------------------------------------------------------------


@pytest.fixture
def settings_book(tmp_path: Path) -> Path:
    from vpexcel.io.settings_io import write_settings_workbook

    return write_settings_workbook(tmp_path / "s.xlsx")


@pytest.mark.parametrize("fmt", ["text", "json", "xlsx"])
def test_validate_refuses_to_write_over_its_settings(fmt: str, settings_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(settings_book)
    rc, _, err = run(
        ["validate", str(SAMPLE), "--settings", str(settings_book), "--format", fmt, "--output", str(settings_book)], capsys
    )
    assert_swedish_refusal(rc, err, "skriva över", "s.xlsx")
    assert digest(settings_book) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_the_same_file_under_another_name_is_refused(
    link: str, settings_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "annat-namn.xlsx"
    (os.symlink if link == "symlink" else os.link)(settings_book, other)
    before = digest(settings_book)
    rc, _, err = run(
        ["validate", str(SAMPLE), "--settings", str(settings_book), "--format", "json", "--output", str(other)], capsys
    )
    assert_swedish_refusal(rc, err, "skriva över")
    assert digest(settings_book) == before


@pytest.mark.parametrize("fmt", ["text", "json", "xlsx"])
def test_reconcile_refuses_to_write_over_its_budget_or_settings(
    fmt: str, settings_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    budget = tmp_path / "budget.xlsx"
    budget.write_bytes(SAMPLE.read_bytes())
    for target in (budget, settings_book):
        before = digest(target)
        rc, _, err = run(
            ["reconcile", str(budget), str(LEDGER), "--settings", str(settings_book), "--format", fmt, "--output", str(target)],
            capsys,
        )
        assert_swedish_refusal(rc, err, "skriva över", target.name)
        assert digest(target) == before


def test_reconcile_and_fill_refuse_their_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "huvudbok.csv"
    ledger.write_bytes(LEDGER.read_bytes())
    before = digest(ledger)
    rc, _, err = run(["reconcile", str(SAMPLE), str(ledger), "--format", "json", "--output", str(ledger)], capsys)
    assert_swedish_refusal(rc, err, "huvudbok.csv")
    forecast = tmp_path / "prognos.xlsx"
    forecast.write_bytes((WORKBOOKS / "prognos-2024.xlsx").read_bytes())
    link = tmp_path / "rapport.xlsx"
    link.symlink_to(forecast)
    rc, _, err = run(
        [
            "fill", str(TEMPLATE), "--period", "2024-04", "--budget", str(SAMPLE), "--ledger", str(ledger),
            "--forecast", str(forecast), "--output", str(link),
        ],
        capsys,
    )  # fmt: skip
    assert_swedish_refusal(rc, err, "prognos.xlsx")
    assert digest(ledger) == before and forecast.read_bytes() == (WORKBOOKS / "prognos-2024.xlsx").read_bytes()


def test_kolada_cache_must_not_be_the_settings_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "s.json"
    settings.write_text(json.dumps({"board": "Kommunstyrelsen"}), encoding="utf-8")
    before = digest(settings)
    rc, _, err = run(
        [
            "kolada",
            "fetch",
            "--years",
            "2023",
            "--settings",
            str(settings),
            "--cache",
            str(settings),
            "--api",
            "http://127.0.0.1:9",
        ],
        capsys,
    )
    assert_swedish_refusal(rc, err, "s.json")
    assert digest(settings) == before


def test_kolada_cache_that_cannot_be_written_is_refused_before_fetching(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "fil"
    blocker.write_text("x")
    for cache, words in ((tmp_path, ("mapp",)), (blocker / "k.json", ("är en fil",))):
        rc, _, err = run(["kolada", "fetch", "--years", "2023", "--cache", str(cache), "--api", "http://127.0.0.1:9"], capsys)
        assert_swedish_refusal(rc, err, *words)


def test_init_never_replaces_without_force_nor_a_read_only_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "budget.xlsx"
    target.write_bytes(SAMPLE.read_bytes())
    rc, _, err = run(["init", "--output", str(target)], capsys)
    assert_swedish_refusal(rc, err, "--force")
    target.chmod(0o444)
    rc, _, err = run(["init", "--output", str(target), "--force"], capsys)
    assert_swedish_refusal(rc, err, "skrivskyddad")
    assert target.read_bytes() == SAMPLE.read_bytes()


def test_dropped_workbook_never_writes_over_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "B.xlsx"
    book.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "B-valideringsrapport.xlsx").symlink_to(book)  # where the report of a dropped workbook goes
    rc, _, err = run([str(book)], capsys)
    assert_swedish_refusal(rc, err, "B.xlsx")
    assert book.read_bytes() == SAMPLE.read_bytes()


# --- 3. non-finite numbers are never written -------------------------------------------------------


def _patched(src: Path, dst: Path, part: str, old: bytes, new: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                assert old in data
                data = data.replace(old, new, 1)
            zout.writestr(info, data)
    return dst


@pytest.fixture(params=["inf", "1e309"])
def infinite_budget(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    # F7 and G7: Kommunledning och verksamhetsstöd, brutto kostnad and netto 2024
    value = b"<v>" + str(request.param).encode() + b"</v>"
    step = _patched(SAMPLE, tmp_path / "steg.xlsx", "xl/worksheets/sheet1.xml", b"<v>-158</v>", value)
    return _patched(step, tmp_path / "budget.xlsx", "xl/worksheets/sheet1.xml", b"<v>-148.2</v>", value)


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON")

    return json.loads(text, parse_constant=refuse)


def test_validate_json_is_strict_with_an_infinite_cell(infinite_budget: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["validate", str(infinite_budget), "--format", "json"], capsys)
    assert rc in (0, 1), err
    _strict(out)


def test_an_infinite_budget_cell_is_vp202(infinite_budget: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["validate", str(infinite_budget), "--format", "json"], capsys)
    found = _strict(out)
    assert rc == 1
    assert any(f["code"] == "VP202" and f["cell"] in ("F7", "G7") for f in found["findings"])  # type: ignore[index]


def test_reconcile_refuses_an_infinite_budget_cell(infinite_budget: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An area's budget that is no number stops the run naming the cell: never a silent 0 or NaN in the figures."""
    rc, out, err = run(["reconcile", str(infinite_budget), str(LEDGER), "--period", "2024-04", "--format", "json"], capsys)
    assert_swedish_refusal(rc, err, "F7", "Produktionsområden", "inte är ett belopp")
    assert out == ""


def test_strict_json_turns_non_finite_numbers_into_null() -> None:
    from vpexcel.render import strict_json

    assert json.loads(strict_json({"a": [float("inf"), 1.5, {"b": float("nan")}]})) == {"a": [None, 1.5, {"b": None}]}


def test_fill_refuses_an_infinite_budget_cell(infinite_budget: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ifylld.xlsx"
    rc, _, err = run(
        [
            "fill", str(TEMPLATE), "--period", "2024-04", "--budget", str(infinite_budget), "--ledger", str(LEDGER),
            "--date", "2024-05-15", "--output", str(out),
        ],
        capsys,
    )  # fmt: skip
    assert_swedish_refusal(rc, err, "F7", "inte är ett belopp")
    assert not out.exists()


def test_fill_plan_refuses_a_non_finite_value() -> None:
    from vpexcel.fill import FillPlan
    from vpexcel.grid import SheetGrid

    sheet = SheetGrid(name="Blad1", rows=[[None, None]], formulas={})
    plan = FillPlan()
    assert not plan.put(sheet, 0, 1, float("nan"))
    assert plan.updates == {} and "Blad1!B1" in plan.missing[0]


def test_kolada_cache_with_nan_is_dropped_with_a_swedish_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = json.loads((WORKBOOKS / "kolada-1441.json").read_text(encoding="utf-8"))
    kpi = next(iter(cache["values"]))
    year = next(iter(cache["values"][kpi]))
    text = json.dumps(cache).replace(f'"{year}": {json.dumps(cache["values"][kpi][year])}', f'"{year}": NaN', 1)
    assert "NaN" in text
    bad = tmp_path / "kolada.json"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "ifylld.xlsx"
    rc, _, err = run(
        [
            "fill", str(TEMPLATE), "--period", "2024-04", "--budget", str(SAMPLE), "--ledger", str(LEDGER),
            "--indicators", str(bad), "--date", "2024-05-15", "--output", str(out),
        ],
        capsys,
    )  # fmt: skip
    assert rc == 0
    assert f"{kpi} {year}" in err and "används inte" in err
    xml = "".join(zipfile.ZipFile(out).read(n).decode() for n in zipfile.ZipFile(out).namelist() if n.endswith(".xml"))
    assert not re.search(r"<v>-?(inf|nan)", xml, re.I) and ">nan<" not in xml.lower()


def test_kolada_pages_drop_non_finite_values() -> None:
    from vpexcel.kolada import parse_page

    page = json.loads('{"values": [{"kpi": "N00090", "period": 2023, "values": [{"gender": "T", "value": NaN}]}]}')
    assert parse_page(page) == ([], None)


# --- 8. Swedish refusals instead of exit 3 ------------------------------------------------------------


def test_output_under_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "fil"
    blocker.write_text("x")
    for fmt in ("json", "xlsx"):
        rc, _, err = run(["validate", str(SAMPLE), "--format", fmt, "--output", str(blocker / "r.xlsx")], capsys)
        assert_swedish_refusal(rc, err, "är en fil")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_an_output_that_is_no_regular_file_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pipe = tmp_path / "ror"
    os.mkfifo(pipe)
    rc, _, err = run(["validate", str(SAMPLE), "--format", "json", "--output", str(pipe)], capsys)
    assert_swedish_refusal(rc, err, "ingen vanlig fil")
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_an_output_name_too_long_for_the_file_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = str(tmp_path / ("x" * 300 + ".xlsx"))
    for args in (["init", "--output", name], ["validate", str(SAMPLE), "--format", "xlsx", "--output", name]):
        rc, _, err = run(args, capsys)
        assert_swedish_refusal(rc, err, "kortare sökväg")


def test_an_output_folder_gets_a_file_inside_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ut"
    folder.mkdir()
    rc, _, err = run(["validate", str(SAMPLE), "--format", "json", "--output", str(folder)], capsys)
    assert rc == 0, err
    assert json.loads((folder / "budget-2024-validering.json").read_text(encoding="utf-8"))["file"] == "budget-2024.xlsx"
    rc, _, err = run(
        ["reconcile", str(SAMPLE), str(LEDGER), "--period", "2024-04", "--output", str(tmp_path / "ny") + "/"], capsys
    )
    assert rc in (0, 1), err
    assert (tmp_path / "ny" / "avstamning-2024-04.txt").is_file()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "låst"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        rc, _, err = run(["validate", str(SAMPLE), "--format", "xlsx", "--output", str(folder / "r.xlsx")], capsys)
        assert_swedish_refusal(rc, err, "skrivrätt")
    finally:
        folder.chmod(0o755)


def test_a_folder_that_cannot_be_written_is_refused_in_swedish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import vpexcel.io.atomic as atomic

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "open", denied)
    rc, _, err = run(["validate", str(SAMPLE), "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")], capsys)
    assert_swedish_refusal(rc, err, "skrivrätt")
    assert "Permission" not in err


def test_a_missing_folder_that_cannot_be_created_is_refused_in_swedish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", denied)
    out = tmp_path / "saknas" / "r.xlsx"
    rc, _, err = run(["validate", str(SAMPLE), "--format", "xlsx", "--output", str(out)], capsys)
    assert_swedish_refusal(rc, err, "går inte att skapa", "skrivrätt")


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_damaged_template_part_is_refused_while_copying(method: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a part nobody reads before the copy (the theme) with damaged bytes: a bad CRC (stored) or a zlib error (deflated)
    bad = tmp_path / "mall.xlsx"
    with zipfile.ZipFile(TEMPLATE) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename), compress_type=method)
    data = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as z:
        info = z.getinfo("xl/theme/theme1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(20, 60):
        data[start + k] ^= 0xFF
    bad.write_bytes(bytes(data))
    out = tmp_path / "ut.xlsx"
    rc, _, err = run(
        ["fill", str(bad), "--period", "2024-04", "--budget", str(SAMPLE), "--ledger", str(LEDGER), "--output", str(out)], capsys
    )
    assert_swedish_refusal(rc, err, "skadad", "xl/theme/theme1.xml")
    assert "CRC" not in err and not out.exists()
    assert not list(tmp_path.glob(".~vpexcel-*"))


def test_orphan_shared_formula_in_a_template_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _patched(
        TEMPLATE,
        tmp_path / "mall.xlsx",
        "xl/worksheets/sheet1.xml",
        b'<c r="B4" s="2"/>',
        b'<c r="B4" s="2"><f t="shared" si="9"/><v>0</v></c>',
    )
    rc, _, err = run(
        [
            "fill",
            str(bad),
            "--period",
            "2024-04",
            "--budget",
            str(SAMPLE),
            "--ledger",
            str(LEDGER),
            "--output",
            str(tmp_path / "u.xlsx"),
        ],
        capsys,
    )
    assert_swedish_refusal(rc, err, "B4", "formel")


def test_button_without_excel(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings as xw

    monkeypatch.delattr(xw.Book, "_mock_caller", raising=False)  # left by the xlwings tests in the same run
    rc, _, err = run(["knapp", "validate"], capsys)
    assert_swedish_refusal(rc, err, "Excel")
    rc, _, err = run(["knapp", "reconcile"], capsys)  # the ledger's path is missing
    assert_swedish_refusal(rc, err, "reconcile", "huvudboken")
    rc, _, err = run(["knapp", "validate", "--wb=budget.xlsx", "--from_xl=1", "--hwnd=1"], capsys)
    # the button itself says it (its sentence starts "vpexcel hittar ingen arbetsbok"), exit 2, one line
    assert rc == 2 and "Traceback" not in err
    assert err.startswith("vpexcel hittar ingen arbetsbok") and err.strip().count("\n") == 0


# --- 10. temporary files and modes ------------------------------------------------------------------


def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    from vpexcel.io.atomic import write_atomic

    before = signal.getsignal(signal.SIGTERM)

    def write(tmp: Path) -> None:
        tmp.write_text("halvfärdig")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

    with pytest.raises(SystemExit):
        write_atomic(tmp_path / "r.txt", write)
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before


def test_ctrl_c_during_a_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    from vpexcel.io.atomic import write_atomic

    def write(tmp: Path) -> None:
        tmp.write_text("halvfärdig")
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)

    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "r.txt", write)
    assert list(tmp_path.iterdir()) == []


def test_killed_process_cleans_up_on_sigterm(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from vpexcel.io.atomic import write_atomic\n"
        "def w(tmp):\n    tmp.write_text('x'); print('skriver', flush=True); time.sleep(60)\n"
        "write_atomic(Path(sys.argv[1]) / 'r.xlsx', w)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "skriver"
    assert len(list(tmp_path.glob(".~vpexcel-*"))) == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_stale_temporary_files_are_removed_on_the_next_write(tmp_path: Path) -> None:
    from vpexcel.io.atomic import write_atomic

    old = tmp_path / ".~vpexcel-123-abcd.xlsx"
    fresh = tmp_path / ".~vpexcel-456-ef01.xlsx"
    other = tmp_path / ".~lock.budget.xlsx#"
    for p in (old, fresh, other):
        p.write_text("x")
    two_days = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days, two_days))
    os.utime(other, (two_days, two_days))
    write_atomic(tmp_path / "r.txt", lambda tmp: tmp.write_text("ok"))
    assert not old.exists() and fresh.exists() and other.exists()


def test_outputs_keep_the_mode_they_replace_or_get_the_umask_default(tmp_path: Path) -> None:
    from vpexcel.io.atomic import write_atomic

    mask = os.umask(0o022)
    try:
        new = write_atomic(tmp_path / "ny.txt", lambda tmp: tmp.write_text("1"))
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        kept = tmp_path / "delad.txt"
        kept.write_text("0")
        kept.chmod(0o664)
        write_atomic(kept, lambda tmp: tmp.write_text("1"))
        assert stat.S_IMODE(kept.stat().st_mode) == 0o664 and kept.read_text() == "1"
    finally:
        os.umask(mask)


def test_a_read_only_output_is_refused_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rapport.xlsx"
    out.write_text("gammal")
    out.chmod(0o444)
    rc, _, err = run(["validate", str(SAMPLE), "--format", "xlsx", "--output", str(out)], capsys)
    assert_swedish_refusal(rc, err, "skrivskyddad")
    assert out.read_text() == "gammal"


# --- Kolada: the reason it could not be reached, in Swedish ------------------------------------------


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("gaierror", "adressen hittades inte"),
        ("refused", "anslutningen nekades"),
        ("timeout", "dröjde för länge"),
        ("badurl", "ogiltig"),
    ],
)
def test_kolada_unreachable_is_said_in_swedish(
    error: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket
    import urllib.error
    import urllib.request

    def fail(*args: object, **kwargs: object) -> None:
        if error == "gaierror":
            raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))
        if error == "refused":
            raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
        if error == "timeout":
            raise TimeoutError("timed out")
        raise ValueError("unknown url type: 'x/data'")

    monkeypatch.setattr(urllib.request, "urlopen", fail)
    rc, _, err = run(["kolada", "fetch", "--years", "2023", "--cache", str(tmp_path / "k.json")], capsys)
    assert_swedish_refusal(rc, err, words)
    assert not re.search(r"Errno|Name or service|refused|timed out|unknown url", err)
    assert not (tmp_path / "k.json").exists()


def test_kolada_address_must_be_http(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "hemlig.json"
    secret.write_text('{"values": [{"kpi": "N00090", "period": 2023, "values": [{"gender": "T", "value": 1}]}]}')
    rc, _, err = run(
        ["kolada", "fetch", "--years", "2023", "--cache", str(tmp_path / "k.json"), "--api", secret.as_uri()], capsys
    )
    assert_swedish_refusal(rc, err, "ogiltig")


def test_non_finite_formula_results_are_never_stored() -> None:
    from vpexcel.io.xlsx_patch import set_cached_values

    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1"><f>B1/C1</f><v>0</v></c><c r="B1"><f>1+1</f><v>0</v></c>'
        b"</row></sheetData></worksheet>"
    )
    out = set_cached_values(xml, {(0, 0): float("inf"), (0, 1): 2.0})
    assert b"<f>B1/C1</f><v>0</v>" in out and b"inf" not in out.lower()
    assert b"<v>2</v>" in out
