"""openpyxl cells that hold text exactly as text: the edge side of :mod:`vpexcel.textcells`.

openpyxl turns any string starting with "=" into a formula. ``put`` and ``append``
are the only way the report writers place values, so user text stays text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from vpexcel.textcells import clean_text, formula_like

_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4})_")  # Excel's escape for characters in cell text


def put(cell: Any, value: object) -> Any:
    """Set an openpyxl cell's value; text is cleaned and kept as text (shown with a quote prefix).

    A number that is not finite (inf, nan) is no figure Excel can hold: the cell stays empty.
    """
    if isinstance(value, str):
        text = clean_text(value)
        # "_x003D_" is shown as typed, not decoded to "="; a CR is escaped as Excel does (XML reads a bare one as LF)
        cell.value = _ESCAPE.sub(r"_x005F_\1_", text).replace("\r", "_x000D_")
        if formula_like(text):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell.value = value
    return cell


def append(ws: Any, values: Iterable[object]) -> int:
    """Append a row like ``ws.append`` with every text cell put through :func:`put`; returns its row."""
    row = ws._current_row + 1  # where ws.append would write, also after an empty row
    for col, v in enumerate(values, start=1):
        if v is not None:
            put(ws.cell(row, col), v)
    ws._current_row = row
    return row
