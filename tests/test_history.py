"""The history of runs: each command keeps what it saw; parallel runs, locked and read-only files."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.findings import Finding, Severity
from vpexcel.history import Figure, FileRef, RunRecord, forecast_development, new_record, previous_figures
from vpexcel.io.history_db import load_runs, save_run
from vpexcel.settings import default_settings

from .conftest import ROOT, WORKBOOKS, sample_fill_args


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A budget folder with copies of the samples, history on."""
    monkeypatch.delenv("VPEXCEL_HISTORIK", raising=False)
    for name in ("budget-2024.xlsx", "budget-2024-med-fel.xlsx", "huvudbok-2024.csv"):
        shutil.copy(WORKBOOKS / name, tmp_path / name)
    return tmp_path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_command_keeps_its_run_beside_the_budget(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    budget, ledger = folder / "budget-2024-med-fel.xlsx", folder / "huvudbok-2024.csv"
    assert main(["validate", str(budget), "--format", "json"]) == 1
    assert main(["reconcile", str(folder / "budget-2024.xlsx"), str(ledger), "--period", "2024-04", "--format", "json"]) == 1
    runs = load_runs(folder / "vpexcel-historik.sqlite")
    assert [r.command for r in runs] == ["validate", "reconcile"]
    check, rec = runs
    assert check.exit_code == 1 and check.year == 2024 and check.board == "Kommunstyrelsen"
    assert [(f.role, f.name, f.sha256) for f in check.files] == [("budget", budget.name, _sha(budget))]
    assert {f.code for f in check.findings} >= {"VP201", "VP204", "VP205"}
    assert json.loads(check.settings_json)["municipality"] == "Lerums kommun"
    # the figures per area and year as the workbook states them
    net = {(g.area, g.period): g.value for g in check.figures if g.kind == "net" and g.measure == "budget"}
    assert net[("Politisk organisation", "2024")] == -6.1
    assert net[("Kommunledning och verksamhetsstöd", "2023")] == -143.4
    assert rec.period == "2024-04" and [f.role for f in rec.files] == ["budget", "ledger"]
    assert any(f.code == "VP501" for f in rec.findings)
    actual = {g.area: g.value for g in rec.figures if g.measure == "actual_to_date" and g.kind == "net"}
    assert actual["Politisk organisation"] == pytest.approx(-2.0, abs=0.1)


def test_fill_keeps_its_forecasts(folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    args = sample_fill_args("tertialrapport-april.xlsx", "2024-04", "2024-05-15")
    args[args.index("--budget") + 1] = str(folder / "budget-2024.xlsx")
    assert main(args) == 0
    (run,) = load_runs(folder / "vpexcel-historik.sqlite")
    assert run.command == "fill" and run.period == "2024-04"
    assert [f.role for f in run.files] == ["template", "budget", "ledger", "forecast"]
    forecasts = {g.area: g for g in run.figures if g.measure == "forecast"}
    assert "Räddningstjänst" in forecasts and all(g.kind == "net" for g in forecasts.values())


def test_history_can_be_turned_off_by_option_and_by_setting(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    budget = folder / "budget-2024.xlsx"
    assert main(["validate", str(budget), "--ingen-historik"]) == 0
    assert not (folder / "vpexcel-historik.sqlite").exists()
    settings = default_settings().model_dump()
    settings["history"] = {"enabled": False}
    (folder / "s.json").write_text(json.dumps(settings), encoding="utf-8")
    assert main(["validate", str(budget), "--settings", str(folder / "s.json")]) == 0
    assert not (folder / "vpexcel-historik.sqlite").exists()
    # a file named in the settings, relative to the budget's folder
    settings["history"] = {"enabled": True, "file": "arkiv/ks.sqlite"}
    (folder / "arkiv").mkdir()
    (folder / "s.json").write_text(json.dumps(settings), encoding="utf-8")
    assert main(["validate", str(budget), "--settings", str(folder / "s.json")]) == 0
    assert [r.command for r in load_runs(folder / "arkiv" / "ks.sqlite")] == ["validate"]
    assert [f.role for f in load_runs(folder / "arkiv" / "ks.sqlite")[0].files] == ["budget", "settings"]


def test_historik_lists_shows_and_exports(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    budget = folder / "budget-2024-med-fel.xlsx"
    main(["validate", str(budget)])
    main(["validate", str(folder / "budget-2024.xlsx")])
    capsys.readouterr()
    db = folder / "vpexcel-historik.sqlite"
    assert main(["historik", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "2 körningar" in out and "budget-2024-med-fel.xlsx" in out and "Kontroll av budget" in out
    assert main(["historik", "visa", "1", "--db", str(folder)]) == 0
    out = capsys.readouterr().out
    assert _sha(budget) in out and "VP204" in out
    assert main(["historik", "visa", "9", "--db", str(db)]) == 2
    assert "Körning 9 finns inte" in capsys.readouterr().err
    import openpyxl

    target = folder / "revision.xlsx"
    assert main(["historik", "--db", str(budget), "--export", str(target)]) == 0
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Kontroller", "Avstämningar", "Ifyllda rapporter"]
    ws = wb["Kontroller"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert {r[0] for r in rows} == {1, 2}
    assert any(r[9] == "VP204" and r[6] == _sha(budget) for r in rows)


def test_no_history_file_says_where_it_looked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["historik", "--db", str(tmp_path / "saknas.sqlite")]) == 2
    assert "Det finns ingen historik" in capsys.readouterr().err


def test_user_text_in_the_audit_trail_stays_text(tmp_path: Path) -> None:
    import openpyxl

    from vpexcel.io.history_xlsx import write_audit

    db = tmp_path / "h.sqlite"
    evil = '=HYPERLINK("http://x","klicka")'
    save_run(db, _record(0, findings=[Finding(code="VP102", severity=Severity.WARNING, sheet=evil, cell="A1", message=evil)]))
    write_audit(load_runs(db), db, tmp_path / "rev.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "rev.xlsx")["Kontroller"]
    row = [c for c in ws[5]]
    assert row[11].value == evil and row[11].data_type == "s" and row[13].data_type == "s"


def _record(n: int, findings: list[Finding] | None = None) -> RunRecord:
    return new_record(
        "validate",
        f"2024-05-01T10:{n // 60:02d}:{n % 60:02d}+02:00",
        0,
        default_settings(),
        [FileRef("budget", "b.xlsx", "/x/b.xlsx", "0" * 64, 10)],
        findings=findings or [Finding(code="VP309", severity=Severity.INFO, sheet="S", cell="B2", message=f"run {n}")],
        figures=[Figure("Ekonomi", "2024", "budget", "net", -float(n), "mkr")],
    )


WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.test_history import _record
from vpexcel.io.history_db import save_run
for n in range({runs}):
    save_run(Path(sys.argv[1]), _record(int(sys.argv[2]) * 100 + n))
"""


def test_eight_parallel_writers_leave_a_consistent_database(tmp_path: Path) -> None:
    db, runs, writers = tmp_path / "h.sqlite", 25, 8
    code = WRITER.format(root=str(ROOT), runs=runs)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), str(w)], stderr=subprocess.PIPE) for w in range(writers)]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, errors
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == writers * runs
    # every run has exactly its own finding and figure: no write was interleaved or half done
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM findings").fetchone() == (writers * runs, writers * runs)
    assert con.execute("SELECT count(*) FROM figures f JOIN runs r ON r.id = f.run_id").fetchone()[0] == writers * runs
    messages = {row[0] for row in con.execute("SELECT message FROM findings")}
    assert messages == {f"run {w * 100 + n}" for w in range(writers) for n in range(runs)}
    con.close()


def test_a_locked_history_warns_once_and_the_run_completes(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vpexcel.io.history_db import remember
    from vpexcel.io.xlsx_reader import read_workbook

    db = folder / "vpexcel-historik.sqlite"
    save_run(db, _record(1))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        budget = folder / "budget-2024.xlsx"
        got = remember("validate", {"budget": budget}, 0, book=read_workbook(budget), timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert got is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "är låst" in err and "sparades inte i historiken" in err


def test_a_read_only_history_does_not_stop_the_run(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = folder / "vpexcel-historik.sqlite"
    save_run(db, _record(1))
    before = db.read_bytes()
    locked = _make_read_only(db)
    try:
        rc = main(["validate", str(folder / "budget-2024-med-fel.xlsx"), "--format", "json"])
    finally:
        _undo_read_only(db, locked)
    captured = capsys.readouterr()
    assert rc == 1 and json.loads(captured.out)["summary"]["error"] > 0  # the run's own result and exit code
    assert "skrivskyddad" in captured.err and captured.err.count("vpexcel:") == 1
    assert db.read_bytes() == before


def test_a_file_that_is_no_history_is_left_alone(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = folder / "vpexcel-historik.sqlite"
    db.write_bytes(b"not a database, an economist's notes" * 50)
    assert main(["validate", str(folder / "budget-2024.xlsx")]) == 0
    assert "ingen historikfil" in capsys.readouterr().err
    assert db.read_bytes().startswith(b"not a database")


def _make_read_only(path: Path) -> str:
    """chmod for an ordinary user; root ignores it, so there the file is made immutable (chattr)."""
    import os

    if os.geteuid() != 0:
        path.chmod(0o444)
        return "chmod"
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot make a file read-only for root here (chattr failed)")
    return "chattr"


def _undo_read_only(path: Path, how: str) -> None:
    if how == "chattr":
        subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o644)


def _fill_run(period: str, when: str, forecasts: dict[str, float], proposal: set[str] = frozenset()) -> RunRecord:  # type: ignore[assignment]
    figures = [Figure(a, "2024", "budget", "net", b, "mkr") for a, b in (("Ekonomi", -19.7), ("HR", -20.0))]
    figures += [
        Figure(a, period, "forecast", "net", v, "mkr", note="förslag" if a in proposal else None) for a, v in forecasts.items()
    ]
    return new_record("fill", when, 0, default_settings(), [], period=period, figures=figures)


def test_forecast_development_from_four_fills_of_the_year() -> None:
    runs = [
        _fill_run("2024-02", "2024-03-10T09:00", {"Ekonomi": -19.7, "HR": -20.0}, {"Ekonomi", "HR"}),
        _fill_run("2024-04", "2024-05-12T09:00", {"Ekonomi": -20.5, "HR": -19.8}),
        _fill_run("2024-04", "2024-05-14T09:00", {"Ekonomi": -20.9, "HR": -19.8}),  # filled again: the last one counts
        _fill_run("2024-08", "2024-09-10T09:00", {"Ekonomi": -21.0, "HR": -19.5}),
        _fill_run("2024-10", "2024-11-10T09:00", {"Ekonomi": -21.4, "HR": -19.9}),
        new_record("reconcile", "2024-11-11T09:00", 0, default_settings(), [], period="2024-10"),
    ]
    dev = forecast_development(runs, 2024)
    assert dev.periods == ["2024-02", "2024-04", "2024-08", "2024-10"]
    assert dev.forecasts["Ekonomi"] == {"2024-02": -19.7, "2024-04": -20.9, "2024-08": -21.0, "2024-10": -21.4}
    assert dev.budget == {"Ekonomi": -19.7, "HR": -20.0}
    assert dev.proposals == {("Ekonomi", "2024-02"), ("HR", "2024-02")}
    assert forecast_development(runs, 2023).periods == []


def test_the_history_file_gives_the_same_development_as_its_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading only each period's last fill from the database gives what all the runs give."""
    from vpexcel.io.history_db import forecast_development_for

    monkeypatch.delenv("VPEXCEL_HISTORIK", raising=False)
    runs = [
        _fill_run("2024-04", "2024-05-14T09:00", {"Ekonomi": -20.9, "HR": -19.8}, {"HR"}),
        _fill_run("2024-02", "2024-03-10T09:00", {"Ekonomi": -19.7, "HR": -20.0}),
        _fill_run("2024-04", "2024-05-12T09:00", {"Ekonomi": -20.5, "HR": -19.8}),  # kept later, but ran earlier
        new_record("fill", "2023-11-10T09:00", 0, default_settings(), [], period="2023-10"),
    ]
    db = tmp_path / "h.sqlite"
    for run in runs:
        save_run(db, run)
    got = forecast_development_for(default_settings(), tmp_path / "budget.xlsx", 2024, db)
    want = forecast_development(runs, 2024)
    assert got is not None and want.periods == got.periods == ["2024-02", "2024-04"]
    assert got.forecasts == want.forecasts and got.forecasts["Ekonomi"]["2024-04"] == -20.9
    assert got.proposals == want.proposals == {("HR", "2024-04")}
    assert got.budget == want.budget and got.rows() == want.rows()


def test_previous_figures_give_the_same_period_of_the_run_before() -> None:
    def rec(when: str, actual: float) -> RunRecord:
        return new_record(
            "reconcile", when, 0, default_settings(), [], period="2024-04",
            figures=[Figure("HR", "2024-04", "actual_to_date", "net", actual, "mkr")],
        )  # fmt: skip

    runs = [rec("2024-05-02T08:00", -6.0), rec("2024-05-09T08:00", -6.4), rec("2024-05-20T08:00", -6.6)]
    assert previous_figures(runs, "reconcile", "2024-04", "2024-05-20T08:00") == {"HR": {"actual_to_date": -6.4}}
    assert previous_figures(runs, "reconcile", "2024-04", "2024-05-01T00:00") == {}


def test_prognosutveckling_from_four_fills_of_the_year(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four real fills (February, April, August, October) leave what a delårsrapport's forecast table needs."""
    from vpexcel.io.history_db import forecast_development_for

    monkeypatch.chdir(folder)
    budget = folder / "budget-2024.xlsx"
    for template, period in (
        ("manadsrapport-februari.xlsx", "2024-02"),
        ("tertialrapport-april.xlsx", "2024-04"),
        ("delarsrapport-augusti.xlsx", "2024-08"),
        ("manadsrapport-oktober.xlsx", "2024-10"),
    ):
        args = sample_fill_args(template, period, "2024-11-15")
        args[args.index("--budget") + 1] = str(budget)
        assert main(args) == 0
    dev = forecast_development_for(default_settings(), budget, 2024)
    assert dev is not None and dev.periods == ["2024-02", "2024-04", "2024-08", "2024-10"]
    runs = load_runs(folder / "vpexcel-historik.sqlite")
    for run, period in zip(runs, dev.periods, strict=True):
        written = {g.area: g.value for g in run.figures if g.measure == "forecast"}
        assert {a: f[period] for a, f in dev.forecasts.items() if period in f} == written
    assert dev.budget["Räddningstjänst"] == -33.7
    rows = dev.rows()
    assert rows[0] == [
        "Produktionsområde",
        "Budget 2024",
        "Prognos februari",
        "Prognos april",
        "Prognos augusti",
        "Prognos oktober",
    ]
    assert rows[1][0] == "Politisk organisation" and rows[1][1] == -6.1 and len(rows) == 1 + len(dev.areas)
    assert forecast_development_for(default_settings(), folder / "saknas" / "budget.xlsx", 2024) is None


def test_a_fault_while_keeping_the_history_keeps_the_runs_result(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import vpexcel.history

    def broken(*args: object) -> list[Figure]:
        raise RuntimeError("a bug in the history")

    monkeypatch.setattr(vpexcel.history, "budget_figures_of", broken)
    monkeypatch.setenv("TMPDIR", str(folder))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    assert main(["validate", str(folder / "budget-2024-med-fel.xlsx"), "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert err.count("vpexcel:") == 1 and "internt fel" in err and "sparades inte i historiken" in err
    assert "a bug in the history" in (folder / "vpexcel-fel.log").read_text(encoding="utf-8")


def test_an_output_never_replaces_the_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate ... --format xlsx --output vpexcel-historik.sqlite` would have replaced the year's audit trail."""
    monkeypatch.delenv("VPEXCEL_HISTORIK", raising=False)
    book = tmp_path / "budget.xlsx"
    shutil.copy(WORKBOOKS / "budget-2024.xlsx", book)
    assert main(["validate", str(book), "--format", "json"]) == 0  # keeps a history beside the budget
    history = tmp_path / "vpexcel-historik.sqlite"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.xlsx", history.name]  # no empty journal left beside it
    before = history.read_bytes()
    capsys.readouterr()
    for fmt in ("xlsx", "json", "text"):
        assert main(["validate", str(book), "--format", fmt, "--output", str(history), "--ingen-historik"]) == 2
        err = capsys.readouterr().err
        assert "databas" in err and "ersätts inte" in err
    assert history.read_bytes() == before


def test_delarsrapport_and_arsredovisning_get_the_years_forecasts_from_four_fills(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four fills of the year build the history; the delårsrapport and årsredovisning show it in Prognosutveckling."""
    import openpyxl

    from tests.test_fill import assert_only_fill_changed

    monkeypatch.chdir(folder)
    budget = folder / "budget-2024.xlsx"
    written: dict[str, dict[str, float]] = {}
    for template, period in (
        ("manadsrapport-februari.xlsx", "2024-02"),
        ("tertialrapport-april.xlsx", "2024-04"),
        ("delarsrapport-augusti.xlsx", "2024-08"),
        ("manadsrapport-oktober.xlsx", "2024-10"),
    ):
        args = sample_fill_args(template, period, "2024-11-15")
        args[args.index("--budget") + 1] = str(budget)
        assert main(args) == 0
        run = load_runs(folder / "vpexcel-historik.sqlite")[-1]
        written[period] = {g.area: g.value for g in run.figures if g.measure == "forecast"}
    capsys.readouterr()
    assert len({tuple(sorted(f.items())) for f in written.values()}) > 1  # the forecasts moved during the year

    for template, period in (("arsredovisning-december.xlsx", "2024-12"), ("delarsrapport-augusti.xlsx", "2024-08")):
        args = sample_fill_args(template, period, "2025-02-10")
        args[args.index("--budget") + 1] = str(budget)
        args += ["--output", str(folder / f"ut-{template}")]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "Prognosutveckling: prognosutvecklingen på rad 4" in out
        ws = openpyxl.load_workbook(folder / f"ut-{template}")["Prognosutveckling"]
        heads = [c.value for c in ws[4]]
        assert heads[:6] == [
            "Produktionsområde",
            "Budget helår",
            "Prognos februari",
            "Prognos april",
            "Prognos augusti",
            "Prognos oktober",
        ]
        rows = {r[0].value: r for r in ws.iter_rows(min_row=5) if r[0].value and r[0].value != "Totalt"}
        assert rows["Räddningstjänst"][1].value == -33.7
        for col, p in ((2, "2024-02"), (3, "2024-04"), (4, "2024-08"), (5, "2024-10")):
            expected = {a: round(v, 6) for a, v in written[p].items()}
            if period == "2024-08" and p == "2024-10":  # a later follow-up than the report: empty
                assert all(rows[a][col].value is None for a in rows)
                continue
            assert {a: rows[a][col].value for a in rows} == expected, p
        # a forecast that was vpexcel's proposal (the area sent none) says so in a note; the areas' own do not
        assert rows["Stöd och utveckling"][2].comment is not None
        assert rows["Stöd och utveckling"][2].comment.text.startswith("Förslag från vpexcel: utfall jan–feb + budget mar–dec")
        assert rows["Räddningstjänst"][2].comment is None
        if period == "2024-12":
            assert heads[6] == "Utfall helår" and isinstance(rows["Räddningstjänst"][6].value, float)
        assert_only_fill_changed(WORKBOOKS / "templates" / template, folder / f"ut-{template}")


def test_without_history_the_forecast_table_is_left_empty_and_the_fill_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    monkeypatch.chdir(tmp_path)
    args = [*sample_fill_args("delarsrapport-augusti.xlsx", "2024-08", "2024-09-15"), "--ingen-historik"]
    assert main([*args, "--output", str(tmp_path / "ut.xlsx")]) == 0
    assert "Ingen prognoshistorik ännu" in capsys.readouterr().out
    ws = openpyxl.load_workbook(tmp_path / "ut.xlsx")["Prognosutveckling"]
    assert all(c.value is None for row in ws.iter_rows(min_row=5, max_row=8, min_col=2, max_col=6) for c in row)


def test_reconciliation_workbook_shows_the_same_period_at_the_run_before(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A late booking between two reconciliations of April shows as a change beside the previous run's figure."""
    import openpyxl

    budget, ledger = folder / "budget-2024.xlsx", folder / "huvudbok-2024.csv"

    def run(name: str) -> openpyxl.worksheet.worksheet.Worksheet:
        out = folder / name
        assert main(["reconcile", str(budget), str(ledger), "--period", "2024-04", "--format", "xlsx", "--output", str(out)]) in (
            0,
            1,
        )
        return openpyxl.load_workbook(out)["Avstämning"]

    def table(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, tuple[float, float, float]]:
        head = next((r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Utfall netto ack. förra körningen"), None)
        if head is None:
            return {}
        out = {}
        for r in range(head + 1, ws.max_row + 1):
            if not ws.cell(r, 1).value:
                break
            out[ws.cell(r, 1).value] = (ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 4).value)
        return out

    assert table(run("forsta.xlsx")) == {}  # no earlier run: no table
    with ledger.open("a", encoding="utf-8", newline="") as fh:
        fh.write("2024-03;1151;100;5010;;;;500000,00;Sen bokning\r\n")
    later = table(run("andra.xlsx"))
    assert "Samma period vid förra avstämningen" in " ".join(
        str(c.value) for row in run("tredje.xlsx").iter_rows(max_col=1) for c in row if c.value
    )
    area = "Kommunledning och verksamhetsstöd"  # ansvar 1151 (Ekonomi) belongs to it
    assert later[area][2] == pytest.approx(later[area][1] - later[area][0], abs=0.05)
    assert abs(later[area][2]) == pytest.approx(0.5, abs=0.05)
    assert all(v[2] == 0 for a, v in later.items() if a not in (area, "Totalt Kommunstyrelsen"))
    assert later["Totalt Kommunstyrelsen"][2] == later[area][2]


def test_the_previous_run_comes_in_todays_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A previous reconciliation kept in tkr is shown beside today's in mkr (the unit was changed in between)."""
    from vpexcel.io.history_db import previous_run_for

    monkeypatch.delenv("VPEXCEL_HISTORIK", raising=False)
    db = tmp_path / "h.sqlite"
    figures = [
        Figure("HR", "2024-04", "actual_to_date", "net", -6400.0, "tkr"),
        Figure("HR", "2024-04", "actual_to_date", "cost", -1.0, "tkr"),
    ]
    save_run(db, new_record("reconcile", "2024-05-09T08:00", 0, default_settings(), [], period="2024-04", figures=figures))
    save_run(db, new_record("reconcile", "2024-05-09T08:00", 0, default_settings(), [], period="2024-08"))
    when, got = previous_run_for(default_settings(), tmp_path / "b.xlsx", "reconcile", "2024-04", db, "mkr") or ("", {})
    assert when == "2024-05-09T08:00" and got == {"HR": {"actual_to_date": pytest.approx(-6.4)}}
    assert previous_run_for(default_settings(), tmp_path / "b.xlsx", "reconcile", "2024-02", db, "mkr") is None


def test_forecast_development_reads_months_kept_in_different_units_alike() -> None:
    """February's fill kept in tkr, April's in mkr: one table in the latest unit (found by review)."""
    from vpexcel.history import Figure, RunRecord, forecast_development

    def fill(period: str, unit: str, forecast: float, budget: float, when: str) -> RunRecord:
        figures = [
            Figure("Räddningstjänst", period, "forecast", "net", forecast, unit),
            Figure("Räddningstjänst", "2024", "budget", "net", budget, unit),
        ]
        return RunRecord("fill", when, 0, "Lerums kommun", "Kommunstyrelsen", 2024, period, "{}", figures=figures)

    dev = forecast_development(
        [
            fill("2024-02", "tkr", -34_100.0, -33_700.0, "2024-03-01T09:00"),
            fill("2024-04", "mkr", -34.5, -33.7, "2024-05-01T09:00"),
        ],
        2024,
    )
    assert dev.unit == "mkr"
    assert dev.forecasts["Räddningstjänst"] == {"2024-02": pytest.approx(-34.1), "2024-04": pytest.approx(-34.5)}
    assert dev.budget["Räddningstjänst"] == pytest.approx(-33.7)


def test_another_boards_runs_in_the_same_folder_do_not_feed_the_forecast_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default history is per folder; a second board's fills there must not show in this board's table (review)."""
    from vpexcel.io.history_db import forecast_development_for, save_run
    from vpexcel.settings import default_settings

    def fill(board: str, value: float) -> RunRecord:
        figures = [Figure("Räddningstjänst", "2024-04", "forecast", "net", value, "mkr")]
        return RunRecord("fill", "2024-05-01T09:00", 0, "Lerums kommun", board, 2024, "2024-04", "{}", figures=figures)

    monkeypatch.delenv("VPEXCEL_HISTORIK", raising=False)
    settings = default_settings()
    budget = tmp_path / "budget.xlsx"
    db = tmp_path / "vpexcel-historik.sqlite"
    save_run(db, fill("Kommunstyrelsen", -34.5))
    save_run(db, fill("Barn- och utbildningsnämnden", -99.0))  # kept later, another board
    dev = forecast_development_for(settings, budget, 2024)
    assert dev is not None and dev.forecasts["Räddningstjänst"] == {"2024-04": -34.5}
