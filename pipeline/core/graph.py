"""The pipeline graph: components as nodes, socket-to-socket connections as edges (a networkx MultiDiGraph)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, Self, overload

import networkx as nx

from pipeline.core.component import input_sockets, is_component, output_sockets
from pipeline.core.component.types import InputSocket, OutputSocket
from pipeline.core.errors import ComponentError, PipelineConnectError, PipelineValidationError
from pipeline.core.type_utils import (
    ConversionStrategy,
    conversion_strategy,
    convert_value,
    type_name,
    types_are_compatible,
)

DEFAULT_MAX_RUNS_PER_COMPONENT = 100


def _split_address(address: str) -> tuple[str, str | None]:
    """`"joiner.documents"` -> `("joiner", "documents")`; `"joiner"` -> `("joiner", None)`."""
    name, _, socket = address.partition(".")
    return name, socket or None


class PipelineGraph:
    """Builds and describes the graph; running it is the business of `Pipeline` and `AsyncPipeline`."""

    def __init__(
        self,
        metadata: dict[str, Any] | None = None,
        max_runs_per_component: int = DEFAULT_MAX_RUNS_PER_COMPONENT,
        connection_type_validation: bool = True,
    ) -> None:
        """`connection_type_validation=False` lets any output connect to any input, as in Haystack."""
        if max_runs_per_component < 1:
            raise ValueError(f"max_runs_per_component must be at least 1, got {max_runs_per_component}.")
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.max_runs_per_component = max_runs_per_component
        self.connection_type_validation = connection_type_validation
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._names_by_instance: dict[int, str] = {}
        self._connections_made = 0
        self._version = 0
        """Bumped by every change, so compiled execution plans know when they are stale."""

    # -- building -------------------------------------------------------------------------------------------

    def add_component(self, name: str, instance: Any) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"A component name must be a non-empty string, got {name!r}.")
        if "." in name:
            raise ValueError(f"Component name '{name}' contains '.', which separates component and socket names.")
        if name in self.graph:
            raise ValueError(f"A component named '{name}' already exists in this pipeline.")
        if isinstance(instance, type):
            raise ComponentError(f"'{name}': add an instance of {instance.__name__}, not the class itself.")
        if not is_component(instance):
            raise ComponentError(
                f"'{name}': {type(instance).__name__} is not a component; decorate its class with @component."
            )
        other = self._names_by_instance.get(id(instance))
        if other is not None:
            raise ComponentError(f"'{name}': this instance is already in the pipeline as '{other}'.")
        self._names_by_instance[id(instance)] = name
        self.graph.add_node(
            name, instance=instance, input_sockets=input_sockets(instance), output_sockets=output_sockets(instance)
        )
        self._version += 1

    def connect(self, sender: str, receiver: str, *, convert: Callable[[Any], Any] | None = None) -> Self:
        """Connect `"component.output"` to `"component.input"`; socket names may be left out where unambiguous.

        `convert` replaces the conversion the types call for (bridges use it to keep another engine's conversions).
        """
        sender_name, sender_socket_name = _split_address(sender)
        receiver_name, receiver_socket_name = _split_address(receiver)
        if sender_name == receiver_name:
            raise PipelineConnectError("Connecting a Component to itself is not supported.")
        for name in (sender_name, receiver_name):
            if name not in self.graph:
                raise PipelineConnectError(
                    f"Cannot connect '{sender}' to '{receiver}': no component named '{name}'. "
                    f"Components: {', '.join(self.graph.nodes) or 'none'}."
                )
        outputs = self._candidates(sender_name, sender_socket_name, "output_sockets")
        inputs = self._candidates(receiver_name, receiver_socket_name, "input_sockets")
        if receiver_socket_name is None:
            open_inputs = [s for s in inputs if s.is_variadic or not self.senders(receiver_name, s.name)]
            inputs = open_inputs or inputs
        pairs = self._compatible_pairs(outputs, inputs)
        if not pairs:
            raise PipelineConnectError(
                f"Cannot connect '{sender}' to '{receiver}': no compatible sockets. "
                f"{sender_name} outputs {self._describe(outputs)}; {receiver_name} accepts {self._describe(inputs)}."
            )
        if len(pairs) > 1:
            same_name = [(o, i, c) for o, i, c in pairs if o.name == i.name]
            if len(same_name) != 1:
                options = ", ".join(f"{sender_name}.{o.name} -> {receiver_name}.{i.name}" for o, i, _ in pairs)
                raise PipelineConnectError(
                    f"Cannot connect '{sender}' to '{receiver}': ambiguous, name the sockets. Possible: {options}."
                )
            pairs = same_name
        output, input_, strategy = pairs[0]
        if convert is None and strategy is not None:
            convert = functools.partial(convert_value, strategy=strategy)
        existing = self.senders(receiver_name, input_.name)
        if f"{sender_name}.{output.name}" in existing:
            return self
        if existing:
            self._join_senders(receiver_name, input_, existing, PipelineConnectError)
        self.graph.add_edge(
            sender_name,
            receiver_name,
            key=f"{output.name}/{input_.name}",
            sender_socket=output.name,
            receiver_socket=input_.name,
            order=self._connections_made,
            convert=convert,
        )
        self._connections_made += 1
        self._version += 1
        return self

    def _compatible_pairs(
        self, outputs: list[OutputSocket], inputs: list[InputSocket]
    ) -> list[tuple[OutputSocket, InputSocket, ConversionStrategy | None]]:
        """Socket pairs that may connect, each with the conversion it needs; exact matches win over conversions."""
        if not self.connection_type_validation:
            return [(o, i, None) for o in outputs for i in inputs]
        exact: list[tuple[OutputSocket, InputSocket, ConversionStrategy | None]] = [
            (o, i, None) for o in outputs for i in inputs if types_are_compatible(o.type, i.type)
        ]
        if exact:
            return exact
        converted = [(o, i, conversion_strategy(o.type, i.type)) for o in outputs for i in inputs]
        return [(o, i, c) for o, i, c in converted if c is not None]

    def _join_senders(self, name: str, socket: InputSocket, existing: list[str], error_type: type[Exception]) -> None:
        """A second value for a non-variadic socket: a list socket joins them (lazy variadic), others refuse."""
        if socket.is_variadic:
            return
        if not socket.accepts_several_senders:
            raise error_type(
                f"Component '{name}' cannot accept multiple inputs to '{socket.name}'. It is already connected to "
                f"component '{existing[0].partition('.')[0]}', and it can only accept inputs from multiple senders "
                "if its type is list, Optional[list], or union of list types."
            )
        socket.join_senders()
        self._version += 1

    def accept_caller_inputs(self, data: Mapping[str, Any]) -> None:
        """Let nested run inputs also feed connected list sockets, which then join them with their senders."""
        for name, sockets in data.items():
            if name not in self.graph or not isinstance(sockets, Mapping):
                continue
            for socket_name in sockets:
                socket = self.graph.nodes[name]["input_sockets"].get(socket_name)
                existing = self.senders(name, socket_name) if socket is not None else []
                if socket is not None and existing:
                    self._join_senders(name, socket, existing, PipelineValidationError)

    @overload
    def _candidates(self, name: str, socket_name: str | None, kind: Literal["input_sockets"]) -> list[InputSocket]: ...

    @overload
    def _candidates(
        self, name: str, socket_name: str | None, kind: Literal["output_sockets"]
    ) -> list[OutputSocket]: ...

    def _candidates(self, name: str, socket_name: str | None, kind: str) -> list[InputSocket] | list[OutputSocket]:
        sockets = self.graph.nodes[name][kind]
        if socket_name is None:
            if not sockets:
                raise PipelineConnectError(f"'{name}' has no {kind.replace('_', ' ')}.")
            return list(sockets.values())
        if socket_name not in sockets:
            raise PipelineConnectError(
                f"'{name}' has no {kind.split('_')[0]} socket '{socket_name}'. "
                f"Available: {self._describe(list(sockets.values()))}."
            )
        return [sockets[socket_name]]

    @staticmethod
    def _describe(sockets: list[Any]) -> str:
        return ", ".join(f"{s.name}: {type_name(s.type)}" for s in sockets) or "nothing"

    # -- describing -----------------------------------------------------------------------------------------

    def get_component(self, name: str) -> Any:
        try:
            return self.graph.nodes[name]["instance"]
        except KeyError:
            raise ValueError(f"No component named '{name}' in this pipeline.") from None

    def walk(self) -> Iterator[tuple[str, Any]]:
        """Components in the order they were added."""
        for name, data in self.graph.nodes(data=True):
            yield name, data["instance"]

    def input_sockets_of(self, name: str) -> dict[str, InputSocket]:
        return self.graph.nodes[name]["input_sockets"]

    def output_sockets_of(self, name: str) -> dict[str, OutputSocket]:
        return self.graph.nodes[name]["output_sockets"]

    def senders(self, component: str, socket: str) -> list[str]:
        """`"sender.socket"` addresses connected to `component.socket`, in connection order."""
        edges = sorted(self.graph.in_edges(component, data=True), key=lambda edge: edge[2]["order"])
        return [f"{sender}.{data['sender_socket']}" for sender, _, data in edges if data["receiver_socket"] == socket]

    def connections(self) -> Iterator[tuple[str, str, str, str]]:
        """`(sender, sender_socket, receiver, receiver_socket)` for every connection, in connection order."""
        for sender, receiver, data in sorted(self.graph.edges(data=True), key=lambda edge: edge[2]["order"]):
            yield sender, data["sender_socket"], receiver, data["receiver_socket"]

    def inputs(self, include_components_with_connected_inputs: bool = False) -> dict[str, dict[str, dict[str, Any]]]:
        """Sockets a caller can feed: those without senders, plus variadic ones."""
        result: dict[str, dict[str, dict[str, Any]]] = {}
        for name, data in self.graph.nodes(data=True):
            open_sockets = {
                socket.name: {
                    "type": socket.type,
                    "is_mandatory": socket.is_mandatory,
                    "is_variadic": socket.is_variadic,
                    "default_value": None if socket.is_mandatory else socket.default_value,
                }
                for socket in data["input_sockets"].values()
                if include_components_with_connected_inputs or socket.is_variadic or not self.senders(name, socket.name)
            }
            if open_sockets:
                result[name] = open_sockets
        return result

    def outputs(self, include_components_with_connected_outputs: bool = False) -> dict[str, dict[str, dict[str, Any]]]:
        """Outputs that no connection consumes: what a run returns by default."""
        result: dict[str, dict[str, dict[str, Any]]] = {}
        for name, data in self.graph.nodes(data=True):
            consumed = {d["sender_socket"] for _, _, d in self.graph.out_edges(name, data=True)}
            free = {
                socket.name: {"type": socket.type}
                for socket in data["output_sockets"].values()
                if include_components_with_connected_outputs or socket.name not in consumed
            }
            if free:
                result[name] = free
        return result

    def to_mermaid(self) -> str:
        """The graph as Mermaid flowchart text, with socket names and types on the edges."""
        lines = ["flowchart TD"]
        node_id = {name: f"n{index}_" + re.sub(r"\W", "_", name) for index, name in enumerate(self.graph.nodes)}
        for name, data in self.graph.nodes(data=True):
            lines.append(f'    {node_id[name]}["{name}<br/><i>{type(data["instance"]).__name__}</i>"]')
        for sender, sender_socket, receiver, receiver_socket in self.connections():
            socket_type = type_name(self.output_sockets_of(sender)[sender_socket].type)
            label = f"{sender_socket} → {receiver_socket}<br/>{socket_type}"
            lines.append(f'    {node_id[sender]} -->|"{label}"| {node_id[receiver]}')
        inputs, outputs = self.inputs(), self.outputs()
        if inputs:
            lines.append("    pipeline_input((input))")
            for name, sockets in inputs.items():
                label = ", ".join(sockets)
                lines.append(f'    pipeline_input -.->|"{label}"| {node_id[name]}')
        if outputs:
            lines.append("    pipeline_output((output))")
            for name, sockets in outputs.items():
                label = ", ".join(sockets)
                lines.append(f'    {node_id[name]} -.->|"{label}"| pipeline_output')
        return "\n".join(lines)

    def show(self) -> None:
        """Print the graph to the terminal: layers of components, each with the sockets it sends where."""
        from rich.console import Console
        from rich.tree import Tree

        tree = Tree(f"[b]{type(self).__name__}[/b] ({self.graph.number_of_nodes()} components)")
        for depth, layer in enumerate(self.layers()):
            branch = tree.add(f"[dim]layer {depth}[/dim]")
            for name in layer:
                instance = self.get_component(name)
                mode = "async" if callable(getattr(type(instance), "run_async", None)) else "sync"
                node = branch.add(f"[b]{name}[/b] [dim]{type(instance).__name__}, {mode}[/dim]")
                for sender, socket, receiver, receiver_socket in self.connections():
                    if sender == name:
                        node.add(f"{socket} → {receiver}.{receiver_socket}")
        Console().print(tree)

    def layers(self) -> list[list[str]]:
        """Components grouped by depth from the inputs; cycles are collapsed so loops land in one layer."""
        condensed = nx.condensation(self.graph)
        order = {name: index for index, name in enumerate(self.graph.nodes)}
        layers: list[list[str]] = []
        for generation in nx.topological_generations(condensed):
            members = [m for scc in generation for m in condensed.nodes[scc]["members"]]
            layers.append(sorted(members, key=order.__getitem__))
        return layers
