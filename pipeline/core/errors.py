"""Errors of the engine. Each names the component, socket, file or key at fault."""

from __future__ import annotations

from typing import Any


class PipelineError(Exception):
    """Base class of every error the engine raises on purpose."""


class ComponentError(PipelineError):
    """A component class or instance is malformed (raised at decoration or add time)."""


class PipelineConnectError(PipelineError):
    """A connection names a missing component or socket, or joins incompatible types."""


class PipelineValidationError(PipelineError, ValueError):
    """Inputs given to a run are unknown, duplicated or missing."""


class PipelineRuntimeError(PipelineError):
    """A component failed while the pipeline ran.

    `partial_outputs` holds the pipeline outputs produced before the failure, so nothing computed is lost.
    """

    def __init__(
        self,
        component_name: str | None,
        component_type: type | None,
        message: str,
        partial_outputs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.component_name = component_name
        self.component_type = component_type
        self.partial_outputs: dict[str, Any] = partial_outputs if partial_outputs is not None else {}

    @classmethod
    def from_exception(
        cls,
        component_name: str,
        component_type: type,
        error: BaseException,
        partial_outputs: dict[str, Any],
        during: str = "run",
    ) -> PipelineRuntimeError:
        message = (
            f"Component '{component_name}' ({component_type.__module__}.{component_type.__qualname__}) failed "
            f"in {during}: {type(error).__name__}: {error}"
        )
        runtime_error = cls(component_name, component_type, message, partial_outputs)
        runtime_error.__cause__ = error
        return runtime_error


class PipelineMaxComponentRuns(PipelineRuntimeError):
    """A component in a loop ran more often than `max_runs_per_component` allows."""


class PipelineComponentsBlockedError(PipelineRuntimeError):
    """The run cannot start: every component waits for inputs that will never arrive (Haystack's name).

    `blocked` maps each waiting component to the mandatory sockets it is still missing.
    """

    def __init__(self, blocked: dict[str, list[str]], partial_outputs: dict[str, Any] | None = None) -> None:
        details = "; ".join(f"'{name}' waits for {', '.join(sockets)}" for name, sockets in blocked.items())
        super().__init__(None, None, f"Cannot run pipeline - all components are blocked: {details}.", partial_outputs)
        self.blocked = blocked


class DefinitionError(PipelineError):
    """A pipeline definition (dict or YAML) is invalid.

    `key_path` locates the bad entry (e.g. `("components", "llm", "type")`); `source` and `line` are filled in
    when the definition came from a YAML file.
    """

    def __init__(
        self, reason: str, key_path: tuple[str | int, ...] = (), source: str | None = None, line: int | None = None
    ) -> None:
        self.reason = reason
        self.key_path = key_path
        self.source = source
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.source is not None:
            where = f"{self.source}:{self.line}: " if self.line is not None else f"{self.source}: "
        elif self.line is not None:
            where = f"line {self.line}: "
        key = ".".join(str(part) for part in self.key_path)
        return f"{where}{'at ' + key + ': ' if key else ''}{self.reason}"

    def located(self, source: str | None, line: int | None) -> DefinitionError:
        located = DefinitionError(self.reason, self.key_path, source, line)
        located.__cause__ = self.__cause__
        return located


class SerializationError(DefinitionError):
    """An object cannot be written to a pipeline definition (a lambda or a nested function, for instance)."""


class DeserializationError(DefinitionError):
    """A string in a pipeline definition does not name a type or callable that may be loaded."""
