"""Issue 12 points 4 and 5: periodisation keys (even, a profile, last year's actuals) with figures
computed by hand, and the same period last year beside this year's actual."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.errors import InputError
from vpexcel.io.ledger_reader import read_ledger
from vpexcel.io.settings_io import load_settings_file, write_settings_workbook
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.reconcile import AreaResult, Reconciliation, budget_figures, reconcile
from vpexcel.samples import write_ledger_csv
from vpexcel.settings import PeriodKey, Settings, default_settings

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"
VUX, POL = "Vuxenutbildning", "Politisk organisation"  # budget 2024: Vux 22,0 / −45,3 / −23,3; Pol 0 / −6,1 / −6,1
SALARY = [10, 8, 8, 8, 8, 8, 4, 8, 8, 8, 8, 14]  # per cent; January-April 34 %
EARLY = [50, 10, 10, 10, 2, 2, 2, 2, 2, 2, 4, 4]  # January-April 80 %
# last year's cost on Vuxenutbildning, kr per month: 3 million in January, nothing in July, 1 million otherwise (13 million)
LAST_YEAR_VUX = [3_000_000, *[1_000_000] * 5, 0, *[1_000_000] * 5]


def line(period: str, ansvar: str, konto: str, kr: float, motpart: str = "") -> list[str]:
    return [period, ansvar, "100", konto, "", "", motpart, f"{kr:.2f}".replace(".", ","), "t"]


def this_year() -> list[list[str]]:
    rows = [line(f"2024-{m:02d}", "1201", "4010", 1_000_000) for m in range(1, 5)]  # Vux: 4.0 mkr cost to April
    rows += [line(f"2024-{m:02d}", "1001", "4010", 1_000_000) for m in range(1, 5)]  # Pol: 4.0 of 6.1 by April
    return rows


def last_year() -> list[list[str]]:
    rows = [line(f"2023-{m:02d}", "1201", "4010", kr) for m, kr in enumerate(LAST_YEAR_VUX, start=1) if kr]
    rows.append(line("2023-07", "1201", "4010", 0))  # July has a line, with nothing on it
    rows += [line(f"2023-{m:02d}", "1201", "3110", -500_000) for m in range(1, 13)]  # revenue evenly, 0.5 a month
    return rows


def with_keys(*keys: PeriodKey, profiles: dict[str, list[float]] | None = None) -> Settings:
    s = default_settings()
    s.ledger.profiles = profiles or {}
    s.ledger.keys = list(keys)
    return Settings.model_validate(s.model_dump())  # checked as a settings file would be


def run(tmp_path: Path, settings: Settings, rows: list[list[str]], previous: list[list[str]] | None = None) -> Reconciliation:
    ledger = read_ledger(write_ledger_csv(tmp_path / "h.csv", rows))
    prev = read_ledger(write_ledger_csv(tmp_path / "h2023.csv", previous)) if previous else None
    return reconcile(budget_figures(read_workbook(BUDGET), settings), ledger, settings, (2024, 4), BUDGET.name, prev)


def area(rec: Reconciliation, name: str) -> AreaResult:
    return next(a for a in rec.areas if a.area == name)


def test_even_key_is_a_twelfth_a_month(tmp_path: Path) -> None:
    vux = area(run(tmp_path, default_settings(), this_year()), VUX)
    assert vux.key == "jämn"
    assert vux.budget_to_date.revenue == pytest.approx(22.0 * 4 / 12)
    assert vux.budget_to_date.cost == pytest.approx(-45.3 * 4 / 12)
    assert vux.budget_to_date.net == pytest.approx(-23.3 * 4 / 12)


def test_a_profile_for_the_cost_classes_of_one_area(tmp_path: Path) -> None:
    s = with_keys(PeriodKey(area=VUX, classes=["4", "5", "6", "7"], key="Lön"), profiles={"Lön": SALARY})
    rec = run(tmp_path, s, this_year())
    vux = area(rec, VUX)
    assert vux.key == "intäkter: jämn; kostnader: profil Lön"
    assert vux.budget_to_date.revenue == pytest.approx(22.0 * 4 / 12)  # 7,333
    assert vux.budget_to_date.cost == pytest.approx(-45.3 * 0.34)  # −15,402
    assert vux.budget_to_date.net == pytest.approx(7.333333 - 15.402, abs=1e-6)  # −8,069
    # the deviation (default: negative = underskott) is actual − periodised budget: −4,0 − (−8,069) = +4,069
    assert rec.deviation_of(vux) == pytest.approx(-4.0 + 8.068667, abs=1e-6)
    assert area(rec, POL).key == "jämn"


def test_last_years_actuals_as_the_key(tmp_path: Path) -> None:
    s = with_keys(PeriodKey(area=VUX, key="fjolårets utfall"))
    rec = run(tmp_path, s, this_year() + last_year())
    vux = area(rec, VUX)
    assert vux.key == "fjolårets utfall"
    assert vux.budget_to_date.cost == pytest.approx(-45.3 * 6 / 13)  # (3+1+1+1) of 13 million by April
    assert vux.budget_to_date.revenue == pytest.approx(22.0 * 4 / 12)  # revenue came evenly last year
    assert vux.budget_to_date.net == pytest.approx(22.0 * 4 / 12 - 45.3 * 6 / 13)
    assert vux.expected_cost_share == pytest.approx(6 / 13)


def test_last_years_key_without_last_year_falls_back_to_even_and_says_so(tmp_path: Path) -> None:
    vux = area(run(tmp_path, with_keys(PeriodKey(key="fjolårets utfall")), this_year()), VUX)
    assert vux.key == "jämn (fjolårets utfall saknas)"
    assert vux.budget_to_date.net == pytest.approx(-23.3 * 4 / 12)


def test_vp504_follows_the_key(tmp_path: Path) -> None:
    # Politisk organisation has used 4,0 of 6,1 (66 %) by April: too fast at an even pace (33 % + 20), not for a key of 80 %
    even = run(tmp_path, default_settings(), this_year())
    assert any(f.code == "VP504" and POL in f.message and "jämn takt vore 33 %" in f.message for f in even.findings)
    early = run(tmp_path, with_keys(PeriodKey(area=POL, key="Tidig"), profiles={"Tidig": EARLY}), this_year())
    assert not any(f.code == "VP504" and POL in f.message for f in early.findings)
    late = run(tmp_path, with_keys(PeriodKey(area=POL, key="Sen"), profiles={"Sen": EARLY[::-1]}), this_year())
    (f,) = [f for f in late.findings if f.code == "VP504" and POL in f.message]
    assert "profil Sen" in f.message and f.expected == pytest.approx(0.12)  # (4+4+2+2) %


def test_same_period_last_year_per_area_and_board(tmp_path: Path) -> None:
    rec = run(tmp_path, default_settings(), this_year() + last_year())
    vux = area(rec, VUX)
    assert vux.last_year_to_date is not None
    assert vux.last_year_to_date.cost == pytest.approx(-6.0)  # 3+1+1+1 million, January-April 2023
    assert vux.last_year_to_date.revenue == pytest.approx(2.0)
    assert vux.last_year_to_date.net == pytest.approx(-4.0)
    assert vux.change_from_last_year == pytest.approx(-4.0 - -4.0)
    pol = area(rec, POL)
    assert pol.last_year_to_date is not None and pol.last_year_to_date.net == 0.0
    assert pol.change_from_last_year == pytest.approx(-4.0)  # 4 million more net cost than last year
    assert rec.board.last_year_to_date is not None and rec.board.last_year_to_date.net == pytest.approx(-4.0)
    assert rec.board.change_from_last_year == pytest.approx(-8.0 + 4.0)


def test_ledger_previous_reads_like_last_year_in_the_same_export(tmp_path: Path) -> None:
    s = with_keys(PeriodKey(area=VUX, key="fjolårets utfall"))
    same = run(tmp_path, s, this_year() + last_year())
    apart = run(tmp_path, s, this_year(), previous=last_year())
    for a, b in zip(same.areas, apart.areas, strict=True):
        assert a.budget_to_date == b.budget_to_date and a.last_year_to_date == b.last_year_to_date
    assert apart.last_year_source == "h2023.csv"
    assert not any("annat år" in x.reason for x in apart.excluded)


def test_a_ledger_previous_without_last_year_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="2023"):
        run(tmp_path, default_settings(), this_year(), previous=this_year())


def test_no_last_year_column_for_a_stray_line(tmp_path: Path) -> None:
    rec = run(tmp_path, default_settings(), [*this_year(), line("2023-12", "1001", "4010", 100)])
    assert not rec.has_last_year and area(rec, VUX).last_year_to_date is None


def test_keys_and_profiles_from_the_installningar_sheet(tmp_path: Path) -> None:
    s = with_keys(
        PeriodKey(area=VUX, classes=["4", "5", "6", "7"], key="Lön"), PeriodKey(key="fjolårets utfall"), profiles={"Lön": SALARY}
    )
    back = load_settings_file(write_settings_workbook(tmp_path / "inst.xlsx", s))
    assert back.ledger.profiles == {"Lön": [float(x) for x in SALARY]}
    assert [(k.area, k.classes, k.key) for k in back.ledger.keys] == [
        (VUX, ["4", "5", "6", "7"], "Lön"),
        (None, [], "fjolårets utfall"),
    ]


def test_a_key_naming_no_profile_is_refused(tmp_path: Path) -> None:
    data = default_settings().model_dump()
    data["ledger"]["keys"] = [{"area": VUX, "key": "Semester"}]
    p = tmp_path / "s.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="Semester"):
        load_settings_file(p)


def test_cli_ledger_previous_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = write_ledger_csv(tmp_path / "h2024.csv", this_year())
    before = write_ledger_csv(tmp_path / "h2023.csv", last_year())
    rc = main(["reconcile", str(BUDGET), str(now), "--period", "2024-04", "--ledger-previous", str(before), "--format", "json"])
    assert rc in (0, 1)
    data = json.loads(capsys.readouterr().out)
    vux = next(a for a in data["areas"] if a["area"] == VUX)
    assert vux["last_year_to_date"]["net"] == pytest.approx(-4.0) and vux["change_from_last_year"] == pytest.approx(0.0)
    assert data["board"]["last_year_to_date"]["net"] == pytest.approx(-4.0)
    assert "underskott" in data["deviation_convention"]
    main(["reconcile", str(BUDGET), str(now), "--period", "2024-04", "--ledger-previous", str(before)])
    out = capsys.readouterr().out
    assert "Utfall ack. 2023" in out and "Förändring" in out


def test_a_key_for_a_sub_area_is_refused_in_the_sheet(tmp_path: Path) -> None:
    s = with_keys(PeriodKey(area="Ekonomi", key="jämn"))  # a delområde of Kommunledning och verksamhetsstöd
    with pytest.raises(InputError, match="översta nivån"):
        load_settings_file(write_settings_workbook(tmp_path / "inst.xlsx", s))
