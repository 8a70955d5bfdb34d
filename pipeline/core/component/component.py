"""The `@component` decorator: turns a class with a `run` method into a pipeline component.

Input sockets come from the parameters of `run`, output sockets from `@component.output_types(...)`. A component
may also implement `async def run_async(...)` with the same parameters and outputs; the scheduler awaits it on the
event loop instead of sending `run` to a worker thread.
"""

from __future__ import annotations

import copy
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from pipeline.core.component.types import EMPTY, InputSocket, OutputSocket
from pipeline.core.errors import ComponentError
from pipeline.core.type_utils import type_name

ComponentClass = TypeVar("ComponentClass", bound=type)

_OUTPUT_TYPES_ATTR = "_pipeline_output_types"
_DYNAMIC_INPUTS_ATTR = "_pipeline_dynamic_inputs"
_DYNAMIC_OUTPUTS_ATTR = "_pipeline_dynamic_outputs"
INIT_PARAMETERS_ATTR = "_init_parameters"


def _run_parameters(method: Callable[..., Any]) -> list[inspect.Parameter]:
    return [p for name, p in inspect.signature(method).parameters.items() if name != "self"]


def _resolved_hints(method: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(method, include_extras=True)
    except Exception:  # unresolvable forward references: fall back to the raw annotations
        return dict(getattr(method, "__annotations__", {}))


def _sockets_from_signature(method: Callable[..., Any]) -> dict[str, InputSocket]:
    hints = _resolved_hints(method)
    sockets: dict[str, InputSocket] = {}
    for param in _run_parameters(method):
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(param.name, Any)
        default = EMPTY if param.default is inspect.Parameter.empty else param.default
        sockets[param.name] = InputSocket(param.name, annotation, default)
    return sockets


def _accepts_kwargs(method: Callable[..., Any]) -> bool:
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in _run_parameters(method))


def _check_run_methods(cls: type) -> None:
    name = cls.__name__
    run = getattr(cls, "run", None)
    if run is None or not callable(run):
        raise ComponentError(f"Component class '{name}' has no 'run' method.")
    if inspect.iscoroutinefunction(run):
        raise ComponentError(
            f"'{name}.run' must be a regular method; put the coroutine in 'async def run_async' with the same "
            "parameters."
        )
    run_async = getattr(cls, "run_async", None)
    if run_async is None:
        return
    if not inspect.iscoroutinefunction(run_async):
        raise ComponentError(f"'{name}.run_async' must be a coroutine function ('async def').")
    run_params = [(p.name, p.kind, p.default) for p in _run_parameters(run)]
    async_params = [(p.name, p.kind, p.default) for p in _run_parameters(run_async)]
    run_hints, async_hints = _resolved_hints(run), _resolved_hints(run_async)
    run_hints.pop("return", None)
    async_hints.pop("return", None)
    if run_params != async_params or run_hints != async_hints:
        raise ComponentError(
            f"'{name}.run' and '{name}.run_async' must have identical parameters: "
            f"run({_describe_parameters(run)}) vs run_async({_describe_parameters(run_async)})."
        )
    run_outputs = getattr(run, _OUTPUT_TYPES_ATTR, None)
    async_outputs = getattr(run_async, _OUTPUT_TYPES_ATTR, None)
    if run_outputs != async_outputs:
        raise ComponentError(
            f"'{name}.run' and '{name}.run_async' must declare identical outputs with @component.output_types: "
            f"{_describe_outputs(run_outputs)} vs {_describe_outputs(async_outputs)}."
        )


def _describe_parameters(method: Callable[..., Any]) -> str:
    hints = _resolved_hints(method)
    return ", ".join(
        f"{p.name}: {type_name(hints[p.name])}" if p.name in hints else p.name for p in _run_parameters(method)
    )


def _describe_outputs(outputs: dict[str, OutputSocket] | None) -> str:
    if outputs is None:
        return "none declared"
    return "{" + ", ".join(f"{s.name}: {type_name(s.type)}" for s in outputs.values()) + "}"


def _record_init_parameters(cls: type[Any]) -> None:
    """Wrap `__init__` so each instance remembers its init arguments, the default for serialization."""
    original_init = cls.__init__
    if original_init is object.__init__:
        return
    signature = inspect.signature(original_init)

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if INIT_PARAMETERS_ATTR not in self.__dict__:  # the most derived class records its own arguments
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            params = dict(bound.arguments)
            params.pop(next(iter(signature.parameters)))
            for param in signature.parameters.values():
                if param.kind is inspect.Parameter.VAR_KEYWORD:
                    params.update(params.pop(param.name, {}))
            self.__dict__[INIT_PARAMETERS_ATTR] = params
        original_init(self, *args, **kwargs)

    cls.__init__ = __init__


class _ComponentDecorator:
    """`@component` for classes, `@component.output_types(...)` for `run`/`run_async`, and the setters that
    declare sockets at init time (for components whose sockets depend on their configuration)."""

    def __call__(self, cls: ComponentClass) -> ComponentClass:
        if not isinstance(cls, type):
            raise ComponentError(f"@component decorates classes, not {cls!r}.")
        _check_run_methods(cls)
        _record_init_parameters(cls)
        cls.__pipeline_component__ = True  # type: ignore[attr-defined]  # the mark is_component() looks for
        return cls

    def output_types(self, **types: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
            setattr(method, _OUTPUT_TYPES_ATTR, {name: OutputSocket(name, type_) for name, type_ in types.items()})
            return method

        return decorate

    def set_input_type(self, instance: Any, name: str, type: Any, default: Any = EMPTY) -> None:
        if not _accepts_kwargs(instance.__class__.run):
            raise ComponentError(
                f"'{instance.__class__.__name__}.run' must accept **kwargs to declare the input socket '{name}' "
                "at init time."
            )
        instance.__dict__.setdefault(_DYNAMIC_INPUTS_ATTR, {})[name] = InputSocket(name, type, default)

    def set_input_types(self, instance: Any, **types: Any) -> None:
        for name, type_ in types.items():
            self.set_input_type(instance, name, type_)

    def set_output_types(self, instance: Any, **types: Any) -> None:
        if getattr(instance.__class__.run, _OUTPUT_TYPES_ATTR, None) is not None:
            raise ComponentError(
                f"'{instance.__class__.__name__}' declares outputs with @component.output_types; it cannot also "
                "set them at init time."
            )
        instance.__dict__[_DYNAMIC_OUTPUTS_ATTR] = {name: OutputSocket(name, t) for name, t in types.items()}


component = _ComponentDecorator()


def is_component(obj: Any) -> bool:
    return getattr(type(obj), "__pipeline_component__", False) is True and not isinstance(obj, type)


def supports_async(instance: Any) -> bool:
    return callable(getattr(type(instance), "run_async", None))


def input_sockets(instance: Any) -> dict[str, InputSocket]:
    """Sockets from the `run` signature, plus those declared at init time."""
    sockets = _sockets_from_signature(type(instance).run)
    # Copies: a pipeline may change its sockets (a list socket joining several senders).
    sockets.update(
        {name: copy.copy(socket) for name, socket in instance.__dict__.get(_DYNAMIC_INPUTS_ATTR, {}).items()}
    )
    return sockets


def output_sockets(instance: Any) -> dict[str, OutputSocket]:
    dynamic = instance.__dict__.get(_DYNAMIC_OUTPUTS_ATTR)
    if dynamic is not None:
        return dict(dynamic)
    return dict(getattr(type(instance).run, _OUTPUT_TYPES_ATTR, None) or {})


def init_parameters(instance: Any) -> dict[str, Any]:
    return dict(instance.__dict__.get(INIT_PARAMETERS_ATTR, {}))
