"""Compute the template formulas that depend on filled cells, so a preview shows the right totals.

A filled workbook is opened by Excel, which recalculates (the patcher sets
``fullCalcOnLoad``), but a preview (Outlook, a phone, a file viewer, LibreOffice
without recalculation) shows the value stored with each formula. After filling,
those stored values are stale: the template's totals say 0. This module works
out which formulas read filled cells, directly or through other formulas, and
computes them over the filled values.

What it computes: numbers, text and TRUE/FALSE; references and ranges on the
same sheet; ``+ - * / ^ &``, comparisons, unary minus, ``%``; and SUM, IF,
IFERROR, MIN, MAX, AVERAGE, ABS, ROUND, AND, OR, NOT, COUNT. Anything else (other
functions, other sheets, other workbooks, an Excel error on the way) is left to
Excel and counted, so nothing is guessed. Pure: works on the cell grid.

A small parser of its own rather than a formula library: ``formulas`` and
``pycel`` evaluate whole workbooks through numpy/networkx graphs and take longer
to import than a fill takes to run, and each Excel click starts a process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from vpexcel.formulas import references
from vpexcel.grid import CellValue, ErrorValue, SheetGrid, column_index

Cell = tuple[int, int]
Scalar = float | str | bool | None


class Unsupported(Exception):
    """The formula uses something this module does not compute (Excel will)."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>"(?:[^"]|"")*")
    |(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w(])
    |(?P<func>[A-Za-z_][\w.]*)\s*\(
    |(?P<bool>TRUE|FALSE)\b
    |(?P<op><=|>=|<>|[-+*/^&=<>%(),])
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@dataclass
class _Range:
    cells: list[Cell]


def tokens(formula: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos, text = 0, formula.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise Unsupported(text[pos:])
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


@dataclass
class _Parser:
    """Recursive descent over the tokens, evaluating as it goes (Excel's operator precedence)."""

    toks: list[tuple[str, str]]
    cell: Callable[[Cell], Scalar]
    pos: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise Unsupported(f"expected {value}")
        self.pos += 1
        return tok

    def run(self) -> Scalar:
        value = self.scalar(self.compare())
        if self.peek() is not None:
            raise Unsupported("trailing tokens")
        return value

    def scalar(self, v: Scalar | _Range) -> Scalar:
        if isinstance(v, _Range):
            if len(v.cells) != 1:
                raise Unsupported("a range where one value belongs")
            return self.cell(v.cells[0])
        return v

    def compare(self) -> Scalar | _Range:
        left = self.concat()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in ("=", "<>", "<", ">", "<=", ">="):
            self.take()
            a, b = self.scalar(left), self.scalar(self.concat())
            left = _compare(tok[1], a, b)
        return left

    def concat(self) -> Scalar | _Range:
        left = self.additive()
        while (tok := self.peek()) and tok[1] == "&":
            self.take()
            left = _text(self.scalar(left)) + _text(self.scalar(self.additive()))
        return left

    def additive(self) -> Scalar | _Range:
        left = self.multiplicative()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in "+-":
            self.take()
            a, b = _number(self.scalar(left)), _number(self.scalar(self.multiplicative()))
            left = a + b if tok[1] == "+" else a - b
        return left

    def multiplicative(self) -> Scalar | _Range:
        left = self.power()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in "*/":
            self.take()
            a, b = _number(self.scalar(left)), _number(self.scalar(self.power()))
            if tok[1] == "/" and b == 0:
                raise Unsupported("#DIV/0!")
            left = a * b if tok[1] == "*" else a / b
        return left

    def power(self) -> Scalar | _Range:
        left = self.unary()
        while (tok := self.peek()) and tok[1] == "^":
            self.take()
            left = _number(self.scalar(left)) ** _number(self.scalar(self.unary()))
        return left

    def unary(self) -> Scalar | _Range:
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in "+-":
            self.take()
            v = _number(self.scalar(self.unary()))
            return -v if tok[1] == "-" else v
        value = self.primary()
        while (t := self.peek()) and t[1] == "%":
            self.take()
            value = _number(self.scalar(value)) / 100
        return value

    def primary(self) -> Scalar | _Range:
        tok = self.take()
        kind, text = tok
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "bool":
            return text.upper() == "TRUE"
        if kind == "ref":
            if "!" in text:
                raise Unsupported("another sheet")
            return _Range(_cells(text))
        if kind == "func":
            return self.function(text.upper())
        if text == "(":
            value = self.compare()
            self.take(")")
            return value
        raise Unsupported(text)

    def arguments(self) -> list[Scalar | _Range]:
        args: list[Scalar | _Range] = []
        if (tok := self.peek()) and tok[1] == ")":
            self.take()
            return args
        while True:
            args.append(self.compare())
            tok = self.take()
            if tok[1] == ")":
                return args
            if tok[1] != ",":
                raise Unsupported(tok[1])

    def numbers(self, args: list[Scalar | _Range]) -> Iterator[float]:
        """Numbers of a SUM-like argument list: in ranges only numbers count, given values are read as numbers."""
        for a in args:
            if isinstance(a, _Range):
                for c in a.cells:
                    v = self.cell(c)
                    if isinstance(v, float):
                        yield v
            else:
                yield _number(a)

    def function(self, name: str) -> Scalar:
        if name in ("IF", "IFERROR"):
            return self.lazy(name)
        args = self.arguments()
        if name == "SUM":
            return math.fsum(self.numbers(args))
        if name in ("MIN", "MAX", "AVERAGE", "COUNT"):
            values = list(self.numbers(args))
            if name == "COUNT":
                return float(len(values))
            if not values:
                if name == "AVERAGE":
                    raise Unsupported("#DIV/0!")
                return 0.0
            return min(values) if name == "MIN" else max(values) if name == "MAX" else math.fsum(values) / len(values)
        if name == "ABS" and len(args) == 1:
            return abs(_number(self.scalar(args[0])))
        if name == "ROUND" and len(args) == 2:
            return _round(_number(self.scalar(args[0])), int(_number(self.scalar(args[1]))))
        if name in ("AND", "OR"):
            flags = [_truth(self.scalar(a)) for a in args]
            return all(flags) if name == "AND" else any(flags)
        if name == "NOT" and len(args) == 1:
            return not _truth(self.scalar(args[0]))
        raise Unsupported(name)

    def lazy(self, name: str) -> Scalar:
        """IF and IFERROR: only the branch Excel takes is evaluated (the other may divide by zero)."""
        args = self._split_arguments()
        if name == "IF":
            if len(args) not in (2, 3):
                raise Unsupported("IF")
            if _truth(self.sub(args[0])):
                return self.sub(args[1])
            return self.sub(args[2]) if len(args) == 3 else False
        if len(args) != 2:
            raise Unsupported("IFERROR")
        try:
            return self.sub(args[0])
        except Unsupported as exc:
            if not str(exc).startswith("#"):
                raise  # not an Excel error: something this module cannot compute
            return self.sub(args[1])

    def _split_arguments(self) -> list[list[tuple[str, str]]]:
        args: list[list[tuple[str, str]]] = [[]]
        depth = 0
        while True:
            tok = self.take()
            if tok[0] == "func" or tok[1] == "(":
                depth += 1
            elif tok[1] == ")":
                if depth == 0:
                    return args
                depth -= 1
            elif tok[1] == "," and depth == 0:
                args.append([])
                continue
            args[-1].append(tok)

    def sub(self, toks: list[tuple[str, str]]) -> Scalar:
        if not toks:
            return 0.0
        return _Parser(toks, self.cell).run()


def _cells(ref: str) -> list[Cell]:
    parts = [_CELL.fullmatch(p) for p in ref.split(":")]
    if any(p is None for p in parts):
        raise Unsupported(ref)
    coords = [(int(p.group(2)) - 1, column_index(p.group(1))) for p in parts if p]
    (r1, c1), (r2, c2) = coords[0], coords[-1]
    rows, cols = range(min(r1, r2), max(r1, r2) + 1), range(min(c1, c2), max(c1, c2) + 1)
    if len(rows) * len(cols) > 100_000:
        raise Unsupported("a very large range")
    return [(r, c) for r in rows for c in cols]


def _number(v: Scalar) -> float:
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    try:
        return float(v.strip())
    except ValueError:
        raise Unsupported("#VALUE!") from None


def _text(v: Scalar) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return v


def _truth(v: Scalar) -> bool:
    if isinstance(v, str):
        if v.upper() in ("TRUE", "FALSE"):
            return v.upper() == "TRUE"
        raise Unsupported("#VALUE!")
    return bool(_number(v))


def _compare(op: str, a: Scalar, b: Scalar) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        x: float | str = _text(a).casefold()
        y: float | str = _text(b).casefold()
        if not (isinstance(a, str) and isinstance(b, str)) and a is not None and b is not None:
            raise Unsupported("text compared with a number")
    else:
        x, y = _number(a), _number(b)
    return {"=": x == y, "<>": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]  # type: ignore[operator]


def _round(x: float, digits: int) -> float:
    """Excel's ROUND: half away from zero on the decimal figure shown (1.15 -> 1.2, 0.285 -> 0.29)."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    try:
        return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))
    except InvalidOperation:  # too many digits for the precision: nothing to round away
        return x


def _plain(v: CellValue) -> Scalar:
    if v is None or v == "":
        return None
    if isinstance(v, ErrorValue):
        raise Unsupported(str(v))
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        return v
    raise Unsupported(type(v).__name__)  # dates and times: left to Excel


def evaluate(formula: str, cell: Callable[[Cell], Scalar]) -> Scalar:
    """The value of one formula (text without '='), reading cells through ``cell``; Unsupported if it cannot."""
    return _Parser(tokens(formula), cell).run()


@dataclass
class Recalculated:
    """Values of the formulas that read filled cells, and the formulas left to Excel."""

    values: dict[Cell, Scalar] = field(default_factory=dict)
    left: list[Cell] = field(default_factory=list)


class _Cells:
    """Cells by column with sorted rows, so the cells inside a range are found without walking them all."""

    def __init__(self, cells: object) -> None:
        import bisect

        self._bisect = bisect
        self.by_col: dict[int, list[int]] = {}
        for r, c in cells:  # type: ignore[attr-defined]
            self.by_col.setdefault(c, []).append(r)
        for rows in self.by_col.values():
            rows.sort()

    def inside(self, box: tuple[int, int, int, int]) -> Iterator[Cell]:
        r1, c1, r2, c2 = box
        cols = range(c1, c2 + 1) if c2 - c1 < len(self.by_col) else sorted(c for c in self.by_col if c1 <= c <= c2)
        for c in cols:
            rows = self.by_col.get(c)
            if not rows:
                continue
            i = self._bisect.bisect_left(rows, r1)
            while i < len(rows) and rows[i] <= r2:
                yield rows[i], c
                i += 1


def recalculate(sheet: SheetGrid, filled: Mapping[Cell, CellValue]) -> Recalculated:
    """Every formula on ``sheet`` that reads a filled cell (directly or through another formula), computed."""
    formulas = sheet.formulas
    if not formulas or not filled:
        return Recalculated()
    deps: dict[Cell, list[tuple[int, int, int, int]]] = {}
    for at, text in formulas.items():
        deps[at] = [(r.row1, r.col1, r.row2, r.col2) for r in references(text) if r.sheet is None or r.sheet == sheet.name]
    filled_index, formula_index = _Cells(filled), _Cells(formulas)
    changed: dict[Cell, bool] = {}

    def affected(at: Cell) -> bool:
        """Does the formula at ``at`` read a filled cell, directly or through other formulas (iterative, no recursion)?"""
        if at in changed:
            return changed[at]
        stack, seen, order = [at], {at}, []
        while stack:
            cell = stack.pop()
            order.append(cell)
            for box in deps[cell]:
                if next(filled_index.inside(box), None) is not None:
                    changed[cell] = changed[at] = True  # (the cells between are left to their own walk)
                    return True
                for f in formula_index.inside(box):
                    if f in changed:
                        if changed[f]:
                            changed[at] = True
                            return True
                        continue
                    if f not in seen:
                        seen.add(f)
                        stack.append(f)
        for c in order:
            changed[c] = False  # nothing reachable reads a filled cell
        return False

    out = Recalculated()
    memo: dict[Cell, Scalar] = {}

    def value(at: Cell, stack: frozenset[Cell]) -> Scalar:
        if at in filled:
            return _plain(filled[at])
        if at in formulas and affected(at):
            if at in memo:
                return memo[at]
            if at in stack:
                raise Unsupported("a circular reference")
            memo[at] = evaluate(formulas[at], lambda c: value(c, stack | {at}))
            return memo[at]
        return _plain(sheet.value(*at))

    for at in sorted(formulas):
        if not affected(at):
            continue
        try:
            result = value(at, frozenset())
        except (Unsupported, RecursionError, ArithmeticError, ValueError):
            out.left.append(at)
            continue
        if result is None:
            result = 0.0  # a formula that only points at an empty cell shows 0
        if isinstance(result, float) and not math.isfinite(result):
            out.left.append(at)
            continue
        out.values[at] = result
    return out
