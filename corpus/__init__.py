"""A corpus of budget workbooks laid out the way Swedish municipalities keep them.

A repo tool (like ``scripts/``), not part of what a user runs: it imports vpexcel,
vpexcel never imports it. Each layout is built both correct and with planted
mistakes; the builder returns, with the file, the exact findings expected (code,
sheet, cell, and for a knock-on the cell of its cause) and the table map it laid
out. ``python -m corpus OUT_DIR`` writes every workbook.
"""

from corpus.layouts import LAYOUTS, Case, Expect, build

__all__ = ["LAYOUTS", "Case", "Expect", "build"]
