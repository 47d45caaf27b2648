"""Findings and the validation report (a list, not an exception: collect, then report)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_SV = {Severity.ERROR: "fel", Severity.WARNING: "varning", Severity.INFO: "info"}

Value = float | str | None


class Finding(BaseModel):
    code: str
    severity: Severity
    sheet: str | None
    cell: str | None
    message: str
    expected: Value = None
    actual: Value = None
    suggestion: str | None = None
    silenced: str | None = None  # the reason from the settings' "Undantag", when silenced
    # a knock-on finding names the finding that causes it (its sheet and cell); it suggests no fix of its own
    cause_sheet: str | None = None
    cause_cell: str | None = None


class Summary(BaseModel):
    error: int = 0
    warning: int = 0
    info: int = 0
    silenced: int = 0


class HiddenSheet(BaseModel):
    """A hidden sheet that findings are on: the user cannot find it among the tabs until it is shown."""

    sheet: str
    visibility: str  # "hidden" (Ta fram shows it) or "very_hidden" (only the VBA editor does)
    note: str  # Swedish: that the sheet is hidden and how to show it


class Report(BaseModel):
    file: str
    findings: list[Finding]
    hidden_sheets: list[HiddenSheet] = []  # once per hidden sheet with findings, in workbook order

    @property
    def summary(self) -> Summary:
        s = Summary()
        for f in self.findings:
            if f.silenced is not None:
                s.silenced += 1
            else:
                setattr(s, f.severity.value, getattr(s, f.severity.value) + 1)
        return s

    @property
    def has_errors(self) -> bool:
        return self.summary.error > 0

    def to_json_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "summary": self.summary.model_dump(),
            "hidden_sheets": [h.model_dump() for h in self.hidden_sheets],
        }
