"""Breakpoint conditions: what the language allows, what it refuses (and where), and how it stays bounded."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pipeline import ChatMessage, Document
from tui.state.conditions import (
    MAX_DEPTH,
    MAX_LENGTH,
    Condition,
    ConditionEvaluationError,
    ConditionSyntaxError,
)

OUTPUTS: dict[str, Any] = {
    "documents": [
        Document(content="The Colossus of Rhodes", score=0.3, meta={"url": "https://wonders/Rhodes"}),
        Document(content="The Hanging Gardens", score=0.9, meta={"url": "https://wonders/Babylon"}),
    ],
    "replies": [ChatMessage.from_assistant("It stood 33 m tall.", meta={"model": "x"})],
    "prompt": [ChatMessage.from_user("Tell me about Babylon")],
    "count": 7,
    "label": "  Mixed Case  ",
}


def value_of(text: str, outputs: dict[str, Any] | None = None, visit: int = 2) -> Any:
    value, _ = Condition.compile(text).evaluate(OUTPUTS if outputs is None else outputs, visit)
    return value


def syntax_error(text: str, names: list[str] | None = None) -> ConditionSyntaxError:
    with pytest.raises(ConditionSyntaxError) as info:
        Condition.compile(text, names)
    return info.value


def evaluation_error(text: str, outputs: dict[str, Any] | None = None) -> ConditionEvaluationError:
    condition = Condition.compile(text)
    with pytest.raises(ConditionEvaluationError) as info:
        condition.evaluate(OUTPUTS if outputs is None else outputs, 1)
    return info.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the examples of issue 5
        ("len(documents) < 3", True),
        ("documents[0].score < 0.5", True),
        ('replies[0].meta["model"] == "x"', True),
        ('"Babylon" in prompt[0].text', True),
        ('documents and documents[0].meta.get("url", "").endswith("Rhodes")', True),
        # literals, names, reserved names
        ("None", None),
        ("(1, 2.5, 'a', b'b', True)", (1, 2.5, "a", b"b", True)),
        ("[1, 2] + [3]", [1, 2, 3]),
        ("{1, 2} | {3}", {1, 2, 3}),
        ("{'k': count}", {"k": 7}),
        ("visit", 2),
        ("outputs['count']", 7),
        # attributes, subscripts, slices
        ("documents[-1].meta['url']", "https://wonders/Babylon"),
        ("documents[:1][0].content", "The Colossus of Rhodes"),
        ("label[::-1][:4]", "  es"),
        ("replies[0].role == 'assistant'", True),
        # comparisons, including chains, membership and identity
        ("0 < count <= 7 != 8", True),
        ("1 < count < 5", False),
        ("'Rhodes' not in documents[1].content", True),
        ("documents[0].embedding is None", True),
        ("documents[0].score is not None", True),
        # boolean operators keep Python's semantics
        ("documents and count", 7),
        ("[] or 'fallback'", "fallback"),
        ("not documents", False),
        ("count if documents else 0", 7),
        # arithmetic
        ("count * 2 - 1", 13),
        ("count / 2", 3.5),
        ("count // 2 + count % 2", 4),
        ("-count ** 2", -49),
        ("~count & 0xF ^ 1 << 2 >> 1", (~7 & 0xF) ^ ((1 << 2) >> 1)),
        ("'ab' * 3", "ababab"),
        # whitelisted functions
        ("len(documents)", 2),
        ("min(1, count)", 1),
        ("max([], default=-1)", -1),
        ("abs(-count)", 7),
        ("sum([1, 2], 0.5)", 3.5),
        ("round(documents[0].score * 10)", 3),
        ("round(2.567, 2)", 2.57),
        ("str(count) + str(int('3'))", "73"),
        ("float('1.5') + bool(count)", 2.5),
        ("sorted([3, 1, 2], reverse=True)", [3, 2, 1]),
        ("any([0, 1]) and all([1, 1])", True),
        # str and dict methods
        ("prompt[0].text.lower().startswith('tell')", True),
        ("label.strip().upper()", "MIXED CASE"),
        ("label.count('e') + label.find('M')", 4),
        ("sorted(documents[0].meta.keys())", ["url"]),
        ("len(documents[1].meta.values())", 1),
        ("documents[0].meta.items()", {"url": "https://wonders/Rhodes"}.items()),
        ("(documents[0].meta.get)('missing', 'dflt')", "dflt"),
        # generator expressions, consumed by the functions that take an iterable
        ("any(d.score > 0.5 for d in documents)", True),
        ("all(d.content for d in documents if d.score)", True),
        ("sum(d.score for d in documents)", pytest.approx(1.2)),
        ("max(d.score for d in documents)", 0.9),
        ("sorted((k for d in documents for k, v in d.meta.items()), reverse=True)", ["url", "url"]),
        # f-strings without format specs
        ("f'{count}-{label.strip()!r}'", "7-'Mixed Case'"),
    ],
)
def test_allowed_constructs_evaluate_like_python(text: str, expected: Any) -> None:
    assert value_of(text) == expected


def test_evaluate_reports_truth_separately_from_the_value() -> None:
    assert Condition.compile("documents and count").evaluate(OUTPUTS) == (7, True)
    assert Condition.compile("count - 7").evaluate(OUTPUTS) == (0, False)


def test_socket_names_that_clash_with_reserved_names_stay_reachable() -> None:
    outputs = {"visit": "socket value"}
    assert value_of("visit", outputs, visit=3) == 3
    assert value_of("outputs['visit']", outputs) == "socket value"


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("lambda: 1", "lambda expressions are not allowed", 1),
        ("[d for d in documents]", "list comprehensions are not allowed", 1),
        ("count > 1 and {d for d in documents}", "set comprehensions are not allowed", 15),
        ("{k: 1 for k in documents}", "dict comprehensions are not allowed", 1),
        ("(d for d in documents)", "a generator expression must be the argument of any()", 1),
        ("len(d for d in documents)", "a generator expression must be the argument of any()", 4),
        ("any(True for d.score in documents)", "a generator expression can only bind names", 14),
        ("(x := 1)", "assignment expressions (:=) are not allowed", 2),
        ("len(*documents)", "starred expressions (*x) are not allowed", 5),
        ("[*documents]", "starred expressions (*x) are not allowed", 2),
        ("{**outputs}", "dict unpacking (**) is not allowed", 4),
        ("max(**outputs)", "keyword unpacking (**) is not allowed", 5),
        ("documents[0].__class__", "attribute '__class__' is not allowed: names starting with '_' are private", 14),
        ("documents[0]._create_id()", "attribute '_create_id' is not allowed", 14),
        ("count.__add__(1)", "attribute '__add__' is not allowed", 7),
        ("open('/etc/passwd')", "'open' is not an allowed function; allowed: len, min, max", 1),
        ("__import__('os')", "'__import__' is not an allowed function", 1),
        ("documents.clear()", "'.clear()' is not an allowed method; allowed: str.startswith", 11),
        ("outputs.pop('count')", "'.pop()' is not an allowed method", 9),
        ("'{}'.format(count)", "'.format()' is not an allowed method", 6),
        ("documents[0]()", "only named functions and methods can be called", 1),
        ("sorted(documents, key=len)", "sorted() takes no keyword 'key' in conditions; it accepts: reverse", 19),
        ("len(documents, extra=1)", "len() takes no keyword 'extra' in conditions", 16),
        ("f'{count:>1000000}'", "format specs in f-strings are not allowed", 1),
        ("count @ count", "the @ operator is not allowed", 1),
        ("await count", "await is not allowed", 1),
        ("import os", "a condition is one expression: import statements are not allowed", 1),
        ("from os import path", "import statements are not allowed", 1),
        ("count = 1", "a condition is one expression: assignments are not allowed", 1),
        ("count += 1", "assignments are not allowed", 1),
        ("del count", "del statements are not allowed", 1),
        ("if count: documents", "a condition is one expression: 'if' statements are not allowed", 1),
        ("count; documents", "a condition is one expression, not several", 8),
        ("len(documents) <", "the condition ends too early", 17),
        ("len(documents", "'(' was never closed", 4),
        ("count count", "invalid syntax", 7),
        ("   ", "the condition is empty", 1),
    ],
)
def test_forbidden_constructs_are_refused_with_the_column_at_fault(text: str, message: str, column: int) -> None:
    error = syntax_error(text)
    assert message in error.message
    assert error.column == column
    assert str(error).endswith(f"(column {column})")


def test_columns_count_characters_not_bytes() -> None:
    error = syntax_error('"Bābylon" in documents[0]._meta')
    assert error.column == 27  # ast's byte offset would say 28: 'ā' takes two bytes in UTF-8
    assert syntax_error("'é' +* 2").column == 6


def test_errors_on_later_lines_name_the_line() -> None:
    error = syntax_error("(count\n + documents._x)")
    assert (error.line, error.column) == (2, 14)
    assert str(error).endswith("(line 2, column 14)")


def test_known_names_catch_typos_when_the_condition_is_typed() -> None:
    sockets = ["documents", "meta"]
    assert Condition.compile("len(documents) > visit and outputs", sockets)
    assert Condition.compile("any(d.score for d in documents)", sockets)  # bound by the generator
    error = syntax_error("len(documnets) > 1", sockets)
    assert (error.message, error.column) == ("unknown name 'documnets'; did you mean 'documents'?", 5)
    assert "names here: documents, meta, outputs, visit" in syntax_error("zzz", sockets).message
    assert "len() is a function: call it" in syntax_error("len", sockets).message


def test_limits_on_the_text_itself() -> None:
    assert "longer than 2,000 characters" in syntax_error("1" * (MAX_LENGTH + 1)).message
    assert f"nested more than {MAX_DEPTH} levels deep" in syntax_error(" + ".join(["count"] * 150)).message
    assert "too many nested parentheses" in syntax_error("(" * 300 + "1" + ")" * 300).message
    assert Condition.compile(" + ".join(["count"] * 90)).evaluate(OUTPUTS) == (630, True)


def test_evaluation_errors_name_the_failing_part() -> None:
    error = evaluation_error("count > 1 and documents[0].score < 0.5", {"count": 2, "documents": []})
    assert str(error) == "IndexError: list index out of range, at `documents[0]` (column 15)"
    assert (error.fragment, error.column) == ("documents[0]", 15)

    assert "'missing' is not among this visit's outputs (documents, replies, prompt, count, label)" in str(
        evaluation_error("missing > 1")
    )
    assert "KeyError: 'nope'" in str(evaluation_error("documents[0].meta['nope']"))
    assert "AttributeError: 'Document' object has no attribute 'nope'" in str(evaluation_error("documents[0].nope"))
    assert "TypeError" in str(evaluation_error("count + 'a'"))
    assert "ZeroDivisionError" in str(evaluation_error("count / 0"))
    assert ".startswith() needs a str, got NoneType" in str(evaluation_error("replies[0].name.startswith('a')"))
    assert "ValueError: expected 2 values to unpack, got 1" in str(evaluation_error("any(a for a, b in [[1]])"))


def test_a_value_whose_truth_is_ambiguous_is_a_condition_error() -> None:
    class Array:
        def __bool__(self) -> bool:
            raise ValueError("The truth value of an array with more than one element is ambiguous.")

    error = evaluation_error("values", {"values": Array()})
    assert "ValueError: The truth value of an array" in str(error)


def test_methods_are_the_builtin_types_own_never_an_override() -> None:
    class Sneaky(str):
        def startswith(self, *args: object) -> bool:  # type: ignore[override]
            raise AssertionError("an override was called")

    assert value_of("text.startswith('ab')", {"text": Sneaky("abc")}) is True


def test_interpreter_internals_are_out_of_reach() -> None:
    assert "attributes of a builtin_function_or_method are not accessible" in str(
        evaluation_error("documents[0].meta.get.real")
    )
    assert "attributes of a module are not accessible" in str(evaluation_error("m.path", {"m": time}))


def test_conditions_cannot_change_the_outputs() -> None:
    outputs = {"documents": [Document(content="a", meta={"k": 1})]}
    for text in ("documents.append(1)", "documents[0].meta.update({})", "setattr(documents[0], 'x', 1)"):
        with pytest.raises(ConditionSyntaxError):
            Condition.compile(text)
    value_of("sorted(documents[0].meta.items()) and documents[0].meta.get('k')", outputs)
    assert outputs == {"documents": [Document(content="a", meta={"k": 1})]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 ** 100_000", "the result would have about 200,000 bits; conditions allow at most 10,000"),
        ("10 ** 10 ** 10", "bits; conditions allow at most 10,000"),
        ("(1 << 5_000) * (1 << 5_000)", "bits; conditions allow at most 10,000"),
        ("1 << 100_000", "bits; conditions allow at most 10,000"),
        ("'a' * 10 ** 7", "the result would hold 10,000,000 items; conditions build at most 1,000,000"),
        ("10 ** 7 * [0]", "10,000,000 items"),
        ("'%0999999999d' % 1", "%-formatting is not allowed in conditions"),
        ("round(5, -10 ** 8)", "round() takes at most 1,000 digits"),
        ("sum([[0] * 1000] * 1000, [])", "sum() takes a number as its start"),
        ("any(any(b == 'y' for b in 'x' * 100_000) for a in 'x' * 100_000)", "took more than 50,000 steps"),
    ],
)
def test_evaluation_is_bounded(text: str, message: str) -> None:
    started = time.perf_counter()
    error = evaluation_error(text)
    assert message in str(error)
    assert time.perf_counter() - started < 1


def test_bounded_operations_still_work_within_the_bounds() -> None:
    assert value_of("2 ** 64") == 18446744073709551616
    assert value_of("2 ** -1") == 0.5
    assert value_of("len('ab' * 1000)") == 2000
    assert value_of("1 << 10") == 1024
    assert value_of("sum(d.score for d in documents) > 1.0") is True
    assert value_of("10 % 3") == 1


def test_a_compiled_condition_evaluates_independently_each_time() -> None:
    condition = Condition.compile("len(documents) < 2")
    assert condition.evaluate({"documents": [1]}) == (True, True)
    assert condition.evaluate({"documents": [1, 2]}) == (False, False)
    assert condition.text == "len(documents) < 2"
