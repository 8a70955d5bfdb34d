"""What the prompt builders share: a sandboxed jinja2 environment and the rules for template variables."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from pipeline.core.component import component

logger = logging.getLogger(__name__)

RequiredVariables = list[str] | Literal["*"] | None


def sandbox() -> SandboxedEnvironment:
    """Templates come from pipeline files: render them where they cannot reach Python internals."""
    return SandboxedEnvironment(keep_trailing_newline=True)


def template_variables(environment: SandboxedEnvironment, sources: Iterable[str], owner: str) -> list[str]:
    """The undeclared variables of the templates, in order of first use; syntax errors name the line."""
    found: dict[str, None] = {}
    for index, source in enumerate(sources):
        try:
            parsed = environment.parse(source)
        except TemplateSyntaxError as exc:
            where = f"message {index}, " if index else ""
            raise ValueError(f"{owner}: template syntax error ({where}line {exc.lineno}): {exc.message}") from exc
        undeclared = meta.find_undeclared_variables(parsed)
        for name in parsed.find_all(nodes.Name):
            if name.name in undeclared:
                found.setdefault(name.name)
    return list(found)


def declare_sockets(
    instance: Any,
    owner: str,
    variables: list[str],
    required_variables: RequiredVariables,
) -> list[str]:
    """Declare one input socket per variable (mandatory if required); warn as Haystack does when none is."""
    required = variables if required_variables == "*" else list(required_variables or [])
    unknown = [name for name in required if name not in variables]
    if unknown:
        raise ValueError(
            f"{owner}: required_variables {unknown} do not appear in the template (its variables: {variables})."
        )
    if variables and required_variables is None:
        logger.warning(
            "%s has %d prompt variables, but `required_variables` is not set. By default, all prompt variables are "
            "treated as optional, which may lead to unintended behavior in multi-branch pipelines. To avoid "
            "unexpected execution, ensure that variables intended to be required are explicitly set in "
            "`required_variables`.",
            owner,
            len(variables),
        )
    for name in variables:
        if name in required:
            component.set_input_type(instance, name, Any)
        else:
            component.set_input_type(instance, name, Any, "")
    return required


def check_required(owner: str, required: list[str], values: Mapping[str, Any]) -> None:
    missing = [name for name in required if name not in values]
    if missing:
        raise ValueError(
            f"Missing required input variables in {owner}: {', '.join(missing)}. "
            f"Required variables: {required}. Provided variables: {sorted(values)}."
        )
