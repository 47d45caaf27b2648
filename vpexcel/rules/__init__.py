"""The rule registry: every finding code with its Swedish documentation, as data.

Like a linter's registry, each rule is one small unit: a code, a severity, a
Swedish title and the text of its documentation page (what it checks, why it
matters, an example, how to fix it). ``docs/regler/`` is generated from here, so
the code and the user guide cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vpexcel.findings import Finding, Severity

if TYPE_CHECKING:
    from vpexcel.rules.context import Context

Check = Callable[["Context"], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    family: str
    title: str  # Swedish, one line
    what: str  # Swedish: what it checks
    why: str  # Swedish: why it matters
    example: str  # Swedish: an example that triggers it
    fix: str  # Swedish: how to fix it


RULES: dict[str, Rule] = {}
CHECKS: list[tuple[str, Check]] = []

FAMILIES = {
    "structure": "Struktur (VP1xx)",
    "values": "Värden (VP2xx)",
    "arithmetic": "Summor och avrundning (VP3xx)",
    "formulas": "Formler (VP4xx)",
    "ledger": "Avstämning mot huvudbok (VP5xx)",
}


def rule(code: str, severity: Severity, family: str, *, title: str, what: str, why: str, example: str, fix: str) -> Rule:
    r = Rule(code, severity, family, title, what, why, example, fix)
    RULES[code] = r
    return r


def check(code: str) -> Callable[[Check], Check]:
    """Register the function that finds a rule's findings."""

    def wrap(fn: Check) -> Check:
        CHECKS.append((code, fn))
        return fn

    return wrap


def load_all() -> None:
    """Import every rule family (done once, when a validation starts)."""
    from vpexcel.rules import arithmetic, formulas, ledger, structure, values  # noqa: F401


def make_finding(
    code: str,
    sheet: str | None,
    cell: str | None,
    message: str,
    *,
    expected: float | str | None = None,
    actual: float | str | None = None,
    suggestion: str | None = None,
) -> Finding:
    """A finding with the severity its rule has in the registry."""
    load_all()
    return Finding(
        code=code,
        severity=RULES[code].severity,
        sheet=sheet,
        cell=cell,
        message=message,
        expected=round(expected, 6) if isinstance(expected, float) else expected,
        actual=round(actual, 6) if isinstance(actual, float) else actual,
        suggestion=suggestion,
    )
