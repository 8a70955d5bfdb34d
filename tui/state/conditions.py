"""Conditions for breakpoints: a small, safe expression language over one visit's outputs.

A condition is one Python expression, such as `len(documents) < 3` or `"Babylon" in prompt[0].text`. Its names
are the visit's output sockets, plus `outputs` (the whole dict) and `visit` (the visit number); when a socket
is itself called `outputs` or `visit`, reach it as `outputs["visit"]`.

The text is parsed with `ast` and checked against a whitelist when the user types it, so a mistake is reported
with its column before the run goes on; the checked tree is then walked by a small interpreter. Nothing is
compiled to bytecode or handed to `eval`.

Why our own walker rather than a library such as `simpleeval`: the invariant that makes a condition safe here is
that the only code ever *called* is a short list of builtins and of `str`/`dict` methods, applied to receivers
of exactly those types. simpleeval calls any public method an expression reaches, so `documents.clear()` or
`outputs.pop("x")` would mutate the very outputs that flow on to the rest of the run, and any object's `get()`
(an HTTP client's, say) could run; it also checks a condition only when it evaluates it, so errors come without a
column at typing time. Narrowing it would mean overriding its core, leaving about as much code as this module,
plus a dependency.

Evaluation is bounded so that a condition cannot hang the UI or exhaust memory: a budget of interpreter steps
(generator expressions included) and of time, a ceiling on the size of integers and on the weight of what
arithmetic builds, converts to a string or sorts (a sequence weighs its items, a string its characters, nested
ones all of theirs: `['a' * 10**6] * 10**6` holds a million items but weighs 10**12), no `%` formatting of
strings, and no format specs in f-strings.
"""

from __future__ import annotations

import ast
import difflib
import operator
import re
import time
import types
import warnings
from collections import ChainMap
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_LENGTH = 2_000
"""Characters in a condition's text."""
MAX_DEPTH = 100
"""Levels of nesting in a condition's syntax tree; the checker and the interpreter recurse over it."""
MAX_STEPS = 50_000
"""Expression nodes evaluated per check, each item of a generator expression included."""
MAX_INT_BITS = 10_000
"""Bits in an integer that `*`, `**` or `<<` may produce (about 3,000 decimal digits)."""
MAX_SEQUENCE = 1_000_000
"""Items (or characters) in a sequence that `+` or `*` may produce."""
MAX_ROUND_DIGITS = 1_000
"""`round(x, n)` with a huge negative `n` computes `10 ** -n`."""
MAX_WEIGHT = MAX_SEQUENCE
"""Characters and items, nested ones included, in a value that is built, converted to a string or sorted."""
MAX_SECONDS = 0.5
"""Wall-clock time per check: the last bound, for steps that are each cheap but many."""

RESERVED_NAMES = ("outputs", "visit")

_SEQUENCES = (str, bytes, list, tuple)
_ITERABLE_FUNCTIONS = frozenset({"min", "max", "sum", "any", "all", "sorted"})
"""The functions that may take a generator expression: they consume it at once."""
_HIDDEN_TYPES = (
    types.ModuleType,
    types.FrameType,
    types.CodeType,
    types.TracebackType,
    types.GeneratorType,
    types.CoroutineType,
    types.AsyncGeneratorType,
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
)
"""Receivers whose attributes lead to the interpreter's internals, not to data."""


class ConditionError(Exception):
    """Base of every error a condition reports."""


class ConditionSyntaxError(ConditionError):
    """The text is not a valid condition; raised when it is compiled, i.e. when the user types it."""

    def __init__(self, message: str, text: str, line: int, column: int) -> None:
        self.message, self.text, self.line, self.column = message, text, line, column
        """`column` counts characters from 1; `line` is 1 unless the text spans several lines."""
        where = f"column {column}" if line == 1 else f"line {line}, column {column}"
        super().__init__(f"{message} ({where})")


class ConditionEvaluationError(ConditionError):
    """Evaluating the condition on one visit failed: a "condition error" that the session shows for that hit."""

    def __init__(self, message: str, fragment: str, column: int) -> None:
        self.message, self.fragment, self.column = message, fragment, column
        super().__init__(f"{message}, at `{fragment}` (column {column})")


class _Refused(Exception):
    """An operation the bounds forbid; carries the message the user sees."""


# -- what may be called --------------------------------------------------------------------------------------


def _sum(iterable: Any, start: Any = 0) -> Any:
    """A non-numeric start would let `sum` concatenate lists or strings quadratically."""
    if not isinstance(start, int | float):
        raise _Refused("sum() takes a number as its start")
    return sum(iterable, start)


def _round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is None:
        return round(number)
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise _Refused(f"round() takes at most {MAX_ROUND_DIGITS:,} digits")
    return round(number, ndigits)


@dataclass(frozen=True, slots=True)
class _Function:
    call: Callable[..., Any]
    keywords: frozenset[str] = frozenset()


# -- bounded operators ---------------------------------------------------------------------------------------


def _check_sequence(length: int) -> None:
    if length > MAX_SEQUENCE:
        raise _Refused(f"the result would hold {length:,} items; conditions build at most {MAX_SEQUENCE:,}")


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise _Refused(f"the result would have about {bits:,} bits; conditions allow at most {MAX_INT_BITS:,}")


_HEAVY = (str, bytes, bytearray, list, tuple, set, frozenset, dict)
"""Kinds whose weight is more than one item: strings by their characters, containers by their contents."""


def _weight(value: Any) -> int:
    """Characters of its strings and items of any other kind in `value`, nested containers included, counting a
    shared object each time it is reached (as `str()` prints it); stops early once past `MAX_WEIGHT`."""
    known: dict[int, int] = {}

    def weigh(item: Any, depth: int) -> int:
        if isinstance(item, str | bytes | bytearray):
            return len(item)
        if not isinstance(item, _HEAVY) or depth > MAX_DEPTH:
            return 1
        if id(item) in known:
            return known[id(item)]
        if not isinstance(item, dict) and not any(issubclass(kind, _HEAVY) for kind in set(map(type, item))):
            return max(len(item), 1)  # only scalars: counted at C speed, a million in milliseconds
        known[id(item)] = MAX_WEIGHT + 1  # a container that holds itself prints as `[...]`, but refuse it here
        total = 0
        children = (part for pair in item.items() for part in pair) if isinstance(item, dict) else iter(item)
        for child in children:
            total += weigh(child, depth + 1)
            if total > MAX_WEIGHT:
                break
        known[id(item)] = max(total, 1)
        return known[id(item)]

    return weigh(value, 0)


def _check_weight(weight: int, what: str = "the result") -> None:
    if weight > MAX_WEIGHT:
        raise _Refused(
            f"{what} would hold about {weight:,} characters and items; conditions allow at most {MAX_WEIGHT:,}"
        )


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_sequence(len(left) + len(right))
        _check_weight(_weight(left) + _weight(right))
    return left + right


def _mul(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        _check_bits(left.bit_length() + right.bit_length())
    elif isinstance(left, _SEQUENCES) and isinstance(right, int):
        _check_sequence(len(left) * right)
        _check_weight(_weight(left) * max(right, 0))
    elif isinstance(left, int) and isinstance(right, _SEQUENCES):
        _check_sequence(left * len(right))
        _check_weight(_weight(right) * max(left, 0))
    return left * right


def _text(convert: Callable[[Any], str]) -> Callable[..., str]:
    """`str()`, `repr()` or `ascii()` of a value whose text would not outweigh the bound (a string is itself)."""

    def bounded(value: Any = "") -> str:
        if type(value) is not str:
            _check_weight(_weight(value), "its text")
        return convert(value)

    return bounded


def _ordered(function: Callable[..., Any]) -> Callable[..., Any]:
    """`sorted`, `min` or `max` of a collection light enough that comparing its items stays quick."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        for argument in args:
            if isinstance(argument, list | tuple | set | frozenset | dict | str):
                _check_weight(_weight(argument), f"what {function.__name__}() compares")
        return function(*args, **kwargs)

    return bounded


def _pow(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        _check_bits(abs(base).bit_length() * exponent)
    return base**exponent


def _lshift(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and left and right > 0:
        _check_bits(left.bit_length() + right)
    return left << right


def _mod(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes):
        raise _Refused("%-formatting is not allowed in conditions")
    return left % right


_STR, _REPR, _ASCII = _text(str), _text(repr), _text(ascii)

_FUNCTIONS: dict[str, _Function] = {
    "len": _Function(len),
    "min": _Function(_ordered(min), frozenset({"default"})),
    "max": _Function(_ordered(max), frozenset({"default"})),
    "abs": _Function(abs),
    "sum": _Function(_sum),
    "any": _Function(any),
    "all": _Function(all),
    "round": _Function(_round),
    "str": _Function(_STR),
    "int": _Function(int),
    "float": _Function(float),
    "bool": _Function(bool),
    "sorted": _Function(_ordered(sorted), frozenset({"reverse"})),
}
_METHODS: dict[str, type] = {
    **dict.fromkeys(("startswith", "endswith", "lower", "upper", "strip", "count", "find"), str),
    **dict.fromkeys(("get", "keys", "values", "items"), dict),
}
"""Method name -> the builtin type whose own method is called, on receivers of that type only."""


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: _add,
    ast.Sub: operator.sub,
    ast.Mult: _mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: _mod,
    ast.Pow: _pow,
    ast.LShift: _lshift,
    ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.Not: operator.not_,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda item, container: item in container,
    ast.NotIn: lambda item, container: item not in container,
}
_FORBIDDEN: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda expressions are not allowed",
    ast.ListComp: "list comprehensions are not allowed; use a generator expression inside any(), all(), sum() …",
    ast.SetComp: "set comprehensions are not allowed; use a generator expression inside any(), all(), sum() …",
    ast.DictComp: "dict comprehensions are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred expressions (*x) are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}
_STATEMENTS: dict[type[ast.stmt], str] = {
    ast.Import: "import statements",
    ast.ImportFrom: "import statements",
    ast.Assign: "assignments",
    ast.AugAssign: "assignments",
    ast.AnnAssign: "assignments",
    ast.Delete: "del statements",
}


# -- the condition -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """A checked condition, ready to evaluate on any number of visits."""

    text: str
    tree: ast.expr = field(repr=False, compare=False)

    @classmethod
    def compile(cls, text: str, names: Collection[str] | None = None) -> Condition:
        """Parse and check `text`; with `names` (the component's output sockets), unknown names are errors too.

        Raises `ConditionSyntaxError` naming the column at fault.
        """
        if not text.strip():
            raise ConditionSyntaxError("the condition is empty", text, 1, 1)
        if len(text) > MAX_LENGTH:
            raise ConditionSyntaxError(f"the condition is longer than {MAX_LENGTH:,} characters", text, 1, 1)
        tree = _parse(text)
        _check_depth(text, tree.body)
        known = None if names is None else {*names, *RESERVED_NAMES}
        _Validator(text, known).check(tree.body, frozenset())
        return cls(text, tree.body)

    def evaluate(self, outputs: Mapping[str, Any], visit: int = 1) -> tuple[Any, bool]:
        """The condition's value on one visit's outputs, and whether it counts as true.

        Raises `ConditionEvaluationError` when evaluation fails or would exceed the bounds.
        """
        scope = {**outputs, "outputs": outputs, "visit": visit}
        evaluator = _Evaluator(self.text)
        value = evaluator.eval(self.tree, scope)
        return value, evaluator.truth(value, self.tree)


def _parse(text: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():  # invalid escapes warn on stderr, which a full-screen UI cannot show
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise _syntax_error(text, error) from None
    except (RecursionError, MemoryError):
        raise ConditionSyntaxError("the condition is nested too deeply", text, 1, 1) from None


def _check_depth(text: str, root: ast.expr) -> None:
    """Iteratively, so that a deep tree is refused before anything recurses over it."""
    pending: list[tuple[ast.AST, int, ast.AST]] = [(root, 1, root)]
    while pending:
        node, depth, located = pending.pop()
        located = node if hasattr(node, "lineno") else located  # operators and `for` clauses have no position
        if depth > MAX_DEPTH:
            line, column = _position(text, located.lineno, located.col_offset)  # type: ignore[attr-defined]
            raise ConditionSyntaxError(f"the condition is nested more than {MAX_DEPTH} levels deep", text, line, column)
        pending.extend((child, depth + 1, located) for child in ast.iter_child_nodes(node))


def _syntax_error(text: str, error: SyntaxError) -> ConditionSyntaxError:
    """Explain statements (`import`, `x = 1`) in words; otherwise keep Python's message and position."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = ast.parse(text, mode="exec")
    except (SyntaxError, RecursionError, MemoryError):
        module = None
    if module is not None and module.body:
        for statement in module.body:
            if not isinstance(statement, ast.Expr):
                keyword = re.match(r"\w+", ast.get_source_segment(text, statement) or "")
                kind = _STATEMENTS.get(type(statement), f"'{keyword[0] if keyword else '?'}' statements")
                line, column = _position(text, statement.lineno, statement.col_offset)
                return ConditionSyntaxError(
                    f"a condition is one expression: {kind} are not allowed", text, line, column
                )
        if len(module.body) > 1:
            second = module.body[1]
            line, column = _position(text, second.lineno, second.col_offset)
            return ConditionSyntaxError("a condition is one expression, not several", text, line, column)
    line = error.lineno or 1
    lines = text.splitlines() or [""]
    line_text = lines[min(line, len(lines)) - 1]
    if not error.offset or error.offset > len(line_text):
        return ConditionSyntaxError("the condition ends too early", text, len(lines), len(lines[-1]) + 1)
    return ConditionSyntaxError(error.msg, text, line, error.offset)


def _position(text: str, lineno: int, byte_offset: int) -> tuple[int, int]:
    """`ast` counts columns in UTF-8 bytes; users count characters, from 1."""
    line_text = text.splitlines()[lineno - 1]
    return lineno, len(line_text.encode()[:byte_offset].decode(errors="replace")) + 1


class _Validator:
    """Walks a parsed condition and rejects anything outside the whitelist, naming its column."""

    def __init__(self, text: str, known: set[str] | None) -> None:
        self.text = text
        self.known = known

    def fail(self, message: str, node: ast.AST, byte_offset: int | None = None) -> ConditionSyntaxError:
        offset = node.col_offset if byte_offset is None else byte_offset  # type: ignore[attr-defined]
        line, column = _position(self.text, node.lineno, offset)  # type: ignore[attr-defined]
        return ConditionSyntaxError(message, self.text, line, column)

    def fail_at_attribute(self, message: str, node: ast.Attribute) -> ConditionSyntaxError:
        """Point at the attribute's name, which ends the node, rather than at the start of its receiver."""
        if node.end_lineno != node.lineno:
            return self.fail(message, node)
        return self.fail(message, node, node.end_col_offset - len(node.attr.encode()))  # type: ignore[operator]

    def check(self, node: ast.AST, bound: frozenset[str]) -> None:
        """`bound` holds the names generator expressions bind around `node`."""
        match node:
            case ast.Constant():
                return
            case ast.Name():
                self.check_name(node, bound)
            case ast.Attribute():
                if node.attr.startswith("_"):
                    message = f"attribute '{node.attr}' is not allowed: names starting with '_' are private"
                    raise self.fail_at_attribute(message, node)
                self.check(node.value, bound)
            case ast.Subscript():
                self.check(node.value, bound)
                self.check(node.slice, bound)
            case ast.Slice():
                self.check_all([node.lower, node.upper, node.step], bound)
            case ast.BoolOp():
                self.check_all(node.values, bound)
            case ast.UnaryOp():
                self.check(node.operand, bound)
            case ast.BinOp():
                if type(node.op) not in _BINARY:
                    raise self.fail("the @ operator is not allowed", node)
                self.check(node.left, bound)
                self.check(node.right, bound)
            case ast.Compare():
                self.check(node.left, bound)
                self.check_all(node.comparators, bound)
            case ast.IfExp():
                self.check_all([node.test, node.body, node.orelse], bound)
            case ast.Tuple() | ast.List() | ast.Set():
                self.check_all(node.elts, bound)
            case ast.Dict():
                for key, value in zip(node.keys, node.values, strict=True):
                    if key is None:
                        raise self.fail("dict unpacking (**) is not allowed", value)
                    self.check(key, bound)
                    self.check(value, bound)
            case ast.JoinedStr():
                self.check_all(node.values, bound)
            case ast.FormattedValue():
                if node.format_spec is not None:
                    raise self.fail("format specs in f-strings are not allowed; use round() or str()", node)
                self.check(node.value, bound)
            case ast.Call():
                self.check_call(node, bound)
            case ast.GeneratorExp():
                raise self.fail(
                    "a generator expression must be the argument of any(), all(), sum(), min(), max() or sorted()",
                    node,
                )
            case _:
                message = _FORBIDDEN.get(type(node), f"{type(node).__name__} expressions are not allowed")
                raise self.fail(message, node)

    def check_all(self, nodes: list[Any], bound: frozenset[str]) -> None:
        for child in nodes:
            if child is not None:
                self.check(child, bound)

    def check_name(self, node: ast.Name, bound: frozenset[str]) -> None:
        if self.known is None or node.id in self.known or node.id in bound:
            return
        if node.id in _FUNCTIONS:
            raise self.fail(f"{node.id}() is a function: call it, as in {node.id}(...)", node)
        candidates = sorted(self.known | bound)
        close = difflib.get_close_matches(node.id, candidates, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; names here: {', '.join(candidates)}"
        raise self.fail(f"unknown name '{node.id}'{hint}", node)

    def check_call(self, node: ast.Call, bound: frozenset[str]) -> None:
        match node.func:
            case ast.Name(id=name) if name in _FUNCTIONS:
                allowed = _FUNCTIONS[name].keywords
                takes_generator = name in _ITERABLE_FUNCTIONS
            case ast.Name(id=name):
                raise self.fail(f"'{name}' is not an allowed function; allowed: {', '.join(_FUNCTIONS)}", node)
            case ast.Attribute(attr=attr) if attr in _METHODS:
                self.check(node.func.value, bound)
                allowed, takes_generator = frozenset(), False
            case ast.Attribute(attr=attr):
                self.check(node.func, bound)  # a private name is reported as such
                methods = ", ".join(f"{owner.__name__}.{method}" for method, owner in _METHODS.items())
                raise self.fail_at_attribute(f"'.{attr}()' is not an allowed method; allowed: {methods}", node.func)
            case _:
                raise self.fail("only named functions and methods can be called", node)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.fail("keyword unpacking (**) is not allowed", keyword)
            if keyword.arg not in allowed:
                name = ast.unparse(node.func)
                accepted = f"; it accepts: {', '.join(sorted(allowed))}" if allowed else ""
                raise self.fail(f"{name}() takes no keyword '{keyword.arg}' in conditions{accepted}", keyword)
            self.check(keyword.value, bound)
        for argument in node.args:
            if isinstance(argument, ast.GeneratorExp) and takes_generator:
                self.check_generator(argument, bound)
            else:
                self.check(argument, bound)

    def check_generator(self, node: ast.GeneratorExp, bound: frozenset[str]) -> None:
        """Python's scoping: each `for` clause's iterable sees the targets of the clauses before it."""
        for clause in node.generators:
            if clause.is_async:
                raise self.fail("async generators are not allowed", node)
            self.check(clause.iter, bound)
            bound = bound | self.target_names(clause.target)
            self.check_all(clause.ifs, bound)
        self.check(node.elt, bound)

    def target_names(self, target: ast.expr) -> frozenset[str]:
        """A generator may bind names (or tuples of names), never attributes or items: that would assign."""
        if isinstance(target, ast.Name):
            return frozenset({target.id})
        if isinstance(target, ast.Tuple | ast.List):
            return frozenset().union(*(self.target_names(element) for element in target.elts))
        raise self.fail("a generator expression can only bind names, as in `for d in documents`", target)


class _Evaluator:
    """Walks a validated tree; every failure becomes a `ConditionEvaluationError` naming the node at fault."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.steps = 0
        self.deadline = time.perf_counter() + MAX_SECONDS

    def eval(self, node: ast.expr, scope: Mapping[str, Any]) -> Any:
        try:
            self.charge()
            return self.dispatch(node, scope)
        except ConditionEvaluationError:
            raise
        except _Refused as refused:
            raise self.error(str(refused), node) from None
        except Exception as exc:
            raise self.error(f"{type(exc).__name__}: {exc}", node) from exc

    def charge(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Refused(f"the condition took more than {MAX_STEPS:,} steps")
        if time.perf_counter() > self.deadline:
            raise _Refused(f"the condition took more than {MAX_SECONDS} s")

    def error(self, message: str, node: ast.expr) -> ConditionEvaluationError:
        fragment = ast.get_source_segment(self.text, node) or ast.unparse(node)
        _, column = _position(self.text, node.lineno, node.col_offset)
        return ConditionEvaluationError(message, fragment, column)

    def truth(self, value: Any, node: ast.expr) -> bool:
        try:
            return bool(value)
        except Exception as exc:  # e.g. a numpy array, whose truth is ambiguous
            raise self.error(f"{type(exc).__name__}: {exc}", node) from exc

    def dispatch(self, node: ast.expr, scope: Mapping[str, Any]) -> Any:
        match node:
            case ast.Constant():
                return node.value
            case ast.Name():
                if node.id not in scope:
                    names = ", ".join(name for name in scope if name not in RESERVED_NAMES) or "none"
                    raise _Refused(f"'{node.id}' is not among this visit's outputs ({names})")
                return scope[node.id]
            case ast.Attribute():
                value = self.eval(node.value, scope)
                if isinstance(value, _HIDDEN_TYPES):
                    raise _Refused(f"attributes of a {type(value).__name__} are not accessible in conditions")
                return getattr(value, node.attr)
            case ast.Subscript():
                return self.eval(node.value, scope)[self.eval(node.slice, scope)]
            case ast.Slice():
                lower, upper, step = (
                    None if part is None else self.eval(part, scope) for part in (node.lower, node.upper, node.step)
                )
                return slice(lower, upper, step)
            case ast.BoolOp():
                return self.bool_op(node, scope)
            case ast.UnaryOp():
                return _UNARY[type(node.op)](self.eval(node.operand, scope))
            case ast.BinOp():
                return _BINARY[type(node.op)](self.eval(node.left, scope), self.eval(node.right, scope))
            case ast.Compare():
                return self.compare(node, scope)
            case ast.IfExp():
                branch = node.body if self.truth(self.eval(node.test, scope), node.test) else node.orelse
                return self.eval(branch, scope)
            case ast.Tuple():
                return tuple(self.eval(element, scope) for element in node.elts)
            case ast.List():
                return [self.eval(element, scope) for element in node.elts]
            case ast.Set():
                return {self.eval(element, scope) for element in node.elts}
            case ast.Dict():
                return {self.eval(k, scope): self.eval(v, scope) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[arg-type]
            case ast.JoinedStr():
                return "".join(self.eval(part, scope) for part in node.values)
            case ast.FormattedValue():
                value = self.eval(node.value, scope)
                return {-1: _STR, 115: _STR, 114: _REPR, 97: _ASCII}[node.conversion](value)
            case ast.Call():
                return self.call(node, scope)
        raise AssertionError(f"unvalidated node {type(node).__name__}")

    def bool_op(self, node: ast.BoolOp, scope: Mapping[str, Any]) -> Any:
        """Python's semantics: `and` returns the first falsy value, `or` the first truthy one, else the last."""
        stop_when = not isinstance(node.op, ast.And)
        for part in node.values:
            value = self.eval(part, scope)
            if self.truth(value, part) is stop_when:
                return value
        return value

    def compare(self, node: ast.Compare, scope: Mapping[str, Any]) -> Any:
        left = self.eval(node.left, scope)
        last = len(node.ops) - 1
        for index, (op, right_node) in enumerate(zip(node.ops, node.comparators, strict=True)):
            right = self.eval(right_node, scope)
            result = _COMPARE[type(op)](left, right)
            if index < last and not self.truth(result, node):
                return result
            left = right
        return result

    def call(self, node: ast.Call, scope: Mapping[str, Any]) -> Any:
        args = [
            self.generate(arg, scope) if isinstance(arg, ast.GeneratorExp) else self.eval(arg, scope)
            for arg in node.args
        ]
        # `**` (a keyword without a name) is refused when the condition is checked.
        kwargs = {keyword.arg: self.eval(keyword.value, scope) for keyword in node.keywords if keyword.arg is not None}
        if isinstance(node.func, ast.Name):
            return _FUNCTIONS[node.func.id].call(*args, **kwargs)
        assert isinstance(node.func, ast.Attribute)
        owner = _METHODS[node.func.attr]
        receiver = self.eval(node.func.value, scope)
        if not isinstance(receiver, owner):
            raise _Refused(f".{node.func.attr}() needs a {owner.__name__}, got {type(receiver).__name__}")
        return getattr(owner, node.func.attr)(receiver, *args)  # the builtin type's own method, never an override

    def generate(self, node: ast.GeneratorExp, scope: Mapping[str, Any]) -> Iterator[Any]:
        """A lazy generator, consumed at once by the function it is passed to, each item charged to the budget."""
        first = node.generators[0]
        items = iter(self.eval(first.iter, scope))  # as in Python: the first iterable is evaluated eagerly
        return self.clauses(node, 0, items, scope)

    def clauses(
        self, node: ast.GeneratorExp, index: int, items: Iterator[Any], scope: Mapping[str, Any]
    ) -> Iterator[Any]:
        clause = node.generators[index]
        for item in items:
            self.charge()
            # typeshed asks for mutable maps, but a ChainMap writes only to its first one (here, nothing writes).
            inner = ChainMap(self.bind(clause.target, item), scope)  # type: ignore[arg-type]
            if not all(self.truth(self.eval(condition, inner), condition) for condition in clause.ifs):
                continue
            if index + 1 < len(node.generators):
                following = iter(self.eval(node.generators[index + 1].iter, inner))
                yield from self.clauses(node, index + 1, following, inner)
            else:
                yield self.eval(node.elt, inner)

    def bind(self, target: ast.expr, item: Any) -> dict[str, Any]:
        if isinstance(target, ast.Name):
            return {target.id: item}
        assert isinstance(target, ast.Tuple | ast.List)
        values = tuple(item)
        if len(values) != len(target.elts):
            raise self.error(f"ValueError: expected {len(target.elts)} values to unpack, got {len(values)}", target)
        bound: dict[str, Any] = {}
        for element, value in zip(target.elts, values, strict=True):
            bound.update(self.bind(element, value))
        return bound
