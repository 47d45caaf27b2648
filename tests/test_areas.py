"""The one area matcher: names as people write them, cut sheet names, suggestions, and no quadratic look-ups."""

from __future__ import annotations

import pytest

import vpexcel.areas as areas_module
from vpexcel.areas import AreaIndex, area_key
from vpexcel.settings import Area, Settings, default_settings


@pytest.mark.parametrize(
    ("label", "area"),
    [
        ("Kommundirektör", "Kommundirektör"),
        ("  KOMMUNDIREKTÖR: ", "Kommundirektör"),
        ("Kommundirektören", "Kommundirektör"),
        ("Räddningstjänsten", "Räddningstjänst"),
        ("Räddningstjänstens", "Räddningstjänst"),
        ("Kommunledning & verksamhetsstöd", "Kommunledning och verksamhetsstöd"),
        ("Kommunledning&Verksamhetsstöd", "Kommunledning och verksamhetsstöd"),
        ("KLV", "Kommunledning och verksamhetsstöd"),
        ("KS – reserv", "KS-reserv"),
        ("KS\u2212reserven", "KS-reserv"),
        ("Kommunstyrelsens  reserv", "KS-reserv"),
        ("Vuxenutbildningen", "Vuxenutbildning"),
        ("Samhallsplanering", "Samhällsplanering"),
        ("1010 Kommundirektör", "Kommundirektör"),
        ("Kommundirektör (ansvar 1010)", "Kommundirektör"),
        ("Ekonomin", "Ekonomi"),
    ],
)
def test_names_as_people_write_them(label: str, area: str) -> None:
    found = default_settings().find_area(label)
    assert found is not None and found.name == area


@pytest.mark.parametrize("label", ["Totalt", "Summa Kommunstyrelsen", "Kommunstyrelsen", "Varav lokaler", "", "2024"])
def test_totals_and_other_rows_name_no_area(label: str) -> None:
    assert default_settings().find_area(label) is None


def test_the_settings_own_definite_form_matches_the_plain_one() -> None:
    s = Settings(areas=[Area(name="Räddningstjänsten"), Area(name="Kulturskolan")])
    assert s.find_area("Räddningstjänst").name == "Räddningstjänsten"  # type: ignore[union-attr]
    assert s.find_area("kulturskola").name == "Kulturskolan"  # type: ignore[union-attr]
    assert s.find_area("Kulturskolans").name == "Kulturskolan"  # type: ignore[union-attr]


def test_a_variant_that_fits_two_areas_fits_neither() -> None:
    s = Settings(areas=[Area(name="Skolan"), Area(name="Skola")])
    assert s.find_area("Skolan").name == "Skolan"  # type: ignore[union-attr]  # exact names win
    assert s.find_area("Skola").name == "Skola"  # type: ignore[union-attr]
    two = Settings(areas=[Area(name="Fritid"), Area(name="Fritiden")])
    assert two.find_area("Fritidens") is None  # both "Fritid" and "Fritiden": no guess


def test_sheet_names_cut_at_31_characters() -> None:
    long = "Kommunledning och verksamhetsstöd"
    s = default_settings()
    assert s.find_area_for_sheet(long[:31]).name == long  # type: ignore[union-attr]
    assert s.find_area_for_sheet("Räddningstjänsten").name == "Räddningstjänst"  # type: ignore[union-attr]
    assert s.find_area_for_sheet("Kommunledning och verksamh") is None  # shorter than 31: not cut, not an area
    two = Settings(
        areas=[Area(name="Individ- och familjeomsorg, barn och unga"), Area(name="Individ- och familjeomsorg, barn och vuxna")]
    )
    assert two.find_area_for_sheet("Individ- och familjeomsorg, barn och vuxna"[:31]) is None  # fits both: no guess
    one = Settings(
        areas=[Area(name="Individ- och familjeomsorg, barn och vuxna"), Area(name="Individ- och familjeomsorg, äldre")]
    )
    assert one.find_area_for_sheet("Individ- och familjeomsorg, barn och vuxna"[:31]).name.endswith("vuxna")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("label", "suggestion"),
    [
        ("Kommundirektörens stab", "Kommundirektör"),
        ("Politiska organisationen", "Politisk organisation"),
        ("Räddning", "Räddningstjänst"),
        ("Kommunledning o verksamhetsstöd", "Kommunledning och verksamhetsstöd"),
        ("Vuxenutbildningsenheten", "Vuxenutbildning"),
        ("Socialtjänst", None),
        ("Summa Kommunstyrelsen", None),
    ],
)
def test_suggestions(label: str, suggestion: str | None) -> None:
    s = default_settings()
    assert s.find_area(label) is None
    assert s.suggest(label) == suggestion


def test_the_index_is_built_once_per_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    original = AreaIndex.__init__

    def counting(self: AreaIndex, areas: list[Area]) -> None:
        built.append(len(areas))
        original(self, areas)

    monkeypatch.setattr(AreaIndex, "__init__", counting)
    s = default_settings()
    for _ in range(100):
        s.find_area("Räddningstjänsten")
        s.find_area_for_sheet("Kommundirektör")
        s.suggest("Räddning")
    assert built == [13]
    changed = s.model_copy(update={"areas": [*s.areas, Area(name="Kulturskola")]})
    assert changed.find_area("Kulturskolan").name == "Kulturskola"  # type: ignore[union-attr]
    assert built == [13, 14]  # new areas, new index; the old settings keep theirs
    assert s.find_area("Kulturskola") is None


def _work(n: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Key computations to build the index of ``n`` areas and look each one up twice (exact, definite form)."""
    calls = [0]
    key, forms = areas_module.area_key, areas_module.variants

    def counted_key(text: str) -> str:
        calls[0] += 1
        return key(text)

    def counted_forms(k: str) -> list[str]:
        out = forms(k)
        calls[0] += 1 + len(out)
        return out

    monkeypatch.setattr(areas_module, "area_key", counted_key)
    monkeypatch.setattr(areas_module, "variants", counted_forms)
    s = Settings(areas=[Area(name=f"Hemtjänst område {i}", aliases=[f"HT{i}"]) for i in range(n)])
    for i in range(n):
        assert s.find_area(f"hemtjänst område {i}") is not None
        assert s.find_area(f"Hemtjänsten område {i}") is not None
    assert s.find_area_for_sheet(f"Hemtjänst område {n - 1}") is not None
    monkeypatch.undo()
    return calls[0]


def test_two_thousand_areas_cost_ten_times_two_hundred(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2,000 is the most areas settings may hold (settings.MAX_AREAS)
    small, large = _work(200, monkeypatch), _work(2_000, monkeypatch)
    assert large <= 11 * small  # linear: a look-up that walked every area would be 100 times


def test_area_key_reads_ampersand_as_och() -> None:
    assert area_key("Stöd & utveckling") == area_key("stöd och utveckling") == "stöd och utveckling"


def test_settings_with_a_matcher_built_still_equal_their_twin() -> None:
    a, b = default_settings(), default_settings()
    a.find_area("Räddningstjänsten")
    assert a == b
    assert a.model_dump() == b.model_dump()


def test_settings_stay_equal_after_their_lookups_are_built() -> None:
    """The lookups live beside the settings: two equal settings compare equal whatever was asked of them (review)."""
    a, b = default_settings(), default_settings()
    assert a.find_area("Räddningstjänsten") is not None and a.children(a.areas[2]) is not None
    assert a == b
