"""The command line as a user meets it: formats, exit codes, settings, the report workbook."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vpexcel.cli import main
from vpexcel.samples import clean_budget, per_area_budget
from vpexcel.settings import SETTINGS_SHEET, default_settings, settings_rows

from .conftest import WORKBOOKS


def test_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["validate", str(WORKBOOKS / "budget-2024-med-fel.xlsx"), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert data["file"] == "budget-2024-med-fel.xlsx"
    assert set(data["summary"]) >= {"error", "warning", "info"}
    assert data["summary"]["error"] == sum(1 for f in data["findings"] if f["severity"] == "error")
    first = data["findings"][0]
    assert {"code", "severity", "sheet", "cell", "message", "expected", "actual", "suggestion"} <= set(first)
    assert all(f["cell"] is None or f["cell"][0].isalpha() for f in data["findings"])


def test_clean_budget_exits_zero_and_says_so_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["validate", str(WORKBOOKS / "budget-2024.xlsx")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Summering: 0 fel, 0 varningar" in out and "Blad: Produktionsområden" in out


def test_xlsx_report_links_each_finding_to_its_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Path(shutil.copy(WORKBOOKS / "budget-2024-med-fel.xlsx", tmp_path / "budget.xlsx"))
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    out_dir = tmp_path / "rapporter"
    rc = main(["validate", str(book), "--format", "xlsx", "--output", str(out_dir) + "/"])
    assert rc == 1
    report = out_dir / "budget-valideringsrapport.xlsx"
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before  # the input is untouched
    ws = load_workbook(report)["Valideringsrapport"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Nivå")
    rows = list(ws.iter_rows(min_row=header + 1, values_only=True))
    assert rows and all(r[0] in ("fel", "varning", "info") for r in rows)
    link = next(ws.cell(r, 5) for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 5).value == "E7")
    assert link.hyperlink is not None and link.hyperlink.target == "../budget.xlsx#'Produktionsområden'!E7"
    assert ws.auto_filter.ref.startswith(f"A{header}")
    assert ws.column_dimensions["F"].width > 30
    formulas_as_text = [c for c in ws["H"] if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas_as_text and all(c.data_type == "s" for c in formulas_as_text)
    assert not list(tmp_path.rglob(".~vpexcel-*"))  # no temporary file left behind


def test_settings_sheet_in_the_workbook_overrides_the_default(make_book, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    settings = default_settings()
    settings.frames[1].amount = -250.0
    sheets = dict(clean_budget())
    sheets[SETTINGS_SHEET] = settings_rows(settings)
    rc = main(["validate", str(make_book(sheets)), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert [f["code"] for f in data["findings"] if f["severity"] == "error"] == ["VP304"]


def test_init_writes_a_settings_file_that_validate_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "installningar.xlsx"
    assert main(["init", "--output", str(target)]) == 0
    ws = load_workbook(target)[SETTINGS_SHEET]
    texts = {c.value for row in ws.iter_rows() for c in row if c.value}
    assert {"Produktionsområden", "Ramar", "Budgetbrygga", "Undantag", "Ekonomi", -253.2} <= texts
    assert main(["init", "--output", str(target)]) == 2  # never overwritten without --force
    capsys.readouterr()
    assert main(["validate", str(WORKBOOKS / "budget-2024.xlsx"), "--settings", str(target)]) == 0


def test_bad_setting_names_sheet_and_cell(make_book, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    rows = settings_rows(default_settings())
    i = next(n for n, r in enumerate(rows) if r and r[0] == 2024)
    rows[i] = [2024, "ungefär 250"]
    sheets = dict(per_area_budget())
    sheets[SETTINGS_SHEET] = rows
    rc = main(["validate", str(make_book(sheets))])
    err = capsys.readouterr().err
    assert rc == 2
    assert f"Inställningar!B{i + 1}" in err and "ungefär 250" in err


def test_json_settings_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = default_settings()
    settings.unit = "tkr"
    p = tmp_path / "s.json"
    p.write_text(settings.model_dump_json(), encoding="utf-8")
    main(["validate", str(WORKBOOKS / "budget-2024.xlsx"), "--settings", str(p), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert "VP105" in {f["code"] for f in data["findings"]}
    p.write_text("{inte json", encoding="utf-8")
    assert main(["validate", str(WORKBOOKS / "budget-2024.xlsx"), "--settings", str(p)]) == 2
    assert "inte giltig JSON" in capsys.readouterr().err


def test_output_piped_into_a_reader_that_stops_is_no_fault() -> None:
    """`vpexcel regler | head -1`: the reader goes away; no traceback, no internal fault, exit 0."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader has already gone: the first write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "vpexcel", "regler"], stdout=write, stderr=subprocess.PIPE, timeout=60, check=False
        )
    finally:
        os.close(write)
    assert done.returncode == 0
    assert done.stderr == b""


def test_screen_output_sent_to_a_file_keeps_the_whole_table(tmp_path: Path) -> None:
    """`vpexcel reconcile ... > avstamning.txt`: the table is not cut at 80 columns (found by the tester)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    target = tmp_path / "avstamning.txt"
    with target.open("w", encoding="utf-8") as fh:
        subprocess.run(
            [sys.executable, "-m", "vpexcel", "reconcile", str(WORKBOOKS / "budget-2024.xlsx"), str(WORKBOOKS / "huvudbok-2024.csv"),
             "--period", "2024-04", "--ingen-historik"],
            stdout=fh, stderr=subprocess.PIPE, env=env, timeout=120, check=False,
        )  # fmt: skip
    text = target.read_text(encoding="utf-8")
    assert "Kommunledning och verksamhetsstöd" in text  # the longest area name, not "Kommunledning…"
    assert max(len(line) for line in text.splitlines()) > 80


def test_labels_and_sheet_names_with_brackets_are_shown_as_written(
    make_book,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    """ "Totalt [/]" crashed the text report (exit 3) and "[tkr]" or "[utkast]" vanished from it: the
    terminal library read them as its markup (found by the tester). They are shown as written."""
    rows = clean_budget()["Produktionsområden"]
    rows = [list(r) for r in rows]
    rows[4][0] = "Politisk organisation [tkr]"
    rows[4][3] = -8.8  # the net does not add up: a finding that quotes the row's label
    rows[13][0] = "Totalt [/]"
    book = make_book({"Budget": rows}, name="budget [utkast] [bold].xlsx")  # Excel allows no brackets in a sheet name
    rc = main(["validate", str(book)])
    out, err = capsys.readouterr()
    assert rc == 1, err
    assert "Traceback" not in err and "internt fel" not in err
    flat = " ".join(out.split())
    assert "Validering av budget [utkast] [bold].xlsx" in flat
    assert "Politisk organisation [tkr]" in flat
    rc = main(["validate", str(book), "--visa"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Totalt [/]" in out


def _budget_with_label(tmp_path: Path, label: str) -> Path:
    """The clean budget with ``label`` as the first area's name, on a row whose net does not add up
    (so a finding quotes the label)."""
    import xlsxwriter

    rows = [list(r) for r in clean_budget()["Produktionsområden"]]
    path = tmp_path / "budget.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Budget")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, tuple):
                ws.write_formula(r, c, v[0], None, v[1])
            else:
                ws.write(r, c, v)
    ws.write_string(4, 0, label)
    ws.write_number(4, 3, -8.8)
    wb.close()
    return path


def test_terminal_controls_in_a_cell_are_not_sent_to_the_screen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cell can hold ESC (Excel's _x001B_ escape): a label quoted in a message must not clear the
    screen, colour the rest of the output or show a false link on the user's terminal."""
    # a label with controls, on a row whose net does not add up: the message quotes it
    path = _budget_with_label(tmp_path, "Politisk organisation\x1b[2J\x1b]8;;http://x.example\x07\r")
    rc = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert rc == 1, err
    assert "Politisk organisation" in out
    assert not any(ch in out + err for ch in "\x1b\x07\r")


def test_json_on_the_screen_carries_no_c1_terminal_controls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the reviewer: JSON written without ensure_ascii leaves U+009B (a one-character ESC [)
    and DEL as they are. On the screen they are escaped, and the JSON still reads the same label."""
    label = "Politisk organisation\x9b2J\x7f"
    path = _budget_with_label(tmp_path, label)
    rc = main(["validate", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 1, err
    assert not any("\x7f" <= ch <= "\x9f" for ch in out + err)
    assert any(label in f["message"] for f in json.loads(out)["findings"])


def test_a_file_name_with_terminal_controls_is_shown_without_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file may be named with ESC in it: the line saying where the report went must not colour or clear
    the terminal (found by the reviewer)."""
    book = Path(shutil.copy(WORKBOOKS / "budget-2024.xlsx", tmp_path / "budget\x1b[31mROD\x1b[0m.xlsx"))
    rc = main(["validate", str(book), "--format", "xlsx"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "Rapporten är sparad i" in out and "\x1b" not in out + err
