"""jinja2's sandbox, bounded: templates come from pipeline files, and must not exhaust the memory or the CPU.

`SandboxedEnvironment` keeps templates away from Python internals, but lets `{{ 'a' * 10**10 }}`,
`{{ 7 ** 1000000000 }}`, `{{ '%0999999999d' % 1 }}`, `{{ 'a'.ljust(10**10) }}` or `{{ 'x'|center(10**10) }}`
allocate gigabytes or compute for hours, in a worker thread Python cannot stop. Here the arithmetic operators
check the size of what they would build, and every number handed to a function, method or filter is bounded, as
are widths and precisions in format strings. Numbers bounded are those that size a result: the arguments of
string methods (`ljust`, `zfill`, ...) and of filters (not the value a filter is applied to: a timestamp stays
usable). A refusal is a `SecurityError` saying what was refused.
"""

from __future__ import annotations

import functools
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.nativetypes import NativeEnvironment, NativeTemplate, native_concat
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

MAX_SIZE = 10_000_000
"""Characters or items a template's arithmetic may build (a long prompt is far below: 10 MB of text)."""
MAX_INT_BITS = 100_000
"""Bits in an integer that `*` or `**` may produce (about 30,000 decimal digits)."""
MAX_ARGUMENT = 10_000_000
"""The largest number a template may pass to a function, method or filter (a width, a count, a range)."""
MAX_RENDER_SECONDS = 10.0
"""Time a template may take to render, checked as it produces output (loops over loops end here)."""
_HUGE_FORMAT_NUMBER = re.compile(r"\d{8,}")
"""A width or precision of 100,000,000 or more in a format string."""

_SEQUENCES = (str, bytes, list, tuple)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SEQUENCES) else 1


def _check_product(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise SecurityError(f"the product would have more than {MAX_INT_BITS:,} bits")
    elif (isinstance(left, _SEQUENCES) and isinstance(right, int)) or isinstance(right, _SEQUENCES):
        sequence, count = (left, right) if isinstance(left, _SEQUENCES) else (right, left)
        if isinstance(count, int) and _size(sequence) * count > MAX_SIZE:
            raise SecurityError(
                f"the result would hold {_size(sequence) * count:,} items; templates build {MAX_SIZE:,}"
            )


def _check_power(base: Any, exponent: Any) -> None:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base).bit_length() * exponent > MAX_INT_BITS
        and abs(base) > 1
    ):
        raise SecurityError(f"the power would have more than {MAX_INT_BITS:,} bits")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _HUGE_FORMAT_NUMBER.search(text) and ("%" in text or "{" in text):
        raise SecurityError("a width or precision of 100,000,000 or more in a format string")


def _check_arguments(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise SecurityError(f"{name}() was given {value:,}; templates pass numbers up to {MAX_ARGUMENT:,}")


def _bounded_chunks(chunks: Iterable[Any]) -> Iterator[Any]:
    """The rendered pieces of a template, refused once they exceed `MAX_SIZE` characters or `MAX_RENDER_SECONDS`."""
    deadline = time.perf_counter() + MAX_RENDER_SECONDS
    size = 0
    for chunk in chunks:
        size += len(chunk) if isinstance(chunk, str) else 1
        if size > MAX_SIZE:
            raise SecurityError(f"the template rendered more than {MAX_SIZE:,} characters")
        if time.perf_counter() > deadline:
            raise SecurityError(f"the template took more than {MAX_RENDER_SECONDS:.0f} s to render")
        yield chunk


def _bounded_concat(chunks: Iterable[Any], /) -> str:
    """`"".join` (jinja2's concat, positional as it is), with the size check."""
    return "".join(_bounded_chunks(chunks))


def _bounded_native_concat(values: Iterable[Any]) -> Any:
    """`native_concat`, with the size check; `values` named as jinja2's own, which it replaces."""
    return native_concat(_bounded_chunks(values))


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, with the size checks above on `*`, `**` and `%`, calls and filters, and on what it renders."""

    intercepted_binops = frozenset({"*", "**", "%"})
    concat = staticmethod(_bounded_concat)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            _check_product(left, right)
            return operator.mul(left, right)
        if operator_ == "**":
            _check_power(left, right)
            return operator.pow(left, right)
        if operator_ == "%":
            _check_format(left)
            return operator.mod(left, right)
        return super().call_binop(context, operator_, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        receiver = getattr(__obj, "__self__", None)
        if isinstance(receiver, str | bytes):  # 'a'.ljust(10**10), 'a'.zfill(...), '{:>99999999999}'.format(1)
            _check_arguments(getattr(__obj, "__name__", "method"), args, kwargs)
            _check_format(receiver)
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`'{:>9999999999}'.format`: the format string is checked when its `format` is looked up."""
        _check_format(getattr(value, "__self__", None))
        return super().wrap_str_format(value)


class BoundedNativeTemplate(NativeTemplate):
    """`NativeTemplate` renders through its `environment_class`'s `concat`: here, the bounded one."""


class BoundedNativeSandbox(BoundedSandbox, NativeEnvironment):
    """Renders to native Python values like `NativeEnvironment`, with the bounded sandbox's checks."""

    concat = staticmethod(_bounded_native_concat)
    template_class = BoundedNativeTemplate


BoundedNativeTemplate.environment_class = BoundedNativeSandbox


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` with its arguments bounded (and `format`'s format string checked); jinja2's pass-context marks
    are kept, so the filter receives what it did before."""

    value_at = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # after the context, if passed

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(name, args[value_at + 1 :], kwargs)
        if name == "format" and len(args) > value_at:
            _check_format(args[value_at])
        return function(*args, **kwargs)

    return bounded
