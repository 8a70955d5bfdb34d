"""Jinja2 templates whose rendered text is a value: what `ConditionalRouter` and `OutputAdapter` evaluate.

Templates come from pipeline files, so they always render in jinja2's sandbox. By default the rendered text is
read back with `ast.literal_eval` (a number, a list, a dict... or the text itself), as Haystack does. With
`unsafe=True` Haystack renders with jinja2's `NativeEnvironment`, which returns the Python objects themselves
(a `Document`, not its repr) but also lets a template run arbitrary code; we keep the native results and the
sandbox, so `unsafe` only means "trust the values", never "run anything".
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import Environment, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from pipeline.utils.callable_serialization import deserialize_callable
from pipeline.utils.sandbox import BoundedNativeSandbox, BoundedSandbox
from pipeline.utils.type_serialization import deserialize_at

logger = logging.getLogger(__name__)

UNSAFE_WARNING = (
    "Unsafe mode is enabled. This allows execution of arbitrary code in the Jinja template. "
    "Use this only if you trust the source of the template."
)
"""Haystack's warning for `unsafe=True`; here templates stay sandboxed, but their values are trusted as objects."""


def expression_environment(unsafe: bool, **options: Any) -> SandboxedEnvironment:
    """The sandbox in which to render; `unsafe` makes it return native values instead of text."""
    if unsafe:
        logger.warning(UNSAFE_WARNING)
        return BoundedNativeSandbox(**options)
    return BoundedSandbox(**options)


def input_variables(environment: Environment, templates: Iterable[str]) -> list[str]:
    """The variables the templates read but never assign (`{% set %}`), in order of first use.

    These become the component's input sockets; the order keeps socket lists (and the debugger's forms) stable.
    """
    found: dict[str, None] = {}
    for template in templates:
        parsed = environment.parse(template)
        undeclared = meta.find_undeclared_variables(parsed) - _assigned_variables(parsed)
        for name in parsed.find_all(nodes.Name):
            if name.name in undeclared:
                found.setdefault(name.name)
    return list(found)


def _assigned_variables(parsed: nodes.Template) -> set[str]:
    assigned: set[str] = set()
    for node in parsed.find_all(nodes.Assign):
        targets = node.target.items if isinstance(node.target, nodes.List | nodes.Tuple) else [node.target]
        assigned.update(target.name for target in targets if isinstance(target, nodes.Name))
    return assigned


def literal_value(rendered: Any) -> Any:
    """The Python literal `rendered` spells (`"[1, 2]"` -> `[1, 2]`), or `rendered` itself if it spells none."""
    try:
        return ast.literal_eval(rendered)
    except Exception:  # text that is not a literal, or a native value: both are the value as rendered
        return rendered


def deserialize_filters(filters: dict[str, str | None]) -> dict[str, Callable[..., Any] | None]:
    """Custom jinja2 filters from a component's dict (`init_parameters.custom_filters`), each by its import path,
    imported only from allowed modules; errors name the filter's key."""
    return {
        name: deserialize_at(deserialize_callable, path, ("init_parameters", "custom_filters", name)) if path else None
        for name, path in filters.items()
    }
