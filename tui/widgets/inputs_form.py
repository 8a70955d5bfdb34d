"""The run's inputs: one field per open input socket, prefilled from the pipeline's example inputs.

A socket name open on several components with the same type (the waiting sample's `user_msg`) is one flat
field, fed to all of them as the engine does with a flat input; otherwise a field is `component.socket`.
Values are coerced as `pipedebug run --input` does (`tui.options.coerce`): text stays text for `str` sockets,
anything else must be JSON of the socket's type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from pipeline.core.pipeline import PipelineBase
from pipeline.core.type_utils import type_name, value_matches_type
from tui.options import coerce
from tui.state.socket_values import from_json, mismatch, to_json

EXAMPLE_LABEL_CHARS = 70


class InputsError(ValueError):
    """A field's text does not make a value of its socket's type; `field` names it as the form shows it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class InputField:
    """One field of the form: a flat socket name fed to several components, or one `component.socket`."""

    name: str
    socket: str
    components: tuple[str, ...]
    type: Any
    mandatory: bool
    """Mandatory on some receiver; variadic sockets never are, as connections may feed them too."""
    default: Any
    flat: bool

    @property
    def takes_text(self) -> bool:
        """Whether any text is the value as typed: `coerce` keeps it for sockets accepting `str`."""
        return coerce("0", self.type) == "0"

    def text_of(self, value: Any) -> str:
        """The field text that `coerce` turns back into `value`: a string as it is when it survives, JSON else."""
        if isinstance(value, str) and coerce(value, self.type) == value:
            return value
        return json.dumps(to_json(value), ensure_ascii=False)


def input_fields(open_sockets: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[InputField]:
    """The form's fields for `pipe.inputs()`, in pipeline order, flat where one name and type is open on
    several components."""
    receivers: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for component, sockets in open_sockets.items():
        for socket, info in sockets.items():
            receivers.setdefault(socket, []).append((component, info))
    fields: dict[str, InputField] = {}
    for component, sockets in open_sockets.items():
        for socket, info in sockets.items():
            group = receivers[socket]
            flat = len(group) > 1 and all(other["type"] == info["type"] for _, other in group)
            name = socket if flat else f"{component}.{socket}"
            if name not in fields:
                members = group if flat else [(component, info)]
                fields[name] = InputField(
                    name,
                    socket,
                    tuple(receiver for receiver, _ in members),
                    info["type"],
                    any(other["is_mandatory"] and not other.get("is_variadic") for _, other in members),
                    info["default_value"],
                    flat,
                )
    return list(fields.values())


def example_label(example: Mapping[str, Any]) -> str:
    """An example's distinct leaf values in one line, e.g. the question that all three RAG inputs share."""
    leaves: list[str] = []
    for value in example.values():
        for leaf in value.values() if isinstance(value, Mapping) else [value]:
            text = leaf if isinstance(leaf, str) else json.dumps(to_json(leaf), ensure_ascii=False)
            if text not in leaves:
                leaves.append(text)
    label = " · ".join(leaves)
    return label if len(label) <= EXAMPLE_LABEL_CHARS else label[: EXAMPLE_LABEL_CHARS - 1] + "…"


class InputsForm(VerticalScroll, can_focus=False):
    """Fields for `pipe.inputs()`, a choice of `metadata["example_inputs"]`, and a Run button.

    Posts `InputsForm.Submitted(data)` on Enter in a field or on Run, once every field parses; otherwise shows
    the error and focuses the field at fault.
    """

    DEFAULT_CSS = """
    InputsForm {
        height: auto;
        max-height: 100%;
        padding: 0 1;
    }
    InputsForm > .field-label {
        margin-top: 1;
    }
    InputsForm > Input.-invalid {
        border: tall $error;
    }
    InputsForm > #inputs-error {
        color: $text-error;
        height: auto;
    }
    InputsForm > #inputs-run {
        margin-top: 1;
    }
    """

    class Submitted(Message):
        """The user asked to run with `data`: pipeline inputs, flat (`{socket: value}`) and per component."""

        def __init__(self, form: InputsForm, data: dict[str, Any]) -> None:
            super().__init__()
            self.form = form
            self.data = data

        @property
        def control(self) -> InputsForm:
            return self.form

    def __init__(
        self, pipe: PipelineBase, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.fields = input_fields(pipe.inputs())
        self._components = {name for name, _ in pipe.walk()}
        examples = pipe.metadata.get("example_inputs")
        self.examples: list[Mapping[str, Any]] = (
            [example for example in examples if isinstance(example, Mapping)] if isinstance(examples, list) else []
        )
        self._inputs: dict[str, Input] = {}

    def compose(self) -> ComposeResult:
        if self.examples:
            options = [(f"{index + 1}. {example_label(example)}", index) for index, example in enumerate(self.examples)]
            yield Select(options, value=0, allow_blank=False, prompt="Example inputs", id="inputs-examples")
        prefill = self._texts(self.examples[0]) if self.examples else {}
        for field in self.fields:
            label = Text.assemble((field.name, "bold"), "  ", (type_name(field.type), "dim"))
            if field.mandatory:
                label.append(" *", style="bold red")
            yield Label(label, classes="field-label")
            placeholder = "text" if field.takes_text else "JSON or text" if field.type is Any else "JSON"
            if not field.mandatory:
                placeholder += " (optional)" if field.default is None else f" (default: {field.default!r})"
            self._inputs[field.name] = Input(prefill.get(field.name, ""), placeholder=placeholder)
            yield self._inputs[field.name]
        if not self.fields:
            yield Static("This pipeline has no open inputs.", classes="note")
        yield Static(id="inputs-error")
        yield Button("Run", variant="primary", id="inputs-run")

    def prefill(self, example: Mapping[str, Any]) -> None:
        """Fill the fields from one example (flat or per component); fields it leaves out are emptied."""
        texts = self._texts(example)
        for field in self.fields:
            self._inputs[field.name].value = texts.get(field.name, "")
        self._show_error(None)

    def _texts(self, example: Mapping[str, Any]) -> dict[str, str]:
        """Field name -> text for an example, read as the engine reads run data: a component's name with a
        mapping holds that component's sockets, any other key is a socket name fed to every receiver."""
        texts: dict[str, str] = {}
        for key, value in example.items():
            entries: list[tuple[str | None, str, Any]]
            if key in self._components and isinstance(value, Mapping):
                entries = [(key, socket, item) for socket, item in value.items()]
            else:
                entries = [(None, key, value)]
            for component, socket, item in entries:
                for field in self.fields:
                    if field.socket == socket and (component is None or component in field.components):
                        texts.setdefault(field.name, field.text_of(item))
        return texts

    def values(self) -> dict[str, Any]:
        """The pipeline data of the filled fields (empty ones are left out); raises `InputsError` naming the
        first field whose text does not make a value of its socket's type."""
        data: dict[str, Any] = {}
        for field in self.fields:
            raw = self._inputs[field.name].value
            if not raw or (not field.takes_text and not raw.strip()):
                continue
            value = self._parse(field, raw)
            if field.flat:
                data[field.socket] = value
            else:
                data.setdefault(field.components[0], {})[field.socket] = value
        return data

    @staticmethod
    def _parse(field: InputField, raw: str) -> Any:
        value = coerce(raw, field.type)
        try:
            value = from_json(value, field.type)
        except (ValueError, TypeError) as error:
            raise InputsError(field.name, str(error)) from None
        if not value_matches_type(value, field.type):
            if value is raw:  # `coerce` hands the text back when it is not JSON
                raise InputsError(field.name, f"expected {type_name(field.type)} as JSON; {raw!r} is not valid JSON")
            raise InputsError(field.name, mismatch(value, field.type))
        return value

    def submit(self) -> None:
        """Post `Submitted` with the values, or show the first error and focus its field."""
        try:
            data = self.values()
        except InputsError as error:
            self._show_error(error)
            self._inputs[error.field].focus()
            return
        self._show_error(None)
        self.post_message(self.Submitted(self, data))

    def _show_error(self, error: InputsError | None) -> None:
        self.query_one("#inputs-error", Static).update(Text(str(error)) if error else "")
        for name, field_input in self._inputs.items():
            field_input.set_class(error is not None and error.field == name, "-invalid")

    @on(Select.Changed, "#inputs-examples")
    def _example_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, int):
            self.prefill(self.examples[event.value])

    @on(Input.Submitted)
    @on(Button.Pressed, "#inputs-run")
    def _run(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.submit()
