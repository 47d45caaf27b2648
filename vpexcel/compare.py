"""Compare two versions of a budget workbook by meaning, not by cell address.

A budget arrives many times over (first draft, after the board's dialogue, after
the council's decision). What an economist wants to know is what changed in the
budget: which areas and account rows were added, removed or renamed, which
figures changed and by how much, whether the frame and the bridge moved, and
which sums now cover other rows. A row that only moved is a move, not a change;
a row inserted above others shifts their addresses and changes nothing.

Pure, in two steps:

* :func:`read_view` turns a :class:`WorkbookGrid` and its settings into a
  :class:`BookView`: per table its columns (measure, year, kind), its lines
  (keyed by the area they name, or their label) with their figures. This is the
  one place that reads the layout; when the table map lands it reads that instead.
* :func:`compare` takes two views and returns a :class:`Comparison`: the changes,
  net per area before and after, the frames and the bridge.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from operator import itemgetter
from typing import NamedTuple

from vpexcel.formulas import Ref, pattern, references, sum_ranges
from vpexcel.grid import WorkbookGrid, a1
from vpexcel.history import in_unit, measure_of
from vpexcel.layout import RowKind, Sign, Table
from vpexcel.numbers import UNIT_FACTOR, format_sv, times_sv
from vpexcel.settings import Settings, normalize

KIND_SV = {"revenue": "brutto intäkt", "cost": "brutto kostnad", "net": "netto", "amount": "belopp"}
ROUND = 1e-9  # figures closer than this are the same figure (float noise, not a change)


@dataclass(frozen=True, slots=True)
class ColumnKey:
    """A column by meaning: measure, year and kind (revenue, cost, net, or a plain amount)."""

    measure: str
    year: int | None
    kind: str

    @property
    def label(self) -> str:
        year = f" {self.year}" if self.year else ""
        kind = "" if self.kind == "amount" else f", {KIND_SV.get(self.kind, self.kind)}"
        return f"{self.measure.capitalize()}{year}{kind}"


@dataclass(slots=True)
class Line:
    """One row of a table: its identity (``key``), what it says, where it is."""

    key: str
    label: str
    kind: str  # a layout RowKind value: area, sum, note, revenue_item, ...
    area: str | None  # the settings' name of the area the row names
    row: int  # 0-based sheet row


@dataclass
class TableView:
    """A table as plain data: columns by meaning, lines, and the figures column by column."""

    sheet: str
    scope: str  # identity of the table across versions (the area of an area's sheet, or the sheet)
    layout: str
    area: str | None
    unit: str | None
    columns: list[tuple[ColumnKey, int, str]]  # key, 0-based sheet column, header text
    lines: list[Line]
    values: dict[ColumnKey, list[float | None]]  # per column, one figure per line
    sign: Sign = Sign.COSTS_NEGATIVE  # the table map's sign convention
    net_cost: bool = True  # with costs positive: the nets are nettokostnad (kostnad − intäkt), not intäkt − kostnad

    def col_of(self) -> dict[int, ColumnKey]:
        return {c: k for k, c, _ in self.columns}


@dataclass
class BookView:
    """What a budget workbook says, read by meaning."""

    name: str
    sheets: list[str]
    tables: list[TableView]
    formulas: dict[str, dict[tuple[int, int], str]]  # per sheet, as read
    frames: dict[int, float]
    bridge: list[tuple[int, int, str, float]]
    unit: str
    board: str
    values_only: bool = False  # read from .xlsb/.xls/.ods: its formulas are unknown, not absent


def _fold(label: str) -> str:
    text = label.casefold()
    if "  " in text or "\n" in text or "\t" in text or "\xa0" in text:  # (most labels have single spaces only)
        text = " ".join(text.split())
    return text.strip(" *:.")


def _sheet_keys(names: Iterable[str]) -> dict[str, str]:
    """Each sheet's identity within one workbook: its name folded (case and spacing do not make another
    sheet), unless two of the workbook's sheets fold alike ("Budget" and "BUDGET", which .ods files and
    programs other than Excel allow): those keep their exact names, so neither hides the other."""
    names = list(names)
    folded = [_fold(n) for n in names]
    if len(set(folded)) == len(folded):
        return {n: f"blad:{k}" for n, k in zip(names, folded, strict=True)}
    counts: dict[str, int] = {}
    for k in folded:
        counts[k] = counts.get(k, 0) + 1
    return {n: (f"blad:{k}" if counts[k] == 1 else f"blad={n}") for n, k in zip(names, folded, strict=True)}


def _pair_sheets(old: list[str], new: list[str]) -> dict[str, str]:
    """Old sheet name -> the same sheet in the new version: the exact name first, then the name with
    other case or spacing (a sheet whose name only changed case is the same sheet)."""
    fresh = set(new)
    pairs = {n: n for n in old if n in fresh}
    left: dict[str, list[str]] = {}
    for n in new:
        if n not in pairs:
            left.setdefault(_fold(n), []).append(n)
    for n in old:
        if n not in pairs and left.get(_fold(n)):
            pairs[n] = left[_fold(n)].pop(0)
    return pairs


def _table_view(table: Table, settings: Settings, matcher: Settings | None, ordinal: int, sheet_key: str = "") -> TableView:
    columns: list[tuple[ColumnKey, int, str]] = []
    seen: set[ColumnKey] = set()
    for c in table.columns:
        key = ColumnKey(measure_of(c.header), c.year, c.kind.value)
        if key in seen:  # two columns that read alike: the second keeps its letter
            key = ColumnKey(f"{key.measure} ({c.header or c.col})", key.year, key.kind)
        seen.add(key)
        columns.append((key, c.col, c.header))
    kind_value = {id(k): k.value for k in RowKind}  # by identity: an enum's value and hash are slow per row
    area_kind = RowKind.AREA
    rows = table.rows
    areas = [(matcher.find_area(r.label) or r.area) if r.kind is area_kind and matcher is not None else r.area for r in rows]
    bases = [
        f"område:{normalize(a.name)}" if a is not None else (_fold(r.label) or f"rad {r.row + 1}")
        for r, a in zip(rows, areas, strict=True)
    ]
    if len(set(bases)) != len(bases):  # a label that repeats: the second is "label#2", and so on
        counts: dict[str, int] = {}
        for n, base in enumerate(bases):
            seen_before = counts.get(base, 0)
            counts[base] = seen_before + 1
            if seen_before:
                bases[n] = f"{base}#{seen_before + 1}"
    lines = [
        Line(key, r.label, kind_value[id(r.kind)], a.name if a is not None else None, r.row)
        for key, r, a in zip(bases, rows, areas, strict=True)
    ]
    values = {k: table.values(col) for k, col, _ in columns}
    unit = table.unit or settings.unit
    table_area = table.area.name if table.area is not None else None
    if table.layout == "accounts" and table_area is not None:
        scope = f"område:{normalize(table_area)}"
    else:
        scope = (sheet_key or f"blad:{_fold(table.name)}") + (f"#{ordinal + 1}" if ordinal else "")
    net_cost = table.sign is not Sign.COSTS_POSITIVE or table.layout != "areas" or _nets_are_net_cost(values)
    return TableView(table.name, scope, table.layout, table_area, unit, columns, lines, values, table.sign, net_cost)


def _nets_are_net_cost(values: dict[ColumnKey, list[float | None]]) -> bool:
    """Whether a costs-positive table's nets are nettokostnad (kostnad − intäkt) rather than intäkt − kostnad: the
    reading the nets are nearer to, summed over the rows where revenue, cost and net stand together (a tie: yes)."""
    by_key: dict[tuple[str, int | None], dict[str, list[float | None]]] = {}
    for k, vs in values.items():
        by_key.setdefault((k.measure, k.year), {})[k.kind] = vs
    as_net_cost = as_net = 0.0
    for cols in by_key.values():
        if {"revenue", "cost", "net"} <= set(cols):
            for r, c, n in zip(cols["revenue"], cols["cost"], cols["net"], strict=True):
                if r is not None and c is not None and n is not None:
                    as_net_cost += abs(n - (c - r))
                    as_net += abs(n - (r - c))
    return as_net_cost <= as_net


def read_view(
    book: WorkbookGrid, settings: Settings, matcher: Settings | None = None, tables: list[Table] | None = None
) -> BookView:
    """The workbook by meaning. ``matcher`` names areas for both versions (default: ``settings``); ``tables``, when
    already found with ``settings``, are not looked for again."""
    from vpexcel.validate import find_tables, settle_signs

    tables = find_tables(book, settings) if tables is None else tables
    settle_signs(tables)  # as validate does: a table whose figures cannot tell takes the workbook's convention
    views: list[TableView] = []
    per_sheet: dict[str, int] = {}
    keys = _sheet_keys(s.name for s in book.sheets)
    for table in tables:
        n = per_sheet.get(table.name, 0)
        per_sheet[table.name] = n + 1
        views.append(_table_view(table, settings, matcher or settings, n, keys.get(table.name, "")))
    return BookView(
        name=book.name,
        sheets=[s.name for s in book.sheets],
        tables=views,
        formulas={s.name: s.formulas for s in book.sheets},
        frames={f.year: f.amount for f in settings.frames},
        bridge=[(b.from_year, b.to_year, b.text, b.amount) for b in settings.bridge],
        unit=settings.unit,
        board=settings.board,
        values_only=not book.has_formulas,
    )


class AreaFigure(NamedTuple):
    area: str
    column: ColumnKey
    value: float
    sheet: str
    cell: str
    line: tuple[str, str]  # (table scope, line key): the row's identity across versions


def area_figures(view: BookView, unit: str | None = None, sign: Sign | None = None) -> list[AreaFigure]:
    """The budget per area as the workbook states it, first table wins, in ``unit`` (default: the view's).

    From tables with a row per area (an unknown name counts under its label), and from an
    area's own sheet (its result row). A table in tkr beside the settings' mkr is converted, so
    versions kept in different units compare by amount, not by the figures typed; with ``sign``,
    a table kept in the other sign convention is turned over likewise.
    """
    unit = unit or view.unit
    area_kind, result_kind = RowKind.AREA.value, RowKind.RESULT.value
    out: list[AreaFigure] = []
    seen: set[tuple[str, ColumnKey]] = set()
    for t in view.tables:
        if sign is not None:
            t = _in_sign(t, sign)
        own = t.layout == "accounts"
        if own and t.area is None:
            continue
        wanted = [n for n, ln in enumerate(t.lines) if ln.kind == (result_kind if own else area_kind)]
        for key, col, _ in t.columns:
            column = ColumnKey(key.measure, key.year, "net") if own else key
            values = t.values[key]
            for n in wanted:
                ln, v = t.lines[n], values[n]
                area = t.area if own else (ln.area or ln.label)
                if area is None or v is None or (area, column) in seen:
                    continue
                seen.add((area, column))
                value = in_unit(v, t.unit or view.unit, unit)
                out.append(AreaFigure(area, column, value, t.sheet, a1(ln.row, col), (t.scope, ln.key)))
    return out


# --- the comparison ------------------------------------------------------------------


@dataclass
class Change:
    """One difference between the versions, in the words of the budget."""

    kind: str  # see CHANGE_SV
    message: str  # Swedish, for the user
    sheet: str | None = None
    line: str | None = None  # the row's label (new version when both)
    area: str | None = None
    column: str | None = None  # the column's Swedish label
    old: float | str | None = None
    new: float | str | None = None
    delta: float | None = None
    old_cell: str | None = None  # "Blad!B7" in the old workbook
    new_cell: str | None = None
    old_formula: str | None = None
    new_formula: str | None = None

    def to_json_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


CHANGE_SV = {
    "sheet_added": "Blad tillagt",
    "sheet_removed": "Blad borttaget",
    "sheet_renamed": "Blad omdöpt",
    "column_added": "Kolumn tillagd",
    "column_removed": "Kolumn borttagen",
    "line_added": "Rad tillagd",
    "line_removed": "Rad borttagen",
    "line_renamed": "Rad omdöpt",
    "line_moved": "Rad flyttad",
    "value_changed": "Belopp ändrat",
    "sign_changed": "Teckenbyte",
    "formula_changed": "Formel ändrad",
    "formula_to_constant": "Formel ersatt med värde",
    "constant_to_formula": "Värde ersatt med formel",
    "frame_changed": "Ram ändrad",
    "bridge_changed": "Budgetbrygga ändrad",
}


COUNT_SV = {
    "sheet_added": "blad tillagda",
    "sheet_removed": "blad borttagna",
    "sheet_renamed": "blad omdöpta",
    "column_added": "kolumner tillagda",
    "column_removed": "kolumner borttagna",
    "line_added": "rader tillagda",
    "line_removed": "rader borttagna",
    "line_renamed": "rader omdöpta",
    "line_moved": "rader flyttade",
    "value_changed": "belopp ändrade",
    "sign_changed": "teckenbyten",
    "formula_changed": "formler ändrade",
    "formula_to_constant": "formler ersatta med värden",
    "constant_to_formula": "värden ersatta med formler",
    "frame_changed": "ramar ändrade",
    "bridge_changed": "poster i budgetbryggan ändrade",
}


@dataclass
class AreaNet:
    """Net per area and year: before, after and the change (None where a version lacks it)."""

    area: str
    year: int | None
    measure: str
    old: float | None
    new: float | None

    @property
    def change(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass
class Comparison:
    old_name: str
    new_name: str
    unit: str
    changes: list[Change] = field(default_factory=list)
    summary: list[AreaNet] = field(default_factory=list)
    frames: list[tuple[int, float | None, float | None]] = field(default_factory=list)
    bridge: list[tuple[int, int, float | None, float | None]] = field(default_factory=list)  # sums per pair of years
    values_only: list[str] = field(default_factory=list)  # "old", "new": the versions read without formulas (.xls, .ods, .xlsb)
    costs_positive: bool = False  # the new version keeps costs positive: the summary's nets are nettokostnad

    @property
    def formulas_compared(self) -> bool:
        return not self.values_only

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.kind] = out.get(c.kind, 0) + 1
        return out

    def to_json_dict(self) -> dict[str, object]:
        return {
            "old": self.old_name,
            "new": self.new_name,
            "unit": self.unit,
            "counts": self.counts(),
            "changes": [c.to_json_dict() for c in self.changes],
            "summary": [
                {"area": s.area, "year": s.year, "measure": s.measure, "old": s.old, "new": s.new, "change": s.change}
                for s in self.summary
            ],
            "frames": [{"year": y, "old": o, "new": n} for y, o, n in self.frames],
            "bridge": [{"from_year": a, "to_year": b, "old": o, "new": n} for a, b, o, n in self.bridge],
            "formulas_compared": self.formulas_compared,
            "costs_positive": self.costs_positive,
            **({"values_only": self.values_only, "formulas_note": formulas_sv(self)} if self.values_only else {}),
        }


def _fmt(v: float | None) -> str:
    return "–" if v is None else format_sv(v, 1 if abs(v) < 1e6 else 0)


def _cell(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{a1(row, col)}"


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= ROUND * max(1.0, abs(a), abs(b))


def _stable(pairs: list[tuple[int, int]]) -> set[int]:
    """Indices into ``pairs`` (old position, new position; sorted by old) that keep their order.

    The longest run in increasing new position stays; every other matched line moved.
    """
    news = [new for _old, new in pairs]
    if all(x < y for x, y in pairwise(news)):
        return set(range(len(pairs)))  # the common case: nothing moved
    tails: list[int] = []  # new positions
    tail_at: list[int] = []  # index into pairs of each tail
    back = [-1] * len(pairs)
    for i, (_old, new) in enumerate(pairs):
        k = bisect_left(tails, new)
        if k == len(tails):
            tails.append(new)
            tail_at.append(i)
        else:
            tails[k] = new
            tail_at[k] = i
        back[i] = tail_at[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(i)
        i = back[i]
    return keep


def _pair_tables(old: BookView, new: BookView) -> tuple[list[tuple[TableView, TableView]], list[TableView], list[TableView]]:
    by_scope = {t.scope: t for t in new.tables}
    pairs: list[tuple[TableView, TableView]] = []
    used: set[str] = set()
    lost: list[TableView] = []
    for t in old.tables:
        other = by_scope.get(t.scope)
        if other is not None and other.scope not in used:
            pairs.append((t, other))
            used.add(other.scope)
        else:
            lost.append(t)
    fresh = [t for t in new.tables if t.scope not in used]
    # a table whose sheet was renamed: most of its lines are still there
    for t in list(lost):
        keys = {ln.key for ln in t.lines}
        best, score = None, 0.0
        for u in fresh:
            if u.layout != t.layout:
                continue
            other_keys = {ln.key for ln in u.lines}
            s = len(keys & other_keys) / max(len(keys), len(other_keys), 1)
            if s > score:
                best, score = u, s
        if best is not None and score >= 0.5:
            pairs.append((t, best))
            lost.remove(t)
            fresh.remove(best)
    return pairs, lost, fresh


def _similar(a: Line, b: Line, matchers: Iterable[Settings]) -> float:
    if a.kind != b.kind:
        return 0.0
    for s in matchers:
        x = s.find_area(a.label) or (s.find_area(s.suggest(a.label) or "") if a.area is None else None)
        y = s.find_area(b.label) or (s.find_area(s.suggest(b.label) or "") if b.area is None else None)
        if x is not None and y is not None and x.name == y.name:
            return 1.0
    return difflib.SequenceMatcher(None, _fold(a.label), _fold(b.label)).ratio()


def _renames(lost: list[Line], fresh: list[Line], matchers: list[Settings]) -> list[tuple[Line, Line]]:
    """Pairs of a removed and an added line that are the same row under a new name."""
    if not lost or not fresh or len(lost) * len(fresh) > 40_000:
        return []
    scored = sorted(
        ((_similar(a, b, matchers), i, j) for i, a in enumerate(lost) for j, b in enumerate(fresh)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    out: list[tuple[Line, Line]] = []
    for score, i, j in scored:
        if score < 0.6:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append((lost[i], fresh[j]))
    return out


class _Meaning:
    """Formulas by meaning: each reference becomes the lines and column it reads."""

    def __init__(self, view: BookView, translate: dict[tuple[str, str], tuple[str, str]] | None = None) -> None:
        self.view = view
        tr = translate or {}
        self.cols: dict[str, dict[int, ColumnKey]] = {}
        per_sheet: dict[str, list[tuple[int, tuple[str, str]]]] = {}
        for t in view.tables:
            self.cols.setdefault(t.sheet, {}).update(t.col_of())
            scope = t.scope
            ids = [(scope, ln.key) for ln in t.lines]
            if tr:
                ids = [tr.get(i, i) for i in ids]
            per_sheet.setdefault(t.sheet, []).extend(zip([ln.row for ln in t.lines], ids, strict=True))
        # per sheet, in row order: the rows that are lines of a table, and each line's identity (new version's terms)
        self.rows: dict[str, list[int]] = {}
        self.ids: dict[str, list[tuple[str, str]]] = {}
        for sheet, pairs in per_sheet.items():
            pairs.sort(key=itemgetter(0))
            self.rows[sheet] = [p[0] for p in pairs]
            self.ids[sheet] = [p[1] for p in pairs]
        self.stable: frozenset[str] = frozenset()  # set by compare(): see _formula_change
        self.sheet_keys = _sheet_keys(view.sheets)

    def layout_of(self, sheet: str) -> tuple[list[int], list[tuple[str, str]]]:
        """The sheet's line rows and their identities: equal in both versions when no row moved."""
        return self.rows.get(sheet, []), self.ids.get(sheet, [])

    def of(self, sheet: str, formula: str) -> tuple[str, list[tuple[object, ...]]]:
        """The formula with references masked, and what each reference reads."""
        reads: list[tuple[object, ...]] = []
        for ref in references(formula):
            reads.append(self._ref(sheet, ref))
        masked = re.sub(r"(?:'(?:[^']|'')+'|[\w.]+)?!?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?", "@", formula)
        return masked.replace(" ", "").upper(), reads

    def _ref(self, sheet: str, ref: Ref) -> tuple[object, ...]:
        target = ref.sheet or sheet
        rows = self.rows.get(target, [])
        covered = self.ids.get(target, [])[bisect_left(rows, ref.row1) : bisect_right(rows, ref.row2)]
        cols = self.cols.get(target, {})
        col_keys = tuple(cols.get(c, f"kolumn {c}") for c in range(ref.col1, min(ref.col2, ref.col1 + 50) + 1))
        if not covered:  # a cell outside every table: its address is its meaning
            return (self.sheet_keys.get(target) or _fold(target), ref.row1, ref.row2, col_keys)
        return ("rader", frozenset(covered), col_keys)  # rows by identity, whatever their sheet is called now


def _labels(views: tuple[BookView, BookView], keys: Iterable[tuple[str, str]]) -> list[str]:
    names = {(t.scope, ln.key): ln.label for view in views for t in view.tables for ln in t.lines}
    return [names.get(k, k[1]) for k in keys]


def _formula_change(
    old_sheet: str,
    new_sheet: str,
    old_f: str,
    new_f: str,
    old_pos: tuple[int, int],
    new_pos: tuple[int, int],
    meanings: tuple[_Meaning, _Meaning],
    stable: frozenset[str] = frozenset(),
) -> str | None:
    """None when the formulas mean the same; else a Swedish sentence of what changed.

    ``stable``: sheets (of the old version) whose rows are the same lines at the same rows in both versions.
    """
    if "!" not in old_f and "!" not in new_f:
        if old_f == new_f and old_pos == new_pos and old_sheet in stable:
            return None  # the same text over rows that did not move
        if _same_row(old_f, old_pos) and pattern(old_f, *old_pos) == pattern(new_f, *new_pos):
            return None  # a formula over its own row (=B5+C5) that moved with the row
    (mo, ro), (mn, rn) = meanings[0].of(old_sheet, old_f), meanings[1].of(new_sheet, new_f)
    if mo == mn and len(ro) == len(rn) and all(_same_read(a, b) for a, b in zip(ro, rn, strict=True)):
        return None
    if sum_ranges(old_f) and sum_ranges(new_f) and len(ro) == len(rn) == 1 and len(ro[0]) == len(rn[0]) == 3:
        before, after = ro[0][1], rn[0][1]
        assert isinstance(before, frozenset) and isinstance(after, frozenset)
        gone = _labels((meanings[1].view, meanings[0].view), sorted(before - after))
        came = _labels((meanings[1].view, meanings[0].view), sorted(after - before))
        parts = []
        if came:
            parts.append("räknar nu också med " + ", ".join(repr(x) for x in came))
        if gone:
            parts.append("räknar inte längre med " + ", ".join(repr(x) for x in gone))
        if parts:
            return f"Summan har ändrat område ({old_f} → {new_f}): " + "; ".join(parts) + "."
    if old_f == new_f or mo == mn:
        views = (meanings[1].view, meanings[0].view)
        before = [_read_sv(views, r) for r, q in zip(ro, rn, strict=False) if not _same_read(r, q)]
        after = [_read_sv(views, q) for r, q in zip(ro, rn, strict=False) if not _same_read(r, q)]
        if before and len(ro) == len(rn):
            same = "Formeln är densamma" if old_f == new_f else f"Formeln ({old_f} → {new_f}) räknar likadant"
            return f"{same} men läser nu {', '.join(after)} i stället för {', '.join(before)}."
    return f"Formeln är ändrad: {old_f} → {new_f}."


def _read_sv(views: tuple[BookView, BookView], read: tuple[object, ...]) -> str:
    if len(read) == 3 and isinstance(read[1], frozenset):
        return ", ".join(repr(x) for x in _labels(views, sorted(read[1]))) or "inga rader"
    return f"rad {int(read[1]) + 1}" if isinstance(read[1], int) else "en annan cell"


def _same_row(formula: str, pos: tuple[int, int]) -> bool:
    """True when every reference of the formula is a single cell on its own row."""
    return all(ref.is_cell and ref.row1 == pos[0] and ref.sheet is None for ref in references(formula))


def _same_read(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    if len(a) == 3 and len(b) == 3:
        return a == b
    return len(a) == len(b) == 4 and a[0] == b[0] and a[3] == b[3] and a[1] == b[1] and a[2] == b[2]


def _line_figures(t: TableView, index: int) -> str:
    parts = []
    for key, _col, _ in t.columns:
        v = t.values[key][index]
        if v is not None:
            parts.append(f"{key.label} {_fmt(v)}")
    return "; ".join(parts[:6]) + (" …" if len(parts) > 6 else "")


def compare(old: BookView, new: BookView, matchers: list[Settings] | None = None) -> Comparison:
    """Every difference between two versions, by meaning."""
    matchers = matchers or []
    if old.values_only or new.values_only:  # formulas on one side only say nothing: compare the values
        old, new = replace(old, formulas={}), replace(new, formulas={})
    result = Comparison(old.name, new.name, new.unit, values_only=[k for k, v in (("old", old), ("new", new)) if v.values_only])
    changes = result.changes
    # sheets: the same name, else the same name in other case; a sheet left over whose table went to a
    # sheet left over on the other side was renamed
    same = _pair_sheets(old.sheets, new.sheets)
    kept = set(same.values())
    pairs, lost_tables, fresh_tables = _pair_tables(old, new)
    renamed_sheets: dict[str, str] = {}
    for a, b in pairs:
        if a.sheet not in same and b.sheet not in kept and a.sheet not in renamed_sheets:
            renamed_sheets[a.sheet] = b.sheet
    for name in old.sheets:
        if name in renamed_sheets:
            changes.append(
                Change("sheet_renamed", f"Bladet {name!r} heter nu {renamed_sheets[name]!r}.", renamed_sheets[name], old=name)
            )
        elif name not in same:
            changes.append(Change("sheet_removed", f"Bladet {name!r} finns inte i den nya versionen.", name))
    renamed_to = set(renamed_sheets.values())
    for name in new.sheets:
        if name not in kept and name not in renamed_to:
            changes.append(Change("sheet_added", f"Bladet {name!r} är nytt.", name))
    for t in lost_tables:
        if t.sheet in same:
            changes.append(Change("sheet_removed", f"Tabellen på bladet {t.sheet!r} känns inte längre igen.", t.sheet))
    for t in fresh_tables:
        if t.sheet in kept:
            changes.append(Change("sheet_added", f"Bladet {t.sheet!r} har en ny tabell.", t.sheet))
    turned = _sign_change(pairs)
    if turned is not None:
        changes.append(turned)
    matches = [(a, b, _match(a, b, matchers)) for a, b in pairs]
    # the old version's formulas read through the matches, so a renamed row is the same row in a sum
    translate = {  # only identities that differ: a line is itself unless renamed or its table's scope changed
        (a.scope, a.lines[i].key): (b.scope, b.lines[j].key)
        for a, b, m in matches
        for i, j in (m.matched if a.scope != b.scope else m.renamed)
    }
    meanings = (_Meaning(old, translate), _Meaning(new))
    meanings[0].stable = frozenset(
        a.sheet for a, b, _m in matches if meanings[0].layout_of(a.sheet) == meanings[1].layout_of(b.sheet)
    )
    for a, b, m in matches:
        part: list[Change] = []
        _compare_tables(a, b, m, meanings, part)
        part.sort(key=_row_order)  # top to bottom, as the user reads the sheet (stable: a row's changes keep their order)
        changes += part
    _settings_changes(old, new, result)
    _summary(old, new, result, translate)
    for c in changes:  # a label that is an .ods time ("PT12H24M") reads "12:24"
        c.message = times_sv(c.message)
        if c.line:
            c.line = times_sv(c.line)
    return result


@dataclass
class _Matched:
    matched: list[tuple[int, int]]  # (old index, new index), in old order
    renamed: set[tuple[int, int]]
    lost: list[int]  # old lines with no partner
    fresh: list[int]  # new lines with no partner


def _renamed_in_place(a: TableView, b: TableView, lost: list[int], taken: set[int], fresh: list[int]) -> set[tuple[int, int]]:
    """A removed and an added line of the same kind at the same place with the same figures: one row, new name
    ("Samhällsplanering" now "Samhällsbyggnad", names no matcher pairs)."""
    common = [k for k in a.values if k in b.values]
    free = {j for j in fresh if j not in taken}
    out: set[tuple[int, int]] = set()
    for i in lost:
        j = i if i in free else None
        if j is None or a.lines[i].kind != b.lines[j].kind:
            continue
        figures = [(a.values[k][i], b.values[k][j]) for k in common]
        if any(x is not None for x, _ in figures) and all(_same(x, y) for x, y in figures):
            out.add((i, j))
            free.discard(j)
    return out


def _match(a: TableView, b: TableView, matchers: list[Settings]) -> _Matched:
    """Lines of two versions of a table paired: by key, then renamed lines by the area matcher and likeness."""
    b_index = {ln.key: j for j, ln in enumerate(b.lines)}
    matched: list[tuple[int, int]] = []
    lost: list[int] = []
    for i, ln in enumerate(a.lines):
        j = b_index.pop(ln.key, None)
        if j is None:
            lost.append(i)
        else:
            matched.append((i, j))
    fresh = sorted(b_index.values())
    renamed: set[tuple[int, int]] = set()
    if lost and fresh:
        pos_a = {id(a.lines[i]): i for i in lost}
        pos_b = {id(b.lines[j]): j for j in fresh}
        pairs = _renames([a.lines[i] for i in lost], [b.lines[j] for j in fresh], matchers)
        renamed = {(pos_a[id(x)], pos_b[id(y)]) for x, y in pairs}
        renamed |= _renamed_in_place(a, b, [i for i in lost if i not in {x for x, _ in renamed}], {y for _, y in renamed}, fresh)
    matched += renamed
    matched.sort()
    done_a = {i for i, _ in renamed}
    done_b = {j for _, j in renamed}
    return _Matched(matched, renamed, [i for i in lost if i not in done_a], [j for j in fresh if j not in done_b])


SIGN_SV = {
    Sign.COSTS_NEGATIVE: "kostnaderna negativa (netto = intäkter + kostnader)",
    Sign.COSTS_POSITIVE: "kostnaderna positiva (nettokostnad = kostnader − intäkter)",
}
_COST_LINES = frozenset({RowKind.COST_ITEM.value, RowKind.COST_SUM.value, RowKind.RESULT.value})


def main_sign(view: BookView) -> Sign:
    """A workbook's sign convention: that of its first table with a row per area (else its first table)."""
    table = next((t for t in view.tables if t.layout == "areas" and any(ln.area for ln in t.lines)), None)
    table = table or (view.tables[0] if view.tables else None)
    return table.sign if table is not None else Sign.COSTS_NEGATIVE


def _in_sign(a: TableView, sign: Sign, net_cost: bool = True) -> TableView:
    """``a`` with its figures in the sign convention ``sign``: the same budget kept with costs positive is no change.

    A table with a column per measure turns its cost columns over, and its nets when one side keeps them as
    nettokostnad and the other as netto (``net_cost``: the target's nets, with costs positive, are nettokostnad);
    an area's own sheet (rows say what they are) its cost rows, cost sums and result (nettokostnad)."""
    a_net_cost = a.sign is Sign.COSTS_POSITIVE and a.net_cost
    to_net_cost = sign is Sign.COSTS_POSITIVE and net_cost
    if a.sign is sign and (a.layout == "accounts" or a_net_cost == to_net_cost):
        return a
    if a.layout == "accounts":
        turn = [ln.kind in _COST_LINES for ln in a.lines]
        values = {
            k: [None if v is None else (-v if t else v) for v, t in zip(vs, turn, strict=True)] for k, vs in a.values.items()
        }
    else:
        turned = {"net"} if a_net_cost != to_net_cost else set()
        turned |= {"cost"} if a.sign is not sign else set()
        values = {k: [None if v is None else -v for v in vs] if k.kind in turned else vs for k, vs in a.values.items()}
    return dataclasses.replace(a, values=values, sign=sign, net_cost=net_cost if sign is Sign.COSTS_POSITIVE else True)


def _sign_change(pairs: list[tuple[TableView, TableView]]) -> Change | None:
    """One change for every table kept in the other sign convention now (figures compared after turning over)."""
    turned = [(a, b) for a, b in pairs if a.sign is not b.sign]
    if not turned:
        return None
    sheets = list(dict.fromkeys(b.sheet for _a, b in turned))
    where = f"bladet {sheets[0]!r}" if len(sheets) == 1 else "bladen " + ", ".join(repr(n) for n in sheets)
    before, after = turned[0][0].sign, turned[0][1].sign
    return Change(
        "sign_changed",
        f"Tecknen skrivs på ett annat sätt på {where}: före med {SIGN_SV[before]}, efter med {SIGN_SV[after]}. "
        "Beloppen är jämförda efter omräkning till den nya versionens tecken, så bara verkliga ändringar visas.",
        sheets[0] if len(sheets) == 1 else None,
        old=SIGN_SV[before],
        new=SIGN_SV[after],
    )


def _in_unit_of(a: TableView, b: TableView) -> TableView:
    """``a`` with its figures in ``b``'s unit: the same budget typed in tkr instead of mkr is no change."""
    if a.unit == b.unit or a.unit not in UNIT_FACTOR or b.unit not in UNIT_FACTOR:
        return a
    values = {k: [None if v is None else in_unit(v, a.unit, b.unit) for v in vs] for k, vs in a.values.items()}
    return dataclasses.replace(a, unit=b.unit, values=values)


def _compare_tables(a: TableView, b: TableView, m: _Matched, meanings: tuple[_Meaning, _Meaning], changes: list[Change]) -> None:
    a = _in_sign(_in_unit_of(a, b), b.sign, b.net_cost)
    sheet = b.sheet
    a_cols = {k: c for k, c, _ in a.columns}
    b_cols = {k: c for k, c, _ in b.columns}
    for k, _c, header in b.columns:
        if k not in a_cols:
            changes.append(
                Change("column_added", f"Kolumnen {header!r} ({k.label}) är ny på bladet {sheet!r}.", sheet, column=k.label)
            )
    for k, _c, header in a.columns:
        if k not in b_cols:
            changes.append(
                Change(
                    "column_removed",
                    f"Kolumnen {header!r} ({k.label}) finns inte längre på bladet {sheet!r}.",
                    sheet,
                    column=k.label,
                )
            )
    matched = m.matched
    for i in m.lost:
        ln = a.lines[i]
        changes.append(
            Change(
                "line_removed",
                f"Raden {ln.label!r} finns inte längre ({_line_figures(a, i)}).",
                a.sheet,
                ln.label,
                ln.area,
                old_cell=_cell(a.sheet, ln.row, 0),
            )
        )
    for j in m.fresh:
        ln = b.lines[j]
        changes.append(
            Change(
                "line_added",
                f"Raden {ln.label!r} är ny ({_line_figures(b, j)}).",
                sheet,
                ln.label,
                ln.area,
                new_cell=_cell(sheet, ln.row, 0),
            )
        )
    stable = _stable(matched)
    common = [(k, a_cols[k], b_cols[k]) for k, _c, _ in b.columns if k in a_cols]
    a_lines, b_lines = a.lines, b.lines
    attention = {n for n, (i, j) in enumerate(matched) if a_lines[i].label != b_lines[j].label}
    if len(stable) != len(matched):
        attention.update(n for n in range(len(matched)) if n not in stable)
    for n in sorted(attention):
        i, j = matched[n]
        x, y = a_lines[i], b_lines[j]
        label = y.label
        if (i, j) in m.renamed or (x.label != y.label and _fold(x.label) != _fold(y.label)):
            changes.append(
                Change(
                    "line_renamed",
                    f"Raden {x.label!r} heter nu {y.label!r}.",
                    sheet,
                    label,
                    y.area or x.area,
                    old=x.label,
                    new=y.label,
                    old_cell=_cell(a.sheet, x.row, 0),
                    new_cell=_cell(sheet, y.row, 0),
                )
            )
        if n not in stable:
            changes.append(
                Change(
                    "line_moved",
                    f"Raden {label!r} är flyttad från rad {x.row + 1} till rad {y.row + 1}.",
                    sheet,
                    label,
                    y.area,
                    old_cell=_cell(a.sheet, x.row, 0),
                    new_cell=_cell(sheet, y.row, 0),
                )
            )
    # figures column by column: only cells that differ, or hold a formula in either version, are looked at
    fa_all = meanings[0].view.formulas.get(a.sheet, {})
    fb_all = meanings[1].view.formulas.get(sheet, {})
    pos_of_old_row = {a.lines[i].row: n for n, (i, _j) in enumerate(matched)}
    pos_of_new_row = {b.lines[j].row: n for n, (_i, j) in enumerate(matched)}
    aligned = len(matched) == len(a.lines) == len(b.lines) and all(i == j for i, j in matched)
    for k, ca, cb in common:
        va, vb = a.values[k], b.values[k]
        if aligned:  # line n is line n in both: compare the columns as they are
            look = set() if va == vb else {n for n, (p, q) in enumerate(zip(va, vb, strict=True)) if p != q}
        else:
            olds = [va[i] for i, _j in matched]
            news = [vb[j] for _i, j in matched]
            look = {n for n, (p, q) in enumerate(zip(olds, news, strict=True)) if p != q}
        look.update(pos_of_old_row[r] for r, c in fa_all if c == ca and r in pos_of_old_row)
        look.update(pos_of_new_row[r] for r, c in fb_all if c == cb and r in pos_of_new_row)
        for n in sorted(look):
            _compare_cell(a, b, k, matched[n], (ca, cb), meanings, changes)


def _compare_cell(
    a: TableView,
    b: TableView,
    k: ColumnKey,
    ij: tuple[int, int],
    cols: tuple[int, int],
    meanings: tuple[_Meaning, _Meaning],
    changes: list[Change],
) -> None:
    """One figure of a matched line: its formula (by meaning) and its value."""
    (i, j), (ca, cb) = ij, cols
    x, y = a.lines[i], b.lines[j]
    va, vb = a.values[k][i], b.values[k][j]
    fa = meanings[0].view.formulas.get(a.sheet, {}).get((x.row, ca))
    fb = meanings[1].view.formulas.get(b.sheet, {}).get((y.row, cb))
    if fa is None and fb is None and _same(va, vb):
        return  # the common case: a typed figure that did not change
    delta = None if va is None or vb is None else vb - va
    label = y.label

    def emit(kind: str, message: str) -> None:
        changes.append(
            Change(
                kind,
                f"{label}, {k.label}: {message}",
                sheet=b.sheet,
                line=label,
                area=y.area,
                column=k.label,
                old=va,
                new=vb,
                delta=delta,
                old_cell=_cell(a.sheet, x.row, ca),
                new_cell=_cell(b.sheet, y.row, cb),
                old_formula=fa,
                new_formula=fb,
            )
        )

    if fa is not None and fb is None:
        emit("formula_to_constant", f"formeln ={fa} är ersatt med värdet {_fmt(vb)}.")
    elif fa is None and fb is not None:
        emit("constant_to_formula", f"värdet {_fmt(va)} är ersatt med formeln ={fb}.")
    elif fa is not None and fb is not None:
        said = _formula_change(a.sheet, b.sheet, fa, fb, (x.row, ca), (y.row, cb), meanings, meanings[0].stable)
        if said is not None:
            emit("formula_changed", said)
    if not _same(va, vb):
        how = f" ({'+' if delta > 0 else ''}{_fmt(delta)})" if delta is not None else ""
        emit("value_changed", f"{_fmt(va)} → {_fmt(vb)}{how}.")


def _row_order(c: Change) -> int:
    cell = c.new_cell or c.old_cell
    if not cell:
        return -1
    digits = re.search(r"(\d+)$", cell)
    return int(digits.group(1)) if digits else -1


def _settings_changes(old: BookView, new: BookView, result: Comparison) -> None:
    for year in sorted(set(old.frames) | set(new.frames)):
        o, n = old.frames.get(year), new.frames.get(year)
        result.frames.append((year, o, n))
        if not _same(o, n):
            result.changes.append(
                Change(
                    "frame_changed",
                    f"Ramen för {year}: {_fmt(o)} → {_fmt(n)} {new.unit}.",
                    column=f"Ram {year}",
                    old=o,
                    new=n,
                    delta=None if o is None or n is None else n - o,
                )
            )
    spans = sorted({(f, t) for f, t, _, _ in old.bridge} | {(f, t) for f, t, _, _ in new.bridge})
    for f, t in spans:
        items_o = {_fold(x): (x, v) for a, b, x, v in old.bridge if (a, b) == (f, t)}
        items_n = {_fold(x): (x, v) for a, b, x, v in new.bridge if (a, b) == (f, t)}
        result.bridge.append(
            (
                f,
                t,
                sum(v for _, v in items_o.values()) if items_o else None,
                sum(v for _, v in items_n.values()) if items_n else None,
            )
        )
        for key in sorted(set(items_o) | set(items_n)):
            xo, xn = items_o.get(key), items_n.get(key)
            text = (xn or xo or ("", 0.0))[0]
            vo, vn = (xo[1] if xo else None), (xn[1] if xn else None)
            if not _same(vo, vn):
                result.changes.append(
                    Change(
                        "bridge_changed",
                        f"Budgetbrygga {f}→{t}, {text!r}: {_fmt(vo)} → {_fmt(vn)} {new.unit}.",
                        line=text,
                        column=f"Budgetbrygga {f}→{t}",
                        old=vo,
                        new=vn,
                        delta=None if vo is None or vn is None else vn - vo,
                    )
                )


def _summary(old: BookView, new: BookView, result: Comparison, translate: dict[tuple[str, str], tuple[str, str]]) -> None:
    """Net per area and year before and after; a renamed row is one area (named as the settings know it)."""
    sign = main_sign(new)
    result.costs_positive = sign is Sign.COSTS_POSITIVE
    after = {(f.line, f.column.year, f.column.measure): f for f in area_figures(new, new.unit, sign) if f.column.kind == "net"}
    before = {
        (translate.get(f.line, f.line), f.column.year, f.column.measure): f
        for f in area_figures(old, new.unit, sign)
        if f.column.kind == "net"
    }
    known = {area.casefold() for view in (old, new) for t in view.tables for ln in t.lines if (area := ln.area)}
    keys = sorted(
        list(after) + [k for k in before if k not in after],
        key=lambda k: (k[1] or 0, k[2] != "budget", k[2]),  # years in order, budget first; areas as the new version has them
    )
    for ident in keys:
        a, b = after.get(ident), before.get(ident)
        names = [f.area for f in (a, b) if f is not None]
        name = next((n for n in names if n.casefold() in known), names[0])
        result.summary.append(AreaNet(name, ident[1], ident[2], b.value if b else None, a.value if a else None))
    # the board's total: the sum row of the first table with a row per area
    totals: list[dict[tuple[int | None, str], float]] = []
    for view in (old, new):
        got: dict[tuple[int | None, str], float] = {}
        table = next((t for t in view.tables if t.layout == "areas" and any(ln.area for ln in t.lines)), None)
        if table is not None:
            table = _in_sign(table, sign)
            for i, ln in enumerate(table.lines):
                if ln.kind != RowKind.SUM.value:
                    continue
                for k, _c, _h in table.columns:
                    v = table.values[k][i]
                    if k.kind == "net" and v is not None:
                        got.setdefault((k.year, k.measure), in_unit(v, table.unit or view.unit, new.unit))
        totals.append(got)
    for year, measure in list(totals[1]) + [k for k in totals[0] if k not in totals[1]]:
        result.summary.append(
            AreaNet(f"{new.board} totalt", year, measure, totals[0].get((year, measure)), totals[1].get((year, measure)))
        )


def read_books(old: WorkbookGrid, new: WorkbookGrid, given: Settings | None = None) -> tuple[BookView, BookView, list[Settings]]:
    """Both versions read with their own settings (or ``given``); area names from the new version's settings first."""
    from vpexcel.validate import resolve_settings

    s_old, s_new = resolve_settings(old, given), resolve_settings(new, given)
    return read_view(old, s_old, s_new), read_view(new, s_new, s_new), [s_new, s_old]


def compare_books(old: WorkbookGrid, new: WorkbookGrid, given: Settings | None = None) -> Comparison:
    """Read both versions and compare them: what ``vpexcel jämför`` and the Excel button run."""
    view_old, view_new, matchers = read_books(old, new, given)
    return compare(view_old, view_new, matchers)


# --- in words ----------------------------------------------------------------------------


def counts_sv(comp: Comparison) -> str:
    """The changes counted in words: "3 ändringar: 1 rad omdöpt, 2 belopp ändrade." (one place for CLI and button),
    followed by why the formulas were not compared when a version was read as values only."""
    unread = formulas_sv(comp)
    if not comp.changes:
        if unread:
            return f"Inga ändringar i värdena: samma områden, rader, belopp, ram och budgetbrygga. {unread}"
        return "Inga ändringar i innehållet: samma områden, rader, belopp, formler, ram och budgetbrygga."
    parts = [
        f"{n} {COUNT_SV[k] if n > 1 else CHANGE_SV[k].lower()}"
        for k, n in sorted(comp.counts().items(), key=lambda kv: list(CHANGE_SV).index(kv[0]))
    ]
    counted = f"{len(comp.changes)} {'ändring' if len(comp.changes) == 1 else 'ändringar'}: " + ", ".join(parts) + "."
    return f"{counted} {unread}" if unread else counted


VALUES_ONLY_FORMATS = (".xls", ".ods", ".xlsb")


def formulas_sv(comp: Comparison) -> str | None:
    """Why the formulas were not compared (a version saved as .xls, .ods or .xlsb), or None when they were."""
    if not comp.values_only:
        return None
    names = [comp.old_name if k == "old" else comp.new_name for k in comp.values_only]
    formats = list(dict.fromkeys(_format_of(name) for name in names))
    saved_as, source = " och ".join(formats), "det formatet" if len(formats) == 1 else "de formaten"
    if len(names) == 2:
        return (
            f"Formlerna kunde inte jämföras eftersom båda versionerna ({names[0]} och {names[1]}) är sparade som "
            f"{saved_as}, och ur {source} läser vpexcel bara värdena. Spara dem som .xlsx för att också jämföra formlerna."
        )
    which = "den tidigare versionen" if comp.values_only == ["old"] else "den nya versionen"
    return (
        f"Formlerna kunde inte jämföras eftersom {which} ({names[0]}) är sparad som {saved_as}, "
        f"och ur {source} läser vpexcel bara värdena. Spara den som .xlsx för att också jämföra formlerna."
    )


def _format_of(name: str) -> str:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return suffix if suffix in VALUES_ONLY_FORMATS else "ett av formaten .xls, .ods och .xlsb"


def text_lines(comp: Comparison) -> list[str]:
    """The comparison as the terminal shows it: counts, changes per sheet, net per area, frame and bridge."""
    lines = [f"Jämförelse av {comp.old_name} (före) och {comp.new_name} (efter)"]
    lines.append(counts_sv(comp))
    current: str | None = ""
    for c in comp.changes:
        if c.sheet != current:
            current = c.sheet
            lines += ["", f"Blad: {c.sheet}" if c.sheet else "Inställningar (ram och budgetbrygga)"]
        where = " → ".join(x.rsplit("!", 1)[-1] for x in (c.old_cell, c.new_cell) if x)
        lines.append(f"  {CHANGE_SV[c.kind]:<24} {c.message}" + (f"  [{where}]" if where else ""))
    nets = [s for s in comp.summary if s.measure == "budget"]
    if nets:
        what = "Nettokostnad (kostnader positiva)" if comp.costs_positive else "Netto"
        lines += ["", f"{what} per område ({comp.unit}): före → efter (förändring)"]
        for s in nets:
            year = f" {s.year}" if s.year else ""
            change = s.change
            how = (
                ""
                if change is None
                else (" (oförändrat)" if abs(change) < 1e-9 else f" ({'+' if change > 0 else ''}{_fmt(change)})")
            )
            lines.append(f"  {s.area}{year}: {_fmt(s.old)} → {_fmt(s.new)}{how}")
    if comp.frames or comp.bridge:
        lines.append("")
    for frame_year, o, n in comp.frames:
        lines.append(f"Ram {frame_year}: {_fmt(o)} → {_fmt(n)}" + (" (oförändrad)" if _same(o, n) else ""))
    for f, t, o, n in comp.bridge:
        lines.append(f"Budgetbrygga {f}→{t}, summa av posterna: {_fmt(o)} → {_fmt(n)}" + (" (oförändrad)" if _same(o, n) else ""))
    return lines
