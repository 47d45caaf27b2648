"""The user guide's rule pages, generated from the registry (one source: code and docs agree)."""

from __future__ import annotations

from vpexcel.findings import SEVERITY_SV
from vpexcel.rules import FAMILIES, RULES, load_all


def rule_pages() -> dict[str, str]:
    """File name under docs/regler/ -> Markdown text, in Swedish."""
    load_all()
    pages: dict[str, str] = {}
    for code in sorted(RULES):
        r = RULES[code]
        pages[f"{code}.md"] = (
            f"# {code}: {r.title}\n\n"
            f"Nivå: **{SEVERITY_SV[r.severity]}**. Grupp: {FAMILIES[r.family]}.\n\n"
            f"## Vad kontrollen gör\n\n{r.what}\n\n"
            f"## Varför det spelar roll\n\n{r.why}\n\n"
            f"## Exempel\n\n{r.example}\n\n"
            f"## Så rättar du\n\n{r.fix}\n\n"
            f"Vill du godta en träff ändå: lägg till en rad i tabellen Undantag på bladet Inställningar "
            f"med koden {code}, bladet, cellen och en motivering. Träffen syns då fortfarande i rapporten, "
            f"markerad som undantag.\n\n"
            f"*Sidan är skapad ur vpexcels regelregister (`python scripts/gen_docs.py`); ändra texten där.*\n"
        )
    lines = ["# Kontrollerna\n", "Varje träff har en kod som aldrig byter betydelse. Nivåerna är fel, varning och info.\n"]
    for family, title in FAMILIES.items():
        members = [RULES[c] for c in sorted(RULES) if RULES[c].family == family]
        if not members:
            continue
        lines.append(f"\n## {title}\n\n| Kod | Nivå | Vad |\n|---|---|---|")
        lines += [f"| [{r.code}]({r.code}.md) | {SEVERITY_SV[r.severity]} | {r.title} |" for r in members]
    pages["index.md"] = "\n".join(lines) + "\n"
    return pages
