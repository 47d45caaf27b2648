"""Rebuild the sample workbooks in workbooks/ (deterministic; commit the result)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vpexcel.samples import build_all  # noqa: E402

if __name__ == "__main__":
    for path in build_all(ROOT / "workbooks"):
        print(path.relative_to(ROOT))
