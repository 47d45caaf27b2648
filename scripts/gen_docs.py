"""Write docs/regler/ from the rule registry (run after changing a rule's text)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vpexcel.rules.docs import rule_pages  # noqa: E402

if __name__ == "__main__":
    folder = ROOT / "docs" / "regler"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in rule_pages().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"docs/regler/{name}")
