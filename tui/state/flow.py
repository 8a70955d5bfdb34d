"""Which way a run went: the output sockets each visit produced, the connections nothing went through, and the
components that never ran because they sat only behind such connections.

A router (`ConditionalRouter`, `FileTypeRouter`, ...) returns only the output of the route it chose, so the
keys of a finished visit's outputs (or of the outputs a breakpoint replaced) say which connections carried data.
Pure Python, read from the visit records a `RunSummary` folds, so it works the same live and in a replay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.runs.spans import RunSummary

if TYPE_CHECKING:
    from tui.layout.dag import GraphModel


@dataclass(frozen=True, slots=True)
class ControlFlow:
    """Per component: whether it started, and the output sockets its finished visits produced, read from the
    run's visit records (`RunSummary`), where outputs replaced at a breakpoint already stand for what was
    delivered."""

    summary: RunSummary = field(default_factory=RunSummary)

    @property
    def started(self) -> set[str]:
        return set(self.summary.components)

    def last_produced(self, component: str) -> frozenset[str] | None:
        """The sockets the component's latest finished visit produced; `None` before one finished."""
        produced = self._produced(component)
        return produced[-1] if produced else None

    def taken(self, component: str) -> frozenset[str] | None:
        """The sockets any of its finished visits produced; `None` before one finished."""
        produced = self._produced(component)
        return frozenset().union(*produced) if produced else None

    def _produced(self, component: str) -> list[frozenset[str]]:
        return [
            frozenset(span.outputs)
            for span in self.summary.spans_of(component)
            if span.status == "finished" and span.outputs is not None
        ]


@dataclass(frozen=True, slots=True)
class Routing:
    """What the graph dims: connections no data went through, and components skipped because of them."""

    untaken: frozenset[int] = frozenset()
    """Indices into `GraphModel.edges`."""
    skipped: frozenset[str] = frozenset()


NO_ROUTING = Routing()


def routing(model: GraphModel, flow: ControlFlow, *, finished: bool) -> Routing:
    """The untaken connections so far and, once the run has `finished`, the skipped components.

    A connection is untaken when its sender finished at least once and never produced its socket, or when its
    sender was skipped. A component is skipped when the run finished without starting it and every connection
    into it is untaken, at least one of them because a sender chose another output: a component waiting on a
    sender that failed, or on nothing at all, is not skipped. Before the run finished nothing is called skipped,
    as a loop may still come back to the route that was not taken.
    """
    taken: dict[str, frozenset[str] | None] = {}  # per sender, not per connection: a fan-out has many of them
    dead_outputs = set()
    for index, edge in enumerate(model.edges):
        if edge.sender not in taken:
            taken[edge.sender] = flow.taken(edge.sender)
        produced = taken[edge.sender]
        if produced is not None and edge.sender_socket not in produced:
            dead_outputs.add(index)
    skipped = _skipped(model, flow, dead_outputs) if finished else set()
    untaken = dead_outputs | {index for index, edge in enumerate(model.edges) if edge.sender in skipped}
    return Routing(frozenset(untaken), frozenset(skipped))


def _skipped(model: GraphModel, flow: ControlFlow, dead_outputs: set[int]) -> set[str]:
    """Never-started components fed only by untaken connections or by each other (the largest such set), kept
    to those reached from an untaken route, until both hold: an idle loop with no route before it is not skipped,
    and neither is a component one of its senders could still have fed."""
    into: dict[str, list[int]] = {}
    out_of: dict[str, list[str]] = {}
    for index, edge in enumerate(model.edges):
        into.setdefault(edge.receiver, []).append(index)
        out_of.setdefault(edge.sender, []).append(edge.receiver)
    started = flow.started  # a set built per access: once here, not once per component
    candidates = {node.name for node in model.nodes if node.name not in started and into.get(node.name)}
    while True:
        changed = True
        while changed:
            changed = False
            for name in list(candidates):
                senders = (model.edges[i].sender for i in into[name] if i not in dead_outputs)
                if any(sender not in candidates for sender in senders):
                    candidates.discard(name)
                    changed = True
        reached = {model.edges[i].receiver for i in dead_outputs} & candidates
        frontier = list(reached)
        while frontier:
            for receiver in out_of.get(frontier.pop(), ()):
                if receiver in candidates and receiver not in reached:
                    reached.add(receiver)
                    frontier.append(receiver)
        if reached == candidates:
            return reached
        candidates = reached
