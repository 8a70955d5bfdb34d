"""OutputAdapter: Haystack's rendering, literal read-back, errors (messages included), serialization, sandbox."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from pipeline import DefinitionError, Document, Pipeline, component
from pipeline.components.converters import OutputAdapter
from pipeline.components.converters.output_adapter import OutputAdaptationException
from pipeline.core.component import input_sockets, output_sockets
from tests.pipeline.utils.filters_for_tests import shout


def test_renders_the_template_with_the_inputs() -> None:
    documents = [Document(content="Test content")]
    assert OutputAdapter("{{ documents[0].content }}", str).run(documents=documents) == {"output": "Test content"}
    assert OutputAdapter("hello {{ x }}", str).run(x="w") == {"output": "hello w"}
    assert OutputAdapter("{{ xs }}", list).run(xs=[1, 2]) == {"output": [1, 2]}  # read back as a literal
    assert OutputAdapter("{{ xs|length }}", int).run(xs="abc") == {"output": 3}


def test_sockets() -> None:
    adapter = OutputAdapter("{% set a = 1 %}{{ x + a }}{{ y }}", int)
    assert {name: socket.is_mandatory for name, socket in input_sockets(adapter).items()} == {"x": True, "y": True}
    assert {name: socket.type for name, socket in output_sockets(adapter).items()} == {"output": int}


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"^No input data provided for output adaptation$"):
        OutputAdapter("{{ x }}", str).run()
    with pytest.raises(OutputAdaptationException) as caught:
        OutputAdapter("{{ x }}{{ y }}", str).run(x=1)
    assert str(caught.value) == "Error adapting {{ x }}{{ y }} with {'x': 1}: 'y' is undefined"
    with pytest.raises(OutputAdaptationException) as caught:
        OutputAdapter("{{ x.y }}", str).run(x=1)
    assert str(caught.value) == "Error adapting {{ x.y }} with {'x': 1}: 'int object' has no attribute 'y'"
    with pytest.raises(ValueError) as invalid:
        OutputAdapter("{{ x ", str)
    assert str(invalid.value) == (
        "Invalid Jinja template '{{ x ': unexpected end of template, expected 'end of print statement'."
    )


def test_templates_render_in_the_sandbox_even_when_unsafe() -> None:
    for unsafe in (False, True):
        with pytest.raises(
            OutputAdaptationException, match="access to attribute '__class__' of 'int' object is unsafe"
        ):
            OutputAdapter("{{ x.__class__.__base__.__subclasses__() }}", str, unsafe=unsafe).run(x=1)


def test_unsafe_returns_native_objects(caplog: pytest.LogCaptureFixture) -> None:
    document = Document(id="1", content="x")
    with caplog.at_level(logging.WARNING):
        adapter = OutputAdapter("{{ d }}", Document, unsafe=True)
    assert "Unsafe mode is enabled" in caplog.text
    assert adapter.run(d=document) == {"output": document}
    assert OutputAdapter("{{ d }}", str).run(d=document) == {"output": repr(document)}
    with pytest.raises(OutputAdaptationException) as caught:
        adapter.run(e=1)
    assert str(caught.value) == (
        "Error adapting {{ d }} with {'e': 1}: Undefined variable in the template {{ d }}; kwargs: {'e': 1}"
    )


def test_custom_filters() -> None:
    assert OutputAdapter("{{ x|shout }}", str, custom_filters={"shout": shout}).run(x="a") == {"output": "A!"}


def test_to_dict_and_from_dict() -> None:
    adapter = OutputAdapter("{{ x }}", list[Document], custom_filters={"shout": shout})
    data = adapter.to_dict()
    assert data == {
        "type": "pipeline.components.converters.output_adapter.OutputAdapter",
        "init_parameters": {
            "template": "{{ x }}",
            "output_type": "list[pipeline.dataclasses.document.Document]",
            "custom_filters": {"shout": "tests.pipeline.utils.filters_for_tests.shout"},
            "unsafe": False,
        },
    }
    restored = OutputAdapter.from_dict(
        {
            "type": "haystack.components.converters.output_adapter.OutputAdapter",
            "init_parameters": {"template": "{{ x }}", "output_type": "list[haystack.dataclasses.Document]"},
        }
    )
    assert restored.output_type == list[Document]
    assert restored.custom_filters == {}


@component
class Docs:
    @component.output_types(documents=list[Document])
    def run(self, texts: list[str]) -> dict[str, Any]:
        return {"documents": [Document(content=text) for text in texts]}


def test_yaml_round_trip_in_a_pipeline() -> None:
    pipe = Pipeline()
    pipe.add_component("docs", Docs())
    pipe.add_component(
        "adapter",
        OutputAdapter(
            "{{ documents|map(attribute='content')|list|tojson|shout }}", str, custom_filters={"shout": shout}
        ),
    )
    pipe.connect("docs.documents", "adapter.documents")
    text = pipe.dumps()
    loaded = Pipeline.loads(text, allowed_modules=["tests.pipeline"])
    assert loaded.dumps() == text
    assert loaded.run({"docs": {"texts": ["a", "b"]}}) == {"adapter": {"output": json.dumps(["A", "B"]) + "!"}}


def test_a_filter_that_is_not_allowed_is_refused_naming_its_line() -> None:
    text = """\
components:
  adapter:
    type: pipeline.components.converters.output_adapter.OutputAdapter
    init_parameters:
      template: '{{ x|run }}'
      output_type: str
      custom_filters:
        run: os.system
connections: []
"""
    with pytest.raises(DefinitionError) as caught:
        Pipeline.loads(text)
    assert caught.value.line == 8
    assert str(caught.value).endswith(
        "at components.adapter.init_parameters.custom_filters.run: 'os.system' is not in an allowed module "
        "(allowed: pipeline, sample_pipelines); pass allowed_modules=[...] to load it from other packages"
    )
