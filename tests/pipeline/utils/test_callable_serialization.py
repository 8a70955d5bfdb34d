"""serialize_callable / deserialize_callable: Haystack's paths and errors, loading only from allowed modules."""

from __future__ import annotations

import pytest

from pipeline.core.serialization import _allowing
from pipeline.utils import DeserializationError, SerializationError, deserialize_callable, serialize_callable
from tests.pipeline.utils import filters_for_tests
from tests.pipeline.utils.filters_for_tests import Filters, shout

ALLOWED = ["tests.pipeline.utils"]


def test_functions_and_class_or_static_methods_round_trip() -> None:
    for function, path in [
        (shout, "tests.pipeline.utils.filters_for_tests.shout"),
        (Filters.first, "tests.pipeline.utils.filters_for_tests.Filters.first"),
        (Filters.last, "tests.pipeline.utils.filters_for_tests.Filters.last"),
    ]:
        assert serialize_callable(function) == path
        assert deserialize_callable(path, allowed_modules=ALLOWED) == function


def test_pipeline_and_haystack_paths_load_without_allowing_anything() -> None:
    from pipeline.components.converters.utils import normalize_metadata

    assert deserialize_callable("pipeline.components.converters.utils.normalize_metadata") is normalize_metadata
    assert deserialize_callable("haystack.components.converters.utils.normalize_metadata") is normalize_metadata


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (lambda text: text, "Serialization of lambdas is not supported."),
        (Filters().bound, "Serialization of instance methods is not supported."),
    ],
)
def test_what_no_import_path_reaches_cannot_be_serialized(function: object, message: str) -> None:
    with pytest.raises(SerializationError) as caught:
        serialize_callable(function)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_nested_functions_cannot_be_serialized() -> None:
    def inner(text: str) -> str:
        return text

    with pytest.raises(SerializationError, match=r"^Serialization of nested functions is not supported\.$"):
        serialize_callable(inner)


@pytest.mark.parametrize("path", ["builtins.eval", "os.system", "subprocess.run"])
def test_dangerous_callables_are_refused_before_importing(path: str) -> None:
    with pytest.raises(DeserializationError) as caught:
        deserialize_callable(path)
    assert str(caught.value) == (
        f"'{path}' is not in an allowed module (allowed: pipeline, sample_pipelines); "
        "pass allowed_modules=[...] to load it from other packages"
    )


def test_a_stdlib_function_reexported_by_an_allowed_module_is_refused() -> None:
    path = "tests.pipeline.utils.filters_for_tests.reexported_from_stdlib"
    assert filters_for_tests.reexported_from_stdlib.__module__ == "posixpath"
    with pytest.raises(DeserializationError) as caught:
        deserialize_callable(path, allowed_modules=ALLOWED)
    assert str(caught.value) == (
        f"'{path}' is defined in 'posixpath', which is not an allowed module "
        "(allowed: pipeline, sample_pipelines, tests.pipeline.utils)"
    )


def test_missing_and_non_callable_attributes_fail_as_in_haystack() -> None:
    with pytest.raises(
        DeserializationError, match=r"^Could not find attribute 'nope' in tests.pipeline.utils.filters_"
    ):
        deserialize_callable("tests.pipeline.utils.filters_for_tests.nope", allowed_modules=ALLOWED)
    with pytest.raises(DeserializationError, match=r"^The final attribute is not callable: 3$"):
        deserialize_callable("tests.pipeline.utils.filters_for_tests.LIMIT", allowed_modules=ALLOWED)
    with pytest.raises(DeserializationError, match=r"^Could not import 'nowhere.thing' as a module or callable\.$"):
        deserialize_callable("nowhere.thing", allowed_modules=["nowhere"])


def test_the_load_in_progress_allows_its_modules() -> None:
    with _allowing(["tests.pipeline.utils"]):
        assert deserialize_callable("tests.pipeline.utils.filters_for_tests.shout") is shout
    with pytest.raises(DeserializationError, match="not in an allowed module"):
        deserialize_callable("tests.pipeline.utils.filters_for_tests.shout")
