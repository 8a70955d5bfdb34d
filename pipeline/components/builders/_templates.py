"""What the prompt builders share: a sandboxed jinja2 environment and the rules for template variables."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

from pipeline.core.component import component
from pipeline.utils.sandbox import BoundedSandbox

logger = logging.getLogger(__name__)

RequiredVariables = list[str] | Literal["*"] | None


def sandbox(extensions: Sequence[type[Extension]] = ()) -> SandboxedEnvironment:
    """Templates come from pipeline files: render them where they cannot reach Python internals, nor build
    values large enough to exhaust memory (see `pipeline.utils.sandbox`).

    jinja2's defaults, as Haystack's builders use them: a template's single trailing newline is dropped (so a
    template written as a block of lines gives a prompt without one), blocks keep their surrounding whitespace
    (no trim_blocks or lstrip_blocks), and line endings become `\\n`.
    """
    return BoundedSandbox(extensions=list(extensions))


def declare_sockets(
    instance: Any,
    owner: str,
    variables: list[str],
    required_variables: RequiredVariables,
) -> list[str]:
    """Declare one input socket per variable (mandatory if required); warn as Haystack does when none is.

    Returns the variables `run` must receive. As in Haystack, a required variable need not appear in the template:
    it then has no socket and must come through `template_variables`.
    """
    if variables and required_variables is None:
        logger.warning(
            "%s has %d prompt variables, but `required_variables` is not set. By default, all prompt variables are "
            "treated as optional, which may lead to unintended behavior in multi-branch pipelines. To avoid "
            "unexpected execution, ensure that variables intended to be required are explicitly set in "
            "`required_variables`.",
            owner,
            len(variables),
        )
    required = sorted(variables) if required_variables == "*" else list(required_variables or [])
    for name in variables:
        if name in required:
            component.set_input_type(instance, name, Any)
        else:
            component.set_input_type(instance, name, Any, "")
    return required


def check_required(owner: str, required: list[str], values: Mapping[str, Any]) -> None:
    missing = [name for name in required if name not in values]
    if missing:
        # Haystack prints the provided names as a set; sorted here, so the message is the same on every run.
        provided = "{" + ", ".join(repr(name) for name in sorted(values)) + "}" if values else "set()"
        raise ValueError(
            f"Missing required input variables in {owner}: {', '.join(missing)}. "
            f"Required variables: {required}. Provided variables: {provided}."
        )
