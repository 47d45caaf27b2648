"""Columns that are no budget amounts, rounding against the frame, the bridge over a broken total,
and monthly budgets whose months are dates or whose year column is "Totalt" (tester's faults 7-10, 26)."""

from __future__ import annotations

from collections.abc import Callable

from vpexcel.findings import Report
from vpexcel.samples import SEED_2023, SEED_2024, area_table
from vpexcel.settings import default_settings

from .conftest import codes, find

TITLE = "Kommunstyrelsen – produktionsområden 2024 (mkr)"


def test_bridge_over_a_total_showing_value_error_says_nothing_matches(check: Callable[..., Report]) -> None:
    """The 2024 net total shows #VALUE!: the bridge cannot be checked, so no VP309 "inom toleransen" for it."""
    rows = area_table(TITLE, {2023: SEED_2023, 2024: SEED_2024})
    total = next(i for i, r in enumerate(rows) if r and r[0] == "Totalt")
    rows[total][6] = "#VALUE!"  # G14: Budgeterat resultat 2024
    report = check({"Budget": rows}, default_settings())  # its bridge sums to 2023's total less the 2024 frame
    assert [f.cell for f in find(report, "VP205")] == ["G14"]
    assert not [f for f in report.findings if "budgetbryggan" in f.message]
    assert "VP305" not in codes(report)


def _nets_as_formulas(year_data: dict[str, tuple[float, float, float]]) -> dict[str, tuple[object, object, object]]:
    """Each net typed over as =intäkt+kostnad (column D, rows from 5), as many economists keep it."""
    out: dict[str, tuple[object, object, object]] = {}
    for i, (name, (r, c, _n)) in enumerate(year_data.items()):
        out[name] = (r, c, (f"=B{5 + i}+C{5 + i}", round(r + c, 1)))
    return out


def test_frame_against_a_total_of_formula_nets_allows_the_rounding_of_every_typed_figure(
    check: Callable[..., Report],
) -> None:
    """Totalt =SUM(D5:D13) of nets =B+C: 18 typed figures, so -253,3 against the frame -253,2 is rounding (VP309)."""
    report = check({"Budget": area_table(TITLE, {2024: _nets_as_formulas(SEED_2024)})}, _no_bridge())
    assert "VP304" not in codes(report)
    (note,) = [f for f in find(report, "VP309") if "ramen" in f.message]
    assert note.cell == "D14" and note.actual == -253.3 and note.expected == -253.2
    assert "inom toleransen 0,9 (18 avrundade tal)" in note.message


def test_frame_still_an_error_beyond_what_the_typed_figures_can_explain(check: Callable[..., Report]) -> None:
    settings = _no_bridge()
    settings.frames = [f if f.year != 2024 else type(f)(year=2024, amount=-252.0) for f in settings.frames]
    report = check({"Budget": area_table(TITLE, {2024: _nets_as_formulas(SEED_2024)})}, settings)
    (f,) = find(report, "VP304")
    assert f.cell == "D14" and f.expected == -252.0 and f.actual == -253.3


def _no_bridge():  # type: ignore[no-untyped-def]
    settings = default_settings()
    settings.bridge = []
    return settings
