"""Write every corpus workbook, correct and with mistakes: ``python -m corpus OUT_DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

from corpus.layouts import LAYOUTS, build


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "corpus-out")
    for name in LAYOUTS:
        for mistakes in (False, True):
            case = build(name, mistakes, out)
            print(case.path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
