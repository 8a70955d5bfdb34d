"""The inputs form: fields per open socket, prefill from example inputs, coercion by type and its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button, Input, Label, Select, Static

from pipeline import AsyncPipeline, Document, component
from sample_pipelines.hybrid_rag import EXAMPLE_INPUTS, QUERY_YAML
from tests.tui.components import Collect, Doubler, Echo, IntText
from tui.widgets.inputs_form import InputsError, InputsForm, input_fields

WAITING_YAML = Path(__file__).parents[3] / "sample_pipelines" / "waiting.yaml"


@component
class CountDocuments:
    @component.output_types(count=int)
    def run(self, documents: list[Document], label: str | None = None) -> dict[str, int]:
        return {"count": len(documents)}


class FormApp(App[None]):
    def __init__(self, pipe: AsyncPipeline) -> None:
        super().__init__()
        self.pipe = pipe
        self.submitted: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield InputsForm(self.pipe)

    def on_inputs_form_submitted(self, message: InputsForm.Submitted) -> None:
        self.submitted.append(message.data)


def typed_pipeline(examples: list[dict[str, Any]] | None = None) -> AsyncPipeline:
    """`x` is open on two components with one type (a flat field); `text` on two with different types."""
    pipe = AsyncPipeline(metadata={"example_inputs": examples} if examples else None)
    pipe.add_component("double_a", Doubler())
    pipe.add_component("double_b", Doubler())
    pipe.add_component("echo", Echo())
    pipe.add_component("number", IntText())
    pipe.add_component("collect", Collect())
    pipe.add_component("count", CountDocuments())
    return pipe


def fields_by_name(form: InputsForm) -> dict[str, Input]:
    return {field.name: form.query(Input)[index] for index, field in enumerate(form.fields)}


def test_fields_are_flat_only_where_one_name_and_type_is_open_on_several_components() -> None:
    fields = input_fields(typed_pipeline().inputs())
    assert [(f.name, f.components, f.flat, f.mandatory) for f in fields] == [
        ("x", ("double_a", "double_b"), True, True),
        ("echo.text", ("echo",), False, True),
        ("number.text", ("number",), False, True),
        ("collect.value", ("collect",), False, True),
        ("count.documents", ("count",), False, True),
        ("count.label", ("count",), False, False),
    ]


async def test_the_waiting_sample_has_one_flat_field_prefilled_from_its_first_example() -> None:
    app = FormApp(AsyncPipeline.load(WAITING_YAML))
    async with app.run_test(size=(80, 30)) as pilot:
        form = app.query_one(InputsForm)
        assert [field.name for field in form.fields] == ["user_msg"]
        assert str(form.query(Label).first().content) == "user_msg  str *"
        assert form.values() == {"user_msg": "Hello"}

        form.query_one(Select).value = 1
        await pilot.pause()
        assert form.values() == {"user_msg": "Bonjour"}


async def test_the_hybrid_rag_examples_prefill_the_three_question_fields() -> None:
    app = FormApp(AsyncPipeline.load(QUERY_YAML))
    async with app.run_test(size=(100, 40)) as pilot:
        form = app.query_one(InputsForm)
        select = form.query_one(Select)
        assert [label for label, _ in select._options] == [
            "1. Where is Gardens of Babylon?",
            "2. Why did people build Great Pyramid of Giza?",
            "3. What does Rhodes Statue look like?",
        ]
        inputs = fields_by_name(form)
        assert inputs["text_embedder.text"].value == "Where is Gardens of Babylon?"
        assert inputs["prompt_builder.question"].value == "Where is Gardens of Babylon?", "Any: text kept as text"
        assert inputs["top_k"].value == ""
        assert form.values() == EXAMPLE_INPUTS[0]

        select.value = 2
        await pilot.pause()
        assert form.values() == EXAMPLE_INPUTS[2]


async def test_examples_are_read_as_the_engine_reads_run_data() -> None:
    """A flat name feeds every receiver; a component's name with a mapping holds that component's sockets."""
    example = {"x": 3, "text": "42", "collect": {"value": {"k": [1]}}, "label": "plain"}
    app = FormApp(typed_pipeline([example]))
    async with app.run_test(size=(100, 50)):
        form = app.query_one(InputsForm)
        inputs = fields_by_name(form)
        assert {name: field.value for name, field in inputs.items()} == {
            "x": "3",
            "echo.text": "42",
            "number.text": '"42"',  # the string the example gives, shown as JSON for an int socket
            "collect.value": '{"k": [1]}',
            "count.documents": "",
            "count.label": "plain",
        }
        with pytest.raises(InputsError, match=r"^number\.text: expected int, got str$"):
            form.values()
        inputs["number.text"].value = "42"
        assert form.values() == {
            "x": 3,
            "echo": {"text": "42"},
            "number": {"text": 42},
            "collect": {"value": {"k": [1]}},
            "count": {"label": "plain"},
        }


async def test_values_are_coerced_by_socket_type() -> None:
    app = FormApp(typed_pipeline())
    async with app.run_test(size=(100, 50)) as pilot:
        form = app.query_one(InputsForm)
        inputs = fields_by_name(form)
        inputs["x"].value = "21"
        inputs["echo.text"].value = "42"
        inputs["number.text"].value = "7"
        inputs["collect.value"].value = "hello"
        inputs["count.documents"].value = '[{"content": "a", "meta": {"page": 1}}]'
        await pilot.pause()
        assert form.values() == {
            "x": 21,
            "echo": {"text": "42"},
            "number": {"text": 7},
            "collect": {"value": "hello"},
            "count": {"documents": [Document(content="a", meta={"page": 1})]},
        }
        inputs["collect.value"].value = '{"k": [1, 2]}'
        assert form.values()["collect"] == {"value": {"k": [1, 2]}}


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("x", "abc", "x: expected int as JSON; 'abc' is not valid JSON"),
        ("number.text", "1.5", "number.text: expected int, got float"),
        ("count.documents", '[{"title": "a"}]', "count.documents: Unknown Document field(s): title."),
        ("count.documents", '["a"]', "count.documents: item 0: expected Document, got str"),
    ],
)
async def test_a_value_that_does_not_fit_names_its_field(field: str, text: str, message: str) -> None:
    app = FormApp(typed_pipeline())
    async with app.run_test(size=(100, 50)):
        form = app.query_one(InputsForm)
        fields_by_name(form)[field].value = text
        with pytest.raises(InputsError) as caught:
            form.values()
        assert caught.value.field == field
        assert str(caught.value) == message


async def test_enter_with_a_bad_field_shows_the_error_and_focuses_it_then_run_submits() -> None:
    app = FormApp(typed_pipeline())
    async with app.run_test(size=(100, 50)) as pilot:
        form = app.query_one(InputsForm)
        inputs = fields_by_name(form)
        inputs["x"].value = "2"
        inputs["number.text"].value = "seven"
        inputs["echo.text"].focus()
        await pilot.press("enter")
        assert app.submitted == []
        assert str(form.query_one("#inputs-error", Static).content).startswith("number.text: expected int")
        assert inputs["number.text"].has_class("-invalid")
        assert app.focused is inputs["number.text"]

        inputs["number.text"].value = "7"
        await pilot.click(Button)
        assert app.submitted == [{"x": 2, "number": {"text": 7}}]
        assert str(form.query_one("#inputs-error", Static).content) == ""
        assert not inputs["number.text"].has_class("-invalid")
