"""Haystack's YAML through the bridge: round trips, and the allow-list checked before anything is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from haystack import AsyncPipeline as HaystackAsyncPipeline
from haystack import Pipeline as HaystackPipeline

from pipeline import AsyncPipeline
from pipeline.bridges.haystack import from_haystack, is_haystack_definition, load_haystack_yaml
from pipeline.core.errors import DefinitionError
from tests.pipeline.bridges.test_haystack import conversations, counting_loop, fused_retrieval, joined_lists

PROBE_MODULE = "tests.pipeline.bridges.import_probe"


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing `fragment`."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize("build", [counting_loop, conversations, fused_retrieval, joined_lists])
def test_our_yaml_of_a_bridged_pipeline_is_haystacks(build: object) -> None:
    source = build(HaystackAsyncPipeline)  # type: ignore[operator]
    assert yaml.safe_load(from_haystack(source).dumps()) == yaml.safe_load(source.dumps())


@pytest.mark.parametrize(
    ("build", "data"),
    [
        (counting_loop, {"joiner": {"value": 1}}),
        (conversations, {"greeting": {"name": "Cy"}}),
        (joined_lists, {"a_small": {"start": 1}, "b_large": {"start": 5}}),
    ],
)
async def test_haystack_dumps_loads_and_runs_the_same(build: object, data: dict) -> None:
    text = build(HaystackAsyncPipeline).dumps()  # type: ignore[operator]
    pipe = load_haystack_yaml(text, source="dumped.yaml", allowed_modules=["tests"])
    assert type(pipe) is AsyncPipeline
    theirs = await HaystackAsyncPipeline.loads(text).run_async(data)
    assert await pipe.run_async(data) == theirs
    # Haystack orders edges by sender on loading; whatever it writes now, ours writes too.
    assert yaml.safe_load(pipe.dumps()) == yaml.safe_load(HaystackAsyncPipeline.loads(text).dumps())


def test_a_file_is_read_by_path(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(counting_loop(HaystackPipeline).dumps(), encoding="utf-8")
    for given in (path, str(path)):
        pipe = load_haystack_yaml(given, source=str(path), allowed_modules=["tests"])
        assert pipe.run({"joiner": {"value": 2}}) == {"router": {"done": 5}}
    with pytest.raises(DefinitionError, match=r"missing\.yaml: cannot read the file"):
        load_haystack_yaml(tmp_path / "missing.yaml", source="missing.yaml")


def test_is_haystack_definition() -> None:
    assert is_haystack_definition(yaml.safe_load(counting_loop(HaystackPipeline).dumps()))
    ours = Path(__file__).parents[3] / "sample_pipelines" / "routing.yaml"
    assert not is_haystack_definition(yaml.safe_load(ours.read_text(encoding="utf-8")))
    assert not is_haystack_definition({"components": [1]}) and not is_haystack_definition([])


# -- the allow-list -------------------------------------------------------------------------------------------

PROBE_YAML = f"""\
metadata: {{}}
components:
  joiner:
    type: haystack.components.joiners.branch.BranchJoiner
    init_parameters:
      type_: int
  probe:
    type: {PROBE_MODULE}.Probe
    init_parameters: {{}}
connections:
- sender: joiner.value
  receiver: probe.value
"""


def test_a_module_outside_the_allow_list_is_refused_before_it_is_imported() -> None:
    assert PROBE_MODULE not in sys.modules
    with pytest.raises(DefinitionError) as refused:
        load_haystack_yaml(PROBE_YAML, source="probe.yaml")
    error = refused.value
    assert (error.source, error.line, error.key_path) == ("probe.yaml", 8, ("components", "probe", "type"))
    assert str(error).startswith(f"probe.yaml:8: at components.probe.type: '{PROBE_MODULE}.Probe' is not in an")
    assert "allowed: pipeline, sample_pipelines, haystack" in str(error) and "allowed_modules" in str(error)
    assert PROBE_MODULE not in sys.modules
    # Allowed on the command line (--allow-module) or in the YAML's own metadata, it loads.
    assert load_haystack_yaml(PROBE_YAML, source="probe.yaml", allowed_modules=["tests.pipeline"]).run(
        {"value": 4}
    ) == {"probe": {"value": 4}}
    allowing = PROBE_YAML.replace("metadata: {}", "metadata:\n  allowed_modules: [tests.pipeline.bridges]")
    pipe = load_haystack_yaml(allowing, source="probe.yaml")
    assert pipe.metadata == {"allowed_modules": ["tests.pipeline.bridges"]}
    assert PROBE_MODULE in sys.modules


def test_a_prefix_is_a_package_not_a_string_prefix() -> None:
    with pytest.raises(DefinitionError, match="'tests.pipeline.bridges.import_probe.Probe' is not in an allowed"):
        load_haystack_yaml(PROBE_YAML, source="probe.yaml", allowed_modules=["tests.pipe"])


def router_yaml(route_type: str, filters: str = "{}") -> str:
    return f"""\
components:
  router:
    type: haystack.components.routers.conditional_router.ConditionalRouter
    init_parameters:
      custom_filters: {filters}
      routes:
      - condition: '{{{{true}}}}'
        output: '{{{{value}}}}'
        output_name: out
        output_type: {route_type}
connections: []
"""


@pytest.mark.parametrize(
    ("text", "key_path", "fragment", "refused"),
    [
        (
            router_yaml("os.PathLike"),
            "components.router.init_parameters.routes.0.output_type",
            "output_type",
            "os.PathLike",
        ),
        (
            router_yaml("list[subprocess.Popen]"),
            "components.router.init_parameters.routes.0.output_type",
            "output_type",
            "list[subprocess.Popen]",
        ),
        (
            router_yaml("str", "{shell: os.system}"),
            "components.router.init_parameters.custom_filters.shell",
            "custom_filters",
            "os.system",
        ),
        (
            "components:\n  llm:\n    type: haystack.components.generators.chat.openai.OpenAIChatGenerator\n"
            "    init_parameters:\n      streaming_callback: subprocess.call\n",
            "components.llm.init_parameters.streaming_callback",
            "streaming_callback",
            "subprocess.call",
        ),
        (
            "components:\n  store:\n    type: haystack.components.retrievers.in_memory.InMemoryBM25Retriever\n"
            "    init_parameters:\n      document_store:\n        type: my_stores.Store\n        init_parameters: {}\n",
            "components.store.init_parameters.document_store.type",
            "type: my_stores",
            "my_stores.Store",
        ),
    ],
)
def test_types_and_callables_anywhere_are_checked(text: str, key_path: str, fragment: str, refused: str) -> None:
    with pytest.raises(DefinitionError) as error:
        load_haystack_yaml(text, source="x.yaml")
    assert f"x.yaml:{line_of(text, fragment)}: at {key_path}: " in str(error.value)
    assert f"'{refused}' is not in an allowed module" in str(error.value)


def test_standard_and_haystack_types_are_allowed_in_type_strings() -> None:
    pipe = load_haystack_yaml(router_yaml("typing.List[haystack.dataclasses.document.Document]"), source="r.yaml")
    assert pipe.run({"value": []}) == {"router": {"out": []}}


def test_metadata_allowed_modules_must_list_package_names() -> None:
    text = PROBE_YAML.replace("metadata: {}", "metadata:\n  allowed_modules: 'tests; import os'")
    with pytest.raises(DefinitionError, match=r"probe.yaml:2: at metadata.allowed_modules: must be a list"):
        load_haystack_yaml(text, source="probe.yaml")


# -- Haystack's own errors, located -----------------------------------------------------------------------------


def test_what_haystack_cannot_build_is_located() -> None:
    text = PROBE_YAML.replace("branch.BranchJoiner", "branch.NoSuchJoiner")
    with pytest.raises(DefinitionError) as error:
        load_haystack_yaml(text, source="bad.yaml", allowed_modules=["tests"])
    assert str(error.value).startswith("bad.yaml:3: at components.joiner: Haystack cannot build it: PipelineError:")
    assert "NoSuchJoiner" in str(error.value)


def test_a_bad_connection_is_located() -> None:
    text = PROBE_YAML.replace("receiver: probe.value", "receiver: probe.nothing")
    with pytest.raises(DefinitionError) as error:
        load_haystack_yaml(text, source="bad.yaml", allowed_modules=["tests"])
    assert str(error.value).startswith("bad.yaml:12: at connections.0.receiver: Haystack cannot build it:")


def test_invalid_yaml_is_our_definition_error() -> None:
    with pytest.raises(DefinitionError, match=r"bad.yaml:3: invalid YAML"):
        load_haystack_yaml("components:\n  a: [\n", source="bad.yaml")
    with pytest.raises(DefinitionError, match="a pipeline definition must be a mapping, got list"):
        load_haystack_yaml("- 1\n- 2\n", source="bad.yaml")


def test_the_bridge_module_works_without_haystack_installed() -> None:
    """The core install has no haystack-ai: detection still works, and loading says what to install."""
    script = f"""
import subprocess
import sys
sys.modules["haystack"] = None  # importing haystack now fails, as where it is not installed
from pipeline.bridges.haystack import is_haystack_definition, is_haystack_pipeline, load_haystack_yaml
from pipeline.core.errors import DefinitionError
assert is_haystack_definition({{"components": {{"a": {{"type": "haystack.components.joiners.BranchJoiner"}}}}}})
assert not is_haystack_pipeline(object())
try:
    load_haystack_yaml({PROBE_YAML!r}, source="p.yaml", allowed_modules=["tests"])
except DefinitionError as error:
    print(error)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("p.yaml:1: this is a haystack-ai pipeline, and haystack-ai is not installed")
    assert "pip install 'pipedebug[haystack]'" in result.stdout
