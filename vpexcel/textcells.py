"""Text that goes into an output cell: never a formula, never an illegal character.

Area names, ledger text, comments and settings come from the user's files and can
be hostile (``=cmd|'/C calc'!A0`` is a DDE payload). Every writer (the report,
reconciliation and settings workbooks, the template patcher and the Excel port)
passes text through here, so there is one place that decides what is text.
"""

from __future__ import annotations

import re

# Excel (and LibreOffice) take a typed value starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters XML 1.0 cannot hold (tab, newline and carriage return can); lone surrogates too.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell


def clean_text(text: str) -> str:
    """Remove what no cell can hold (control characters), and cut at Excel's cell limit."""
    text = _ILLEGAL.sub("", text)
    return text[:MAX_CELL_TEXT]


# What a terminal takes as a command rather than text: C0 controls but tab and line feed, DEL, C1
# controls (ESC [ ... clears the screen, ESC ] 8 makes a false link, CR overwrites the line).
_SCREEN_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def screen_text(text: str) -> str:
    """Text from a user's file as it may be shown on a terminal: every control character that a
    terminal would obey is shown as \ufffd instead (a cell can hold ESC through the _x001B_ escape)."""
    return _SCREEN_CONTROLS.sub("\ufffd", text)


def formula_like(text: str) -> bool:
    """True when Excel would read ``text`` typed into a cell as a formula."""
    return text.startswith(FORMULA_STARTS)
