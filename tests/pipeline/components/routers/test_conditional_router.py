"""ConditionalRouter: Haystack's routing, sockets, errors (messages included), serialization and sandbox."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pipeline import DefinitionError, Document, Pipeline, PipelineRuntimeError
from pipeline.components.routers import ConditionalRouter
from pipeline.components.routers.conditional_router import NoRouteSelectedException, Route, RouteConditionException
from pipeline.core.component import input_sockets, output_sockets
from tests.pipeline.utils.filters_for_tests import shout


def route(condition: Any, output: Any, name: Any = "out", output_type: Any = str, **extra: Any) -> Route:
    return {"condition": condition, "output": output, "output_name": name, "output_type": output_type, **extra}  # type: ignore[typeddict-item]


STREAMS = [
    route("{{ streams|length > 2 }}", "{{ streams }}", "enough_streams", list[int]),
    route("{{ streams|length <= 2 }}", "{{ streams }}", "insufficient_streams", list[int]),
]


def test_first_route_whose_condition_holds_publishes_its_output() -> None:
    router = ConditionalRouter(STREAMS)
    assert router.run(streams=[1, 2, 3], query="Haystack") == {"enough_streams": [1, 2, 3]}
    assert router.run(streams=[1]) == {"insufficient_streams": [1]}


def test_rendered_outputs_are_read_back_as_literals_or_kept_as_text() -> None:
    def run(output: str, **kwargs: Any) -> Any:
        return ConditionalRouter([route("{{ True }}", output)]).run(**kwargs)["out"]

    assert run("{{ n + 1 }}", n=1) == 2
    assert run("{{ d }}", d={"a": [1, None]}) == {"a": [1, None]}
    assert run("{{ s }}", s="hello world") == "hello world"
    # A Document is not a literal: without unsafe it becomes its text, as in Haystack.
    assert run("{{ d }}", d=Document(id="1", content="x")) == repr(Document(id="1", content="x"))


def test_several_outputs_per_route() -> None:
    router = ConditionalRouter(
        [
            {
                "condition": "{{ True }}",
                "output": ["{{ a }}", "{{ b }}"],
                "output_name": ["oa", "ob"],
                "output_type": [int, str],
            }
        ]
    )
    assert router.run(a=1, b="B") == {"oa": 1, "ob": "B"}
    assert {name: socket.type for name, socket in output_sockets(router).items()} == {"oa": int, "ob": str}


def test_sockets_mandatory_optional_and_assigned_variables() -> None:
    router = ConditionalRouter(
        [
            route("{% set y = 2 %}{{ x > y and z }}", "{{ w }}", "out", int),
            route("{{ True }}", "{{ v }}", "o2"),
        ],
        optional_variables=["z"],
    )
    inputs = input_sockets(router)
    assert list(inputs) == ["x", "w", "v", "z"]  # first use order; `y` is assigned in the template, not an input
    assert [name for name, socket in inputs.items() if socket.is_mandatory] == ["x", "w", "v"]
    assert inputs["z"].default_value is None
    assert {name: socket.type for name, socket in output_sockets(router).items()} == {"out": int, "o2": str}


def test_optional_variable_missing_falls_back_to_a_default_route_in_a_pipeline() -> None:
    routes = [
        route('{{ path == "rag" }}', "{{ question }}", "rag_route"),
        route("{{ True }}", "{{ question }}", "default_route"),
    ]
    pipe = Pipeline()
    pipe.add_component("router", ConditionalRouter(routes, optional_variables=["path"]))
    assert pipe.run({"router": {"question": "What?", "path": "rag"}}) == {"router": {"rag_route": "What?"}}
    assert pipe.run({"router": {"question": "What?"}}) == {"router": {"default_route": "What?"}}


def test_unused_optional_variables_are_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        ConditionalRouter([route("{{ True }}", "x")], optional_variables=["typo"])
    assert "The following optional variables are specified but not used in any route: {'typo'}" in caplog.text


def test_no_route_fired() -> None:
    with pytest.raises(NoRouteSelectedException) as caught:
        ConditionalRouter([route("{{ x > 1 }}", "{{ x }}", output_type=int)]).run(x=0)
    assert str(caught.value) == (
        "No route fired. Routes: [{'condition': '{{ x > 1 }}', 'output': '{{ x }}', 'output_name': 'out', "
        "'output_type': <class 'int'>}]"
    )


def test_condition_errors_name_the_route() -> None:
    with pytest.raises(RouteConditionException) as caught:
        ConditionalRouter([route("{{ x.y.z }}", "x")]).run(x=None)
    assert str(caught.value) == (
        "Error evaluating condition for route '{'condition': '{{ x.y.z }}', 'output': 'x', 'output_name': 'out', "
        "'output_type': <class 'str'>}': 'None' has no attribute 'y'"
    )
    with pytest.raises(RouteConditionException, match=r"invalid syntax \(<unknown>, line 0\)$"):
        ConditionalRouter([route("{{ s }}", "x")]).run(s="")
    # Text that is no literal fails literal evaluation with a ValueError, which Haystack lets through as is.
    with pytest.raises(ValueError, match="^malformed node or string"):
        ConditionalRouter([route("{{ s }}", "x")]).run(s="hello")


def test_templates_render_in_the_sandbox() -> None:
    with pytest.raises(RouteConditionException, match="access to attribute '__class__' of 'int' object is unsafe"):
        ConditionalRouter([route("{{ x.__class__.__mro__ }}", "x")]).run(x=1)
    # Unsafe returns native objects but stays sandboxed: no reaching Python internals either way.
    with pytest.raises(RouteConditionException, match="is unsafe"):
        ConditionalRouter([route("{{ True }}", "{{ x.__class__.__mro__ }}")], unsafe=True).run(x=1)


def test_unsafe_returns_native_objects(caplog: pytest.LogCaptureFixture) -> None:
    document = Document(id="1", content="x")
    with caplog.at_level(logging.WARNING):
        router = ConditionalRouter([route("{{ d.content == 'x' }}", "{{ d }}", output_type=Document)], unsafe=True)
    assert "Unsafe mode is enabled" in caplog.text
    assert router.run(d=document) == {"out": document}


def test_passthrough_hands_the_object_over_untouched() -> None:
    document = Document(id="1", content="x")
    router = ConditionalRouter(
        [route("{{ q.content == 'x' }}", "q", output_type=Document, output_passthrough=True)], optional_variables=["q"]
    )
    assert router.run(q=document)["out"] is document
    with pytest.raises(ValueError) as caught:
        ConditionalRouter([route("{{ True }}", "q", output_type=Document, output_passthrough=True)]).run()
    assert str(caught.value) == (
        "Variable 'q' not found in inputs for passthrough route 'out'. Ensure 'q' is passed as an input to the router."
    )


def test_output_type_validation() -> None:
    def run(output_type: Any, value: Any) -> Any:
        return ConditionalRouter(
            [route("{{ True }}", "{{ v }}", output_type=output_type)], validate_output_type=True
        ).run(v=value)

    assert run(list[int], [1]) == {"out": [1]}
    assert run(int | None, None) == {"out": None}
    assert run(dict[str, list[int]], {"a": [1]}) == {"out": {"a": [1]}}
    assert run(list[str], []) == {"out": []}
    for output_type, value in [(list[str], [1]), (dict[str, int], {"a": "b"}), (list[str], "ab"), (int, "x")]:
        with pytest.raises(ValueError, match=r"^Route 'out' type doesn't match expected type$"):
            run(output_type, value)


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        (["x"], "Route must be a dictionary, got: x"),
        (
            [{"condition": "{{ True }}", "output": "x"}],
            "Route must contain 'condition', 'output', 'output_type' and 'output_name' fields: "
            "{'condition': '{{ True }}', 'output': 'x'}",
        ),
        (
            [route("{{ True }}", ["{{ a }}", "{{ b }}"], ["oa"], [int, str])],
            "Route output, output_type and output_name must have same length: {'condition': '{{ True }}', "
            "'output': ['{{ a }}', '{{ b }}'], 'output_name': ['oa'], 'output_type': [<class 'int'>, <class 'str'>]}",
        ),
        ([route("{{ x ", "x")], "Invalid template for condition: {{ x "),
        (
            [route(True, "x")],
            "Invalid template for condition: True (type: bool).Condition must be a string representing a valid "
            "Jinja2 template. For example, use 'True' instead of True.",
        ),
        (
            [route("{{ True }}", 5)],
            "Invalid template for output: 5 (type: int). Output must be a string representing a valid Jinja2 "
            "template. For example, use '5' instead of 5.",
        ),
        ([route("{{ True }}", "{% if %}")], "Invalid template for output: {% if %}"),
    ],
)
def test_invalid_routes_are_refused_at_init(routes: list[Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        ConditionalRouter(routes)
    assert str(caught.value) == message


def test_custom_filters() -> None:
    router = ConditionalRouter([route("{{ s|shout == 'AB!' }}", "{{ s|shout }}")], custom_filters={"shout": shout})
    assert router.run(s="ab") == {"out": "AB!"}


def test_to_dict_writes_types_and_filters_as_haystack_does() -> None:
    router = ConditionalRouter(
        [
            route("{{ True }}", "{{ v }}", "out", list[Document]),
            route("{{ True }}", ["{{ a }}"], ["oa"], [str | None]),
        ],
        custom_filters={"shout": shout},
        optional_variables=["a"],
    )
    assert router.to_dict() == {
        "type": "pipeline.components.routers.conditional_router.ConditionalRouter",
        "init_parameters": {
            "routes": [
                route("{{ True }}", "{{ v }}", "out", "list[pipeline.dataclasses.document.Document]"),
                route("{{ True }}", ["{{ a }}"], ["oa"], ["str | None"]),
            ],
            "custom_filters": {"shout": "tests.pipeline.utils.filters_for_tests.shout"},
            "unsafe": False,
            "validate_output_type": False,
            "optional_variables": ["a"],
        },
    }


def test_from_dict_reads_haystack_type_names_and_leaves_its_input_alone() -> None:
    data = {
        "type": "haystack.components.routers.conditional_router.ConditionalRouter",
        "init_parameters": {
            "routes": [route("{{ True }}", "{{ v }}", "out", "list[haystack.dataclasses.document.Document]")],
        },
    }
    router = ConditionalRouter.from_dict(data)
    assert router.routes[0]["output_type"] == list[Document]
    assert data["init_parameters"]["routes"][0]["output_type"] == "list[haystack.dataclasses.document.Document]"


def test_yaml_round_trip_with_filters_from_an_allowed_module() -> None:
    pipe = Pipeline()
    pipe.add_component(
        "router",
        ConditionalRouter(
            [
                route("{{ documents|length > 1 }}", "{{ documents }}", "many", list[Document]),
                route("{{ True }}", ["{{ query|shout }}", "{{ 3 }}"], ["few", "n"], [str | None, int]),
            ],
            custom_filters={"shout": shout},
            validate_output_type=True,
            optional_variables=["query"],
        ),
    )
    text = pipe.dumps()
    assert "output_type: list[pipeline.dataclasses.document.Document]" in text
    with pytest.raises(DefinitionError, match="'tests.pipeline.utils.filters_for_tests.shout' is not in an allowed"):
        Pipeline.loads(text)
    loaded = Pipeline.loads(text, allowed_modules=["tests.pipeline.utils"])
    assert loaded.dumps() == text
    assert loaded.run({"router": {"documents": [], "query": "hi"}}) == {"router": {"few": "HI!", "n": 3}}


def test_a_type_from_a_module_not_allowed_is_refused_naming_its_line() -> None:
    text = """\
components:
  router:
    type: pipeline.components.routers.conditional_router.ConditionalRouter
    init_parameters:
      routes:
      - condition: '{{ True }}'
        output: '{{ x }}'
        output_name: out
        output_type: list[subprocess.Popen]
connections: []
"""
    with pytest.raises(DefinitionError) as caught:
        Pipeline.loads(text)
    assert caught.value.line == 9
    assert "at components.router.init_parameters.routes.0.output_type: 'subprocess.Popen' is not in an allowed" in str(
        caught.value
    )


def test_failures_inside_a_pipeline_keep_their_type() -> None:
    pipe = Pipeline()
    pipe.add_component("router", ConditionalRouter([route("{{ x > 1 }}", "{{ x }}", output_type=int)]))
    with pytest.raises(PipelineRuntimeError) as caught:
        pipe.run({"router": {"x": 0}})
    assert isinstance(caught.value.__cause__, NoRouteSelectedException)
