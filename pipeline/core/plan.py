"""The execution plan: the graph compiled once into flat per-component tables the scheduler reads in O(1).

It also owns the rules for pipeline inputs (nested or flat), because they depend on which sockets are open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from pipeline.core.component import supports_async
from pipeline.core.component.types import InputSocket
from pipeline.core.errors import PipelineValidationError
from pipeline.core.graph import PipelineGraph
from pipeline.core.type_utils import type_name


@dataclass(frozen=True, slots=True)
class Connection:
    sender_socket: str
    receiver: str
    receiver_socket: str
    receiver_is_lazy_variadic: bool
    convert: Callable[[Any], Any] | None = None
    """How values are converted on the way (str <-> ChatMessage, wrapping in or unwrapping from a list)."""


@dataclass(frozen=True, slots=True)
class NodePlan:
    name: str
    instance: Any
    order: int
    """Position in Haystack's topological order (loops collapsed): ties between waiting components go first."""
    is_async: bool
    sockets: dict[str, InputSocket]
    senders: dict[str, frozenset[str]]
    """Sender component names per input socket, for sockets that have any."""
    sender_addresses: dict[str, tuple[str, ...]]
    mandatory: tuple[str, ...]
    lazy_variadic: tuple[str, ...]
    greedy: tuple[str, ...]
    connections: tuple[Connection, ...]
    consumed_outputs: frozenset[str]
    declared_outputs: dict[str, Any]

    @property
    def has_senders(self) -> bool:
        return bool(self.senders)

    def is_open(self, socket: str) -> bool:
        """Whether the caller may feed this socket: it has no senders, or it is variadic."""
        return socket not in self.senders or self.sockets[socket].is_variadic

    def exposed_outputs(self, outputs: Mapping[str, Any], include_all: bool) -> dict[str, Any]:
        """The outputs a run returns for this component: those no connection consumes, or all of them."""
        if include_all:
            return dict(outputs)
        return {key: value for key, value in outputs.items() if key not in self.consumed_outputs}


def _topological_order(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Haystack's order for breaking ties between waiting components: lexicographic for a DAG, else by loop."""
    if nx.is_directed_acyclic_graph(graph):
        return {name: index for index, name in enumerate(nx.lexicographical_topological_sort(graph))}
    condensed = nx.condensation(graph)
    position = {scc: index for index, scc in enumerate(nx.topological_sort(condensed))}
    return {name: position[scc] for name, scc in condensed.graph["mapping"].items()}


class ExecutionPlan:
    def __init__(self, graph: PipelineGraph) -> None:
        order = _topological_order(graph.graph)
        connections: dict[str, list[Connection]] = {name: [] for name in graph.graph.nodes}
        senders: dict[str, dict[str, set[str]]] = {name: {} for name in graph.graph.nodes}
        for sender, sender_socket, receiver, receiver_socket in graph.connections():
            socket = graph.input_sockets_of(receiver)[receiver_socket]
            convert = graph.graph.edges[sender, receiver, f"{sender_socket}/{receiver_socket}"].get("convert")
            connections[sender].append(
                Connection(sender_socket, receiver, receiver_socket, socket.is_lazy_variadic, convert)
            )
            senders[receiver].setdefault(receiver_socket, set()).add(sender)
        self.nodes: dict[str, NodePlan] = {}
        for name, instance in graph.walk():
            sockets = graph.input_sockets_of(name)
            self.nodes[name] = NodePlan(
                name=name,
                instance=instance,
                order=order[name],
                is_async=supports_async(instance),
                sockets=sockets,
                senders={socket: frozenset(names) for socket, names in senders[name].items()},
                sender_addresses={socket: tuple(graph.senders(name, socket)) for socket in senders[name]},
                mandatory=tuple(s.name for s in sockets.values() if s.is_mandatory),
                lazy_variadic=tuple(s.name for s in sockets.values() if s.is_lazy_variadic),
                greedy=tuple(s.name for s in sockets.values() if s.is_greedy),
                connections=tuple(connections[name]),
                consumed_outputs=frozenset(c.sender_socket for c in connections[name]),
                declared_outputs={s.name: s.type for s in graph.output_sockets_of(name).values()},
            )

    @property
    def final_outputs(self) -> list[str]:
        """Components with outputs no connection consumes: what a run is expected to return."""
        return [name for name, node in self.nodes.items() if set(node.declared_outputs) - node.consumed_outputs]

    def prepare_inputs(self, data: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
        """Resolve nested (`{"comp": {"socket": v}}`) and flat (`{"socket": v}`) inputs and validate them.

        A flat name goes to every component with an open socket of that name. Raises `PipelineValidationError`
        (a `ValueError`) naming the unknown component or socket, or the missing mandatory input.
        """
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise PipelineValidationError(f"Pipeline inputs must be a mapping, got {type(data).__name__}.")
        prepared: dict[str, dict[str, Any]] = {}
        for key, value in data.items():
            if key in self.nodes and isinstance(value, Mapping):
                for socket, socket_value in value.items():
                    self._check_open(key, socket)
                    prepared.setdefault(key, {})[socket] = socket_value
                continue
            receivers = [name for name, node in self.nodes.items() if key in node.sockets and node.is_open(key)]
            if not receivers:
                raise PipelineValidationError(self._unknown_input_message(key))
            for name in receivers:
                prepared.setdefault(name, {})[key] = value
        missing = [
            f"'{name}.{socket}' ({type_name(node.sockets[socket].type)})"
            for name, node in self.nodes.items()
            for socket in node.mandatory
            if socket not in node.senders and socket not in prepared.get(name, {})
        ]
        if missing:
            raise PipelineValidationError(f"Missing mandatory input(s): {', '.join(missing)}.")
        return prepared

    def _check_open(self, name: str, socket: str) -> None:
        node = self.nodes[name]
        if socket not in node.sockets:
            available = ", ".join(node.sockets) or "none"
            raise PipelineValidationError(
                f"Component '{name}' has no input socket '{socket}'. Its inputs: {available}."
            )
        if not node.is_open(socket):
            raise PipelineValidationError(
                f"Input '{name}.{socket}' is already connected to {', '.join(node.sender_addresses[socket])}; "
                "it cannot also be given as a pipeline input."
            )

    def _unknown_input_message(self, key: str) -> str:
        if key in self.nodes:
            return f"Inputs for component '{key}' must be a mapping of socket names to values."
        open_sockets = sorted({s for node in self.nodes.values() for s in node.sockets if node.is_open(s)})
        return (
            f"Unknown input '{key}': it is neither a component name nor an open input socket. "
            f"Components: {', '.join(self.nodes) or 'none'}; open sockets: {', '.join(open_sockets) or 'none'}."
        )
