"""Generated things stay in step with their source: rule pages and sample workbooks."""

from __future__ import annotations

from pathlib import Path

from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.rules.docs import rule_pages
from vpexcel.samples import SAMPLES, write_book

from .conftest import ROOT, WORKBOOKS


def test_rule_pages_are_generated_from_the_registry() -> None:
    folder = ROOT / "docs" / "regler"
    for name, text in rule_pages().items():
        path = folder / name
        assert path.exists(), f"run python scripts/gen_docs.py ({name} is missing)"
        assert path.read_text(encoding="utf-8") == text, f"run python scripts/gen_docs.py ({name} is stale)"
    for section in ("## Vad kontrollen gör", "## Varför det spelar roll", "## Exempel", "## Så rättar du"):
        assert section in rule_pages()["VP403.md"]


def test_committed_samples_match_their_script(tmp_path: Path) -> None:
    for name, make in SAMPLES.items():
        fresh = read_workbook(write_book(tmp_path / name, make()))
        shipped = read_workbook(WORKBOOKS / name)
        assert [s.name for s in fresh.sheets] == [s.name for s in shipped.sheets]
        for a, b in zip(fresh.sheets, shipped.sheets, strict=True):
            assert a.rows == b.rows and a.formulas == b.formulas, f"run python scripts/make_samples.py ({name})"
