"""Spans for a pipeline run, made from the engine's events with Haystack's span names and tags.

A run opens one span (`haystack.async_pipeline.run`, or `haystack.pipeline.run` for `Pipeline`) and, under it, a
`haystack.component.run` span per component visit, opened when the visit starts and closed when it finishes, fails
or is cancelled. The scheduler opens a visit's span inside the context the component runs in, so spans the
component opens itself (an HTTP client's, an LLM SDK's) nest under it.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from pipeline.core.events import ComponentFinished, ComponentStarted, RunStarted
from pipeline.core.plan import ExecutionPlan, NodePlan
from pipeline.tracing.tracer import Span, tracer

logger = logging.getLogger(__name__)

COMPONENT_SPAN = "haystack.component.run"
COMPONENT_INPUT = "haystack.component.input"
COMPONENT_OUTPUT = "haystack.component.output"
COMPONENT_VISITS = "haystack.component.visits"


@dataclass(slots=True)
class _OpenSpan:
    manager: AbstractContextManager[Span]
    span: Span


def _socket_type_name(type_: Any) -> str:
    return type_.__name__ if type(type_) is type else str(type_)


class RunSpans:
    """The open spans of one run. A tracer that raises is logged and ignored: tracing never breaks a run."""

    def __init__(self, operation_name: str, plan: ExecutionPlan, metadata: dict[str, Any], max_runs: int) -> None:
        self._operation_name = operation_name
        self._plan = plan
        self._metadata = metadata
        self._max_runs = max_runs
        self._run: _OpenSpan | None = None
        self._outputs: dict[str, Any] = {}
        self._visits: dict[int, _OpenSpan] = {}

    def run_started(self, event: RunStarted, outputs: dict[str, Any]) -> None:
        """`outputs` is the run's live outputs mapping, tagged again when the run ends for tracers that copy tags."""
        self._outputs = outputs
        tags = {
            "haystack.pipeline.input_data": event.inputs,
            "haystack.pipeline.output_data": outputs,
            "haystack.pipeline.metadata": self._metadata,
            "haystack.pipeline.max_runs_per_component": self._max_runs,
        }
        self._run = self._open(self._operation_name, tags, None)

    def component_started(self, event: ComponentStarted) -> None:
        """Call inside the visit's context, so the span is the active one while the component runs."""
        node = self._plan.nodes[event.component]
        parent = self._run.span if self._run is not None else None
        opened = self._open(COMPONENT_SPAN, self._component_tags(node, event.inputs), parent)
        if opened is None:
            return
        self._visits[event.visit_id] = opened
        self._guarded(opened.span.set_content_tag, COMPONENT_INPUT, event.inputs)

    def component_finished(self, event: ComponentFinished) -> None:
        opened = self._visits.pop(event.visit_id, None)
        if opened is None:
            return
        self._guarded(opened.span.set_tag, COMPONENT_VISITS, event.visit)
        self._guarded(opened.span.set_content_tag, COMPONENT_OUTPUT, event.outputs)
        self._close(opened, None)

    def component_ended(self, visit_id: int, error: BaseException) -> None:
        """The visit failed or was cancelled: its span closes with the error, as a `with` block would."""
        opened = self._visits.pop(visit_id, None)
        if opened is not None:
            self._close(opened, error)

    def run_ended(self, error: BaseException | None) -> None:
        for visit_id in list(self._visits):
            self.component_ended(visit_id, error or RuntimeError("the run ended"))
        if self._run is not None:
            run, self._run = self._run, None
            self._guarded(run.span.set_tag, "haystack.pipeline.output_data", self._outputs)
            self._close(run, error)

    def _component_tags(self, node: NodePlan, inputs: dict[str, Any]) -> dict[str, Any]:
        instance_type = type(node.instance)
        return {
            "haystack.component.name": node.name,
            "haystack.component.type": instance_type.__name__,
            "haystack.component.fully_qualified_type": f"{instance_type.__module__}.{instance_type.__name__}",
            "haystack.component.input_types": {key: type(value).__name__ for key, value in inputs.items()},
            "haystack.component.input_spec": {
                name: {
                    "type": _socket_type_name(socket.type),
                    "senders": [address.partition(".")[0] for address in node.sender_addresses.get(name, ())],
                }
                for name, socket in node.sockets.items()
            },
            "haystack.component.output_spec": {
                name: {
                    "type": _socket_type_name(type_),
                    "receivers": [c.receiver for c in node.connections if c.sender_socket == name],
                }
                for name, type_ in node.declared_outputs.items()
            },
        }

    def _open(self, name: str, tags: dict[str, Any], parent: Span | None) -> _OpenSpan | None:
        try:
            manager = tracer.trace(name, tags=tags, parent_span=parent)
            return _OpenSpan(manager, manager.__enter__())
        except Exception:
            logger.exception("The tracer failed to open the span '%s'; the run goes on without it.", name)
            return None

    @staticmethod
    def _close(opened: _OpenSpan, error: BaseException | None) -> None:
        try:
            if error is None:
                opened.manager.__exit__(None, None, None)
            else:
                opened.manager.__exit__(type(error), error, error.__traceback__)
        except Exception:
            logger.exception("The tracer failed to close a span; the run goes on.")

    @staticmethod
    def _guarded(setter: Any, key: str, value: Any) -> None:
        try:
            setter(key, value)
        except Exception:
            logger.exception("The tracer failed to set the tag '%s'.", key)
