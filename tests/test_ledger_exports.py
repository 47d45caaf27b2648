"""Ledger exports as Swedish systems and Excel write them (tester's faults 13 and 24): Windows-1252 with
Å/Ä/Ö in a column name, title lines above the header, Excel's "Unicode-text" (UTF-16, tabs, CRLF) and a
summary line at the bottom. Each reconciles to the same figures as the plain UTF-8 export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.io.ledger_reader import read_ledger
from vpexcel.settings import default_settings

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"
# ansvar 1300 is Räddningstjänst in the sample settings: a cost of 1 000 000 kr and a revenue of 100 000 kr in January
LINES = "2024-01;1300;4010;;1000000,00;Löner\n2024-01;1300;3110;;-100000,00;Avgifter\n"
HEADER = "Period;Ansvar;Konto;Motpart;Belopp;Text\n"


def _reconcile(ledger: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:
    rc = main(["reconcile", str(BUDGET), str(ledger), "--period", "2024-01", "--format", "json", *extra])
    out, err = capsys.readouterr()
    return rc, json.loads(out), err


def _raddningstjanst(result: dict) -> dict:
    return next(a for a in result["areas"] if a["area"] == "Räddningstjänst")["actual_to_date"]


def test_windows_1252_export_with_a_swedish_column_name_reconciles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fault 13: the settings' Kolumner says Period is 'År/Mån'; the export is Windows-1252 (as Visma and
    Raindance write it), so the header's Å and å are single bytes. It used to be refused with "kolumnerna
    heter '\\ufffdr/M\\ufffdn'"."""
    data = default_settings().model_dump()
    data["ledger"]["columns"] = {"Period": "År/Mån"}
    settings = tmp_path / "installningar.json"
    settings.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ledger = tmp_path / "hb-1252.csv"
    ledger.write_bytes(("År/Mån;Ansvar;Konto;Motpart;Belopp;Text\n" + LINES.replace("2024-01", "202401")).encode("cp1252"))
    rc, result, err = _reconcile(ledger, capsys, "--settings", str(settings))
    assert rc == 0, err
    assert _raddningstjanst(result) == pytest.approx({"revenue": 0.1, "cost": -1.0, "net": -0.9})
    assert result["findings"] == []
    # the text of the lines (for the drill-down) is read as Windows-1252 too
    frame = read_ledger(ledger, columns={"period": "År/Mån"}).frame
    assert frame is not None and frame.get_column("text").to_list() == ["Löner", "Avgifter"]


def test_title_lines_above_the_header_are_skipped_and_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fault 24: "Huvudboksutdrag", the export date and a blank line above the header used to give exit 2
    ("kolumnerna heter 'Huvudboksutdrag Lerums kommun'"). Line numbers in VP505 stay the file's own."""
    ledger = tmp_path / "hb-titelrad.csv"
    ledger.write_text(
        "Huvudboksutdrag Lerums kommun\nUttaget 2024-05-02\n\n" + HEADER + LINES + "2024-01;1300;4010;;abc;Fel\n",
        encoding="utf-8",
    )
    rc, result, err = _reconcile(ledger, capsys)
    assert rc == 1, err  # the one bad line is a VP505 error, not a refusal of the file
    assert _raddningstjanst(result) == pytest.approx({"revenue": 0.1, "cost": -1.0, "net": -0.9})
    assert [(f["code"], f["message"].split(":")[0]) for f in result["findings"]] == [("VP505", "rad 7, kolumn Belopp")]
    assert "rubrikraden (med Period, Ansvar, Konto och Belopp) står på rad 4" in err
    assert "'Huvudboksutdrag Lerums kommun', 'Uttaget 2024-05-02'" in err


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_excels_unicode_text_export_reconciles(codec: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fault 24: Excel's "Unicode-text" is UTF-16 (with a byte-order mark; some systems write none), tab
    separated, CRLF. It used to be refused with column names like '\\x00P\\x00e...'."""
    ledger = tmp_path / "hb-unicode.txt"
    ledger.write_bytes((HEADER + LINES).replace(";", "\t").replace("\n", "\r\n").encode(codec))
    rc, result, err = _reconcile(ledger, capsys)
    assert rc == 0, err
    assert _raddningstjanst(result) == pytest.approx({"revenue": 0.1, "cost": -1.0, "net": -0.9})
    frame = read_ledger(ledger).frame
    assert frame is not None and frame.get_column("text").to_list() == ["Löner", "Avgifter"]


def test_a_summary_line_at_the_bottom_is_no_vp505(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fault 24: ";;;;900000,00;Summa" at the end used to be a VP505 error ("kolumnen Period saknas")."""
    ledger = tmp_path / "hb-summarad.csv"
    ledger.write_text(HEADER + LINES + ";;;;900000,00;Summa\n", encoding="utf-8")
    rc, result, err = _reconcile(ledger, capsys)
    assert rc == 0, err
    assert result["findings"] == []
    assert _raddningstjanst(result) == pytest.approx({"revenue": 0.1, "cost": -1.0, "net": -0.9})
    assert "rad 4 ('Summa', 900\u00a0000,00) saknar ansvar och konto och är en summarad" in err
    assert "den stämmer med summan av raderna" in err
    # with the lines kept for the drill-down the same
    ledger2 = read_ledger(ledger, details=True)
    assert ledger2.problems == []
    assert ledger2.notes == [
        "Huvudboken hb-summarad.csv: rad 4 ('Summa', 900\u00a0000,00) saknar ansvar och konto och är en summarad; "
        "den ingår inte i avstämningen (den stämmer med summan av raderna)."
    ]


def test_a_summary_line_that_disagrees_says_so(tmp_path: Path) -> None:
    ledger = tmp_path / "hb-summarad.csv"
    ledger.write_text(HEADER + LINES + "Totalt;;;;800000,00;\n", encoding="utf-8")
    data = read_ledger(ledger, details=False)
    assert data.problems == []
    assert data.notes == [
        "Huvudboken hb-summarad.csv: rad 4 ('Totalt', 800\u00a0000,00) saknar ansvar och konto och är en summarad; "
        "den ingår inte i avstämningen (raderna som lästes summerar till 900\u00a0000,00: kontrollera att exporten är hel)."
    ]


def test_a_line_without_codes_that_is_no_sum_stays_a_vp505(tmp_path: Path) -> None:
    ledger = tmp_path / "hb.csv"
    ledger.write_text(HEADER + LINES + "2024-01;;;;5,00;Kaffe\n", encoding="utf-8")
    data = read_ledger(ledger)
    assert [(p.line, p.column) for p in data.problems] == [(4, "Ansvar")]
    assert data.notes == []


def test_many_summary_lines_give_a_handful_of_notes_and_a_count(tmp_path: Path) -> None:
    """Review 2, finding 7a: 200 000 lines ";;;;5,00;Summa" gave 200 000 notes (41 MB of OBS text)."""
    ledger = tmp_path / "hb-summor.csv"
    ledger.write_text(HEADER + LINES + ";;;;5,00;Summa\n" * 200_000, encoding="utf-8")
    for details in (False, True):
        data = read_ledger(ledger, details=details)
        assert data.problems == []
        assert len(data.notes) == 6
        assert data.notes[0].startswith("Huvudboken hb-summor.csv: rad 4 ('Summa', 5,00) saknar ansvar och konto")
        assert data.notes[-1].startswith(
            "Huvudboken hb-summor.csv: och 199\u00a0995 summarader till utan ansvar och konto (från rad 9)"
        )
        assert sum(map(len, data.notes)) < 2000


def test_a_sum_named_in_the_text_column_is_the_same_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Review 2, finding 7b: "Summa januari" in Text, with an amount that is not the lines' sum, was a VP505
    error in text and JSON (Text left unread) but a note in the workbook."""
    ledger = tmp_path / "hb-delsumma.csv"
    ledger.write_text(HEADER + LINES + "2024-01;;;;1234,00;Summa januari\n", encoding="utf-8")
    lean, full = read_ledger(ledger, details=False), read_ledger(ledger, details=True)
    assert lean.problems == full.problems == []
    assert lean.notes == full.notes
    assert "rad 4 ('Summa januari', 1\u00a0234,00) saknar ansvar och konto och är en summarad" in lean.notes[0]
    rc, result, err = _reconcile(ledger, capsys, "--ingen-historik")
    assert rc == 0, err
    assert result["findings"] == []
    assert "'Summa januari'" in err
    rc = main(["reconcile", str(BUDGET), str(ledger), "--period", "2024-01", "--ingen-historik"])
    out, err = capsys.readouterr()
    assert rc == 0 and "VP505" not in out + err and "'Summa januari'" in out + err


def test_booking_texts_like_saldo_stay_vp505(tmp_path: Path) -> None:
    """Review 2, finding 7c: "Saldo …" on a line without ansvar and konto was taken for a summary line, so a
    booking with its codes missing was no error; a line with ansvar is a booking whatever its text."""
    ledger = tmp_path / "hb.csv"
    ledger.write_text(
        HEADER + LINES + "2024-01;;;;5,00;Saldo januari\n2024-01;1300;;;7,00;Total renovering skolan\n;;;;900000,00;Saldo\n",
        encoding="utf-8",
    )
    for details in (False, True):
        data = read_ledger(ledger, details=details)
        assert [(p.line, p.column) for p in data.problems] == [(4, "Ansvar"), (5, "Konto")]
        # the amount that equals the lines' sum is a summary line, whatever its label
        assert len(data.notes) == 1 and "rad 6 (900\u00a0000,00)" in data.notes[0]


def test_the_reconcile_json_says_whether_the_budget_has_the_net_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Review 2: a net-only budget showed budget revenue and cost 0.0 in the JSON with nothing to tell why."""
    from .test_net_only_budget import LEDGER, net_only_book

    ledger = tmp_path / "hb.csv"
    ledger.write_text(HEADER + LINES, encoding="utf-8")
    rc, result, err = _reconcile(ledger, capsys, "--ingen-historik")
    assert rc == 0, err
    assert result["net_only"] is False
    net_ledger = tmp_path / "huvudbok.csv"
    net_ledger.write_text(LEDGER, encoding="utf-8")
    budget = net_only_book(tmp_path / "budget.xlsx")
    rc = main(["reconcile", str(budget), str(net_ledger), "--period", "2024-01", "--format", "json", "--ingen-historik"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert json.loads(out)["net_only"] is True
