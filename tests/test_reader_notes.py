"""What the reader says once about a workbook (a file under another format's name, a format read as
values only, macro sheets left out) is a typed note: each command passes on the notes that concern
it, picked by kind, and the sentences the user sees are the ones the reader wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vpexcel.grid import NoteKind
from vpexcel.io.xlsx_reader import read_workbook

from .conftest import WORKBOOKS, soffice_convert
from .test_hostile import build, run

SAMPLE = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"
VALUES_ONLY_ODS = (
    "budget-2024.ods är ett OpenDocument-kalkylark (.ods): värdena läses men inte formlerna, så kontrollerna av formler "
    "görs inte. Spara som .xlsx för en fullständig kontroll."
)


@pytest.fixture(scope="module")
def ods(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample budget saved by LibreOffice as .ods (values only for vpexcel)."""
    return soffice_convert(SAMPLE, "ods", tmp_path_factory.mktemp("ods"))


def _copy(src: Path, folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    return Path(shutil.copyfile(src, folder / name))


def _kinds_and_texts(path: Path) -> list[tuple[NoteKind, str]]:
    return [(n.kind, n.text) for n in read_workbook(path).notes]


def test_the_reader_gives_each_note_its_kind_and_the_sentence_the_user_reads(tmp_path: Path, ods: Path) -> None:
    assert _kinds_and_texts(SAMPLE) == []
    assert _kinds_and_texts(ods) == [(NoteKind.VALUES_ONLY, VALUES_ONLY_ODS)]
    renamed = _copy(SAMPLE, tmp_path / "omdopt", "budget.xls")
    assert _kinds_and_texts(renamed) == [
        (
            NoteKind.RENAMED,
            "budget.xls är egentligen en Excel-arbetsbok (.xlsx) och lästes som en sådan. "
            "Byt filändelse till .xlsx så att andra program också känner igen den.",
        )
    ]
    ods_as_xlsx = _copy(ods, tmp_path / "omdopt", "budget-2024.xlsx")
    assert [k for k, _ in _kinds_and_texts(ods_as_xlsx)] == [NoteKind.RENAMED, NoteKind.VALUES_ONLY]
    assert _kinds_and_texts(ods_as_xlsx)[0][1].startswith(
        "budget-2024.xlsx är egentligen ett OpenDocument-kalkylark (.ods) och lästes som ett sådant. Byt filändelse till .ods"
    )
    assert _kinds_and_texts(build("xlsb", tmp_path)) == [
        (
            NoteKind.VALUES_ONLY,
            "budget.xlsb är en binär arbetsbok (.xlsb): värdena läses men inte formlerna, så kontrollerna av formler "
            "görs inte. Spara som .xlsx för en fullständig kontroll.",
        )
    ]
    assert _kinds_and_texts(build("macro_sheet", tmp_path)) == [
        (
            NoteKind.SHEETS_LEFT_OUT,
            "Arbetsboken har blad som inte är kalkylblad (makroblad eller dialogblad: Makro1); "
            "de hoppas över och bara kalkylbladen kontrolleras.",
        )
    ]


def test_no_caller_picks_notes_by_their_wording() -> None:
    """Matching the Swedish text breaks silently when a sentence is reworded: notes are picked by kind."""
    root = Path(__file__).resolve().parents[1] / "vpexcel"
    for path in [root / "cli.py", root / "io" / "compare_xlsx.py", root / "io" / "ledger_reader.py", *root.glob("excel/*.py")]:
        text = path.read_text(encoding="utf-8")
        for wording in ("lästes som", "läses men inte formlerna", "Byt filändelse", "values_only_notes", "renamed_notes"):
            assert wording not in text, (path.name, wording)


def test_validate_still_says_once_that_formulas_were_not_read(ods: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["validate", str(ods)], capsys)
    assert rc == 0 and out.count("VP405") == 1 and "OBS" not in err, err  # the finding says it
    rc, out, err = run(["validate", str(ods), "--format", "json"], capsys)
    assert err.count("vpexcel: OBS:") == 1 and VALUES_ONLY_ODS in " ".join(err.split()), err
