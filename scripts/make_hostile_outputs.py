"""Hostile inputs for the output-safety tests (issue 9, the writing side).

Area names, comments, ledger text and exemption reasons that Excel would take for
formulas (``=cmd|'/C calc'!A0`` is a DDE payload), with tabs, carriage returns and
control characters, built from the shipped samples. The tests in
tests/test_output_safety.py call these; run the script to write them to a folder
for a look by hand:

    python scripts/make_hostile_outputs.py OUT_FOLDER
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Text that Excel or LibreOffice would enter as a formula, or that no XML cell can hold as is.
HOSTILE = ["=cmd|'/C calc'!A0", "=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\r=1", "a\x01b=1"]
# Area names of the sample budget renamed to hostile text (in the budget, the settings and the forecast).
RENAMED = {
    "Politisk organisation": "=cmd|'/C calc'!A0",
    "Kommundirektör": "=1+1",
    "Vuxenutbildning": "@SUM(1)",
    "Räddningstjänst": "\t=2",
    "Samhällsplanering": "+Planering",
    "Arbetsliv och stöd": "-Arbetsliv",
    "Stöd och utveckling": "Stöd\x01 och utveckling",
}
UNKNOWN_AREA = '=HYPERLINK("http://example.invalid","klicka")'  # a budget row no setting knows: quoted in messages


def xml_text(text: str) -> str:
    """``text`` as the content of a <t> element, the way Excel escapes it (_xHHHH_ for control characters)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return re.sub("[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group(0)):04X}_", text)


def rewrite_strings(src: Path, dst: Path, strings: dict[str, str], sheets: dict[str, str] | None = None) -> Path:
    """Copy a workbook with shared strings (and sheet names) replaced; every other part byte for byte."""
    sheets = sheets or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                text = data.decode("utf-8")
                for old, new in strings.items():
                    text = text.replace(f"<t>{xml_text(old)}</t>", f'<t xml:space="preserve">{xml_text(new)}</t>')
                data = text.encode("utf-8")
            elif info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                for old, new in sheets.items():
                    text = text.replace(f'name="{xml_text(old)}"', f'name="{xml_text(new)}"')
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return dst


def hostile_settings(dst: Path) -> Path:
    """Settings JSON whose area names, ansvar rules and exemption reasons are hostile."""
    from vpexcel.settings import default_settings

    data = default_settings().model_dump()
    for area in data["areas"]:
        area["name"] = RENAMED.get(area["name"], area["name"])
        if area.get("parent"):
            area["parent"] = RENAMED.get(area["parent"], area["parent"])
    for rule in data["ledger"]["ansvar"]:
        rule["area"] = RENAMED.get(rule["area"], rule["area"])
    data["ledger"]["ansvar"].append({"codes": "99*", "area": "=2+2"})  # an Ansvar row whose area matches nothing
    taken = {a["name"] for a in data["areas"]}
    for i, name in enumerate(h for h in HOSTILE if h not in taken):  # areas the budget lacks: VP101, rows of zeros
        data["areas"].append({"name": name, "aliases": [], "parent": None})
        data["ledger"]["ansvar"].append({"codes": f"98{i}*", "area": name})
    data["board"] = "=Styrelsen"
    data["municipality"] = "@Kommun\x02"
    for code in ("VP101", "VP102", "VP309"):
        data["exemptions"].append({"code": code, "sheet": None, "cell": None, "reason": '=HYPERLINK("x")\r\x03'})
    dst.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return dst


def hostile_budget(dst: Path) -> Path:
    """The sample budget with hostile area names, one unknown hostile row and a sheet named "=1+1"."""
    strings = dict(RENAMED)
    strings["KS-reserv"] = UNKNOWN_AREA
    return rewrite_strings(WORKBOOKS / "budget-2024.xlsx", dst, strings, {"Delområden KLV": "=1+1"})


def hostile_forecast(dst: Path) -> Path:
    """The sample forecast with the hostile area names and hostile comments and statuses."""
    strings = dict(RENAMED)
    strings["Enligt budget."] = "=1+1"
    strings["Fler SFI-elever än planerat."] = "\r=cmd|'/C calc'!A0\x07"
    strings["Stickprov i maj."] = "\t@SUM(1)"
    return rewrite_strings(WORKBOOKS / "prognos-2024.xlsx", dst, strings)


def hostile_ledger(dst: Path) -> Path:
    """The sample ledger with hostile line texts and lines on an ansvar no area has."""
    lines = (WORKBOOKS / "huvudbok-2024.csv").read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    for i, line in enumerate(lines[1:]):
        parts = line.split(";")
        if i % 7 == 0:
            parts[-1] = HOSTILE[i // 7 % len(HOSTILE)].replace("\r", "").replace("\n", "")
        out.append(";".join(parts))
    out.append("2024-02;9901;100;4010;;;;1000,00;=cmd|'/C calc'!A0")
    dst.write_text("\ufeff" + "\n".join(out) + "\n", encoding="utf-8")
    return dst


def hostile_template(dst: Path, name: str = "tertialrapport-april.xlsx") -> Path:
    """A shipped follow-up template whose rows carry the hostile area names (so comments and figures land there)."""
    return rewrite_strings(WORKBOOKS / "templates" / name, dst, RENAMED)


def build_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "settings": hostile_settings(folder / "installningar-fientliga.json"),
        "budget": hostile_budget(folder / "budget-fientlig.xlsx"),
        "forecast": hostile_forecast(folder / "prognos-fientlig.xlsx"),
        "ledger": hostile_ledger(folder / "huvudbok-fientlig.csv"),
        "template": hostile_template(folder / "tertialrapport-fientlig.xlsx"),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "work" / "hostile-outputs"
    for name, path in build_all(target).items():
        print(f"{name}: {path}")
    shutil.copy(WORKBOOKS / "kolada-1441.json", target / "kolada-1441.json")
