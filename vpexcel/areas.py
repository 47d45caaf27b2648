"""The one area matcher: which produktionsområde a label, a row or a sheet name means.

Validate, reconcile and fill all ask the same question ("which area is
'Räddningstjänsten'?"), so they share one index, prepared once per settings:

* the exact key of every name and alias (case, blanks, dashes and trailing marks
  folded by :func:`vpexcel.settings.normalize`) answers in one dictionary look-up;
* the written variants people use answer in a few more look-ups: "&" for "och",
  Swedish definite and genitive forms ("Kommundirektören", "Räddningstjänstens"),
  an ansvar code or a parenthesis beside the name ("1010 Kommundirektör",
  "Kommundirektör (1010)"), and å/ä/ö typed as a/a/o. A variant that would fit two
  areas fits none: the matcher never guesses between areas;
* a name that still fits nothing gets a suggestion ("Menar du …?") from rapidfuzz,
  a maintained C library for fuzzy matching, over the same keys.

Pure: no files, no Excel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from vpexcel.settings import Area, normalize

SHEET_NAME_LIMIT = 31  # Excel cuts sheet names at 31 characters
SUGGEST_CUTOFF = 75.0  # rapidfuzz WRatio score (0-100) a suggestion must reach
# Swedish endings a name may carry in running text: definite (-en, -et, -n, -t, -na),
# plural definite (-arna, -erna, -orna) and the genitive of each (-s).
_ENDINGS = ("arnas", "ernas", "ornas", "arna", "erna", "orna", "ens", "ets", "nas", "en", "et", "na", "ns", "ts", "n", "t", "s")
_MIN_STEM = 3
_MAX_FORMS = 64  # variants tried for one label; a label of many long words tries its words one at a time
_AMBIGUOUS = None
_ASCII = str.maketrans("åäöéü", "aaoeu")
_CODE_PREFIX = re.compile(r"^\d[\d\s.-]*\s+(?=\D)")
_PAREN = re.compile(r"\s*\([^)]*\)\s*")


def area_key(text: str) -> str:
    """The exact key of a name: normalised, with "&" read as "och"."""
    s = normalize(text)
    if "&" in s:
        s = re.sub(r"\s*&\s*", " och ", s).strip()
    return s


def _compact(key: str) -> str:
    """``key`` without blanks and hyphens: how the name reads when spaces and hyphens do not count."""
    return key.replace(" ", "").replace("-", "")


def _word_forms(word: str) -> list[str]:
    forms = [word]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            forms.append(word[: -len(ending)])
    return forms


def variants(key: str) -> list[str]:
    """Other ways to write ``key`` that should mean the same area (``key`` itself not included)."""
    bases = {key}
    if (stripped := _CODE_PREFIX.sub("", key)) != key and stripped:
        bases.add(stripped)
    if "(" in key and (stripped := _PAREN.sub(" ", key).strip()):
        bases.add(stripped)
    out: dict[str, None] = {}
    for base in sorted(bases):
        words = base.split(" ")
        per_word = [_word_forms(w) for w in words]
        total = 1
        for forms in per_word:
            total *= len(forms)
        if total <= _MAX_FORMS:
            combos: list[list[str]] = [[]]
            for forms in per_word:
                combos = [[*c, f] for c in combos for f in forms]
            candidates = [" ".join(c) for c in combos]
        else:  # one word at a time
            candidates = [" ".join([*words[:i], f, *words[i + 1 :]]) for i, forms in enumerate(per_word) for f in forms]
        for c in candidates:
            out.setdefault(c, None)
            out.setdefault(c.translate(_ASCII), None)
    out.pop(key, None)
    return list(out)


class AreaIndex:
    """Every name and alias of the settings' areas, prepared for look-up by label and by sheet name."""

    def __init__(self, areas: Sequence[Area]) -> None:
        self.source = areas  # the settings' list: a new list (settings copied or changed) means a new index
        self.count = len(areas)
        self.areas = list(areas)
        self._exact: dict[str, Area] = {}
        self._loose: dict[str, Area | None] = {}
        for area in self.areas:
            for key in self._keys(area):
                self._exact.setdefault(key, area)
        for area in self.areas:
            for key in self._keys(area):
                for v in variants(key):
                    self._add_loose(v, area)
        # every key and variant with its blanks and hyphens taken out: "Samhälls-planering",
        # "Samhälls- planering" (a hyphen at a line break in the cell) and "Samhällsplanering" are one name
        self._compact: dict[str, Area | None] = {}
        for key, hit in [*self._exact.items(), *self._loose.items()]:
            if hit is None:
                continue
            c = _compact(key)
            if c not in self._compact:
                self._compact[c] = hit
            elif self._compact[c] is not hit:
                self._compact[c] = _AMBIGUOUS  # two areas written alike but for blanks: neither
        self._suggest_keys: list[str] | None = None
        self._suggest_names: list[str] = []
        self._sorted: list[str] | None = None
        # every word of every key and variant: a label with a word none of them has can fit no area
        self._words = {w for k in [*self._exact, *self._loose] for w in k.split(" ")}

    @staticmethod
    def _keys(area: Area) -> Iterable[str]:
        return dict.fromkeys(area_key(n) for n in [area.name, *area.aliases] if n.strip())

    def _add_loose(self, key: str, area: Area) -> None:
        if key in self._exact:
            return
        if key not in self._loose:
            self._loose[key] = area
        elif self._loose[key] is not area:
            self._loose[key] = _AMBIGUOUS  # two areas share the variant: it names neither

    def find(self, label: str) -> Area | None:
        """The area ``label`` names, or None."""
        key = area_key(label)
        if not key:
            return None
        hit = self._exact.get(key)
        if hit is not None:
            return hit
        loose = self._loose.get(key)
        if loose is not None:
            return loose
        compact = self._compact.get(_compact(key))
        if compact is not None:
            return compact
        if not self._may_fit(key):
            return None
        found: Area | None = None
        for v in variants(key):
            hit = self._exact.get(v) or self._loose.get(v)
            if hit is None:
                continue
            if found is not None and hit is not found:
                return None  # fits two areas: no guess
            found = hit
        return found

    def _may_fit(self, key: str) -> bool:
        """False when no variant of ``key`` can be a key: one of its words has no form any key has.

        A quick answer for the common unknown label, before its (up to a hundred) variants are tried.
        """
        bases = [key]
        if (stripped := _CODE_PREFIX.sub("", key)) != key and stripped:
            bases.append(stripped)
        if "(" in key and (stripped := _PAREN.sub(" ", key).strip()):
            bases.append(stripped)
        words = self._words
        return any(
            all(any(f in words or f.translate(_ASCII) in words for f in _word_forms(w)) for w in base.split(" "))
            for base in bases
        )

    def find_for_sheet(self, sheet_name: str) -> Area | None:
        """The area a sheet is named after, also when Excel cut the name at 31 characters."""
        found = self.find(sheet_name)
        if found is not None or len(sheet_name) < SHEET_NAME_LIMIT:
            return found
        import bisect

        if self._sorted is None:
            self._sorted = sorted(self._exact)
        key = area_key(sheet_name)
        i = bisect.bisect_left(self._sorted, key)
        found = None
        while i < len(self._sorted) and self._sorted[i].startswith(key):
            area = self._exact[self._sorted[i]]
            if found is not None and area is not found:
                return None  # the cut name starts two areas' names: no guess
            found = area
            i += 1
        return found

    def suggest(self, label: str) -> str | None:
        """The name of the area ``label`` most likely means ("Menar du …?"), or None when nothing is close."""
        key = area_key(label)
        if not key or not self.areas:
            return None
        hit = self.find(label)
        if hit is not None:
            return hit.name
        from rapidfuzz import fuzz, process

        if self._suggest_keys is None:
            pairs = [(k, a.name) for k, a in self._exact.items()]
            self._suggest_keys = [k for k, _ in pairs]
            self._suggest_names = [n for _, n in pairs]
        best = process.extractOne(key, self._suggest_keys, scorer=fuzz.WRatio, score_cutoff=SUGGEST_CUTOFF)
        return self._suggest_names[best[2]] if best else None
