"""serialize_type / deserialize_type: Haystack's strings, round trips, and imports only from allowed modules."""

from __future__ import annotations

import pathlib
import sys
import typing
from typing import Any, Literal, Optional, Union

import pytest

from pipeline import Document
from pipeline.core.serialization import _allowing
from pipeline.dataclasses import ByteStream, ChatMessage
from pipeline.utils import DeserializationError, deserialize_type, serialize_type

ROUND_TRIPS = [
    (str, "str"),
    (list, "list"),
    (list[Document], "list[pipeline.dataclasses.document.Document]"),
    (typing.List[str], "typing.List[str]"),  # noqa: UP006
    (Optional[str], "typing.Optional[str]"),  # noqa: UP045
    (Union[str, int], "typing.Union[str, int]"),  # noqa: UP007
    (str | None, "str | None"),
    (int | str | None, "int | str | None"),
    (dict[str, list[int]], "dict[str, list[int]]"),
    (typing.Dict[str, typing.List[Document]], "typing.Dict[str, typing.List[pipeline.dataclasses.document.Document]]"),  # noqa: UP006
    (Any, "typing.Any"),
    (typing.Tuple[int, ...], "typing.Tuple[int, Ellipsis]"),  # noqa: UP006
    (tuple[int, str], "tuple[int, str]"),
    (pathlib.Path, "pathlib.Path"),
    (typing.List[str | int], "typing.List[typing.Union[str, int]]"),  # noqa: UP006
    (typing.Dict[str, None], "typing.Dict[str, None]"),  # noqa: UP006
    (Union[int, str, None], "typing.Union[int, str, None]"),  # noqa: UP007
    (list[ByteStream | str], "list[pipeline.dataclasses.byte_stream.ByteStream | str]"),
    (typing.Sequence[int], "typing.Sequence[int]"),
    (ChatMessage, "pipeline.dataclasses.chat_message.ChatMessage"),
]


@pytest.mark.parametrize(("target", "text"), ROUND_TRIPS, ids=[text for _, text in ROUND_TRIPS])
def test_types_serialize_as_haystack_writes_them_and_come_back(target: Any, text: str) -> None:
    assert serialize_type(target) == text
    assert deserialize_type(text) == target


def test_none_and_nonetype() -> None:
    assert serialize_type(type(None)) == "None"
    assert serialize_type(None) == "None"
    assert deserialize_type("None") is None
    assert deserialize_type("NoneType") is type(None)


def test_literal_serializes_as_haystack_does_but_cannot_come_back() -> None:
    # Haystack writes Literal's values bare; reading them back fails there too.
    assert serialize_type(Literal["a", "b"]) == "typing.Literal[a, b]"
    with pytest.raises(DeserializationError, match="Could not deserialize type: a"):
        deserialize_type("typing.Literal[a, b]")


def test_haystack_names_are_read_as_pipeline_names() -> None:
    assert deserialize_type("haystack.dataclasses.document.Document") is Document
    assert deserialize_type("list[haystack.dataclasses.byte_stream.ByteStream]") == list[ByteStream]
    assert deserialize_type("haystack.dataclasses.ChatMessage | None") == ChatMessage | None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nope", "Could not deserialize type: Nope"),
        ("list[int", r"Could not deserialize type: list\[int"),
        ("list[]", r"Could not deserialize type: list\[\]"),
        ("pipeline.dataclasses.Nope", "Could not locate the type: Nope in the module: pipeline.dataclasses"),
        ("pipeline.no_such_module.Thing", "Could not import the module: pipeline.no_such_module"),
        ("typing.List[int, str]", r"Could not apply arguments \[<class 'int'>, <class 'str'>\] to type typing.List"),
    ],
)
def test_malformed_or_missing_types_fail_naming_the_string(text: str, message: str) -> None:
    with pytest.raises(DeserializationError, match=message):
        deserialize_type(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [("os.PathLike", "os.PathLike"), ("list[shutil.Error]", "shutil.Error"), ("str | this.Zen", "this.Zen")],
)
def test_types_from_modules_the_loader_does_not_allow_are_refused_before_importing(text: str, name: str) -> None:
    with pytest.raises(DeserializationError) as caught:
        deserialize_type(text)
    assert str(caught.value) == (
        f"'{name}' is not in an allowed module (allowed: pipeline, sample_pipelines); "
        "pass allowed_modules=[...] to load it from other packages"
    )
    assert "this" not in sys.modules  # importing `this` prints the Zen of Python: it was never imported


def test_allowed_modules_widen_what_may_be_imported() -> None:
    path = "tests.pipeline.utils.filters_for_tests.Filters"
    with pytest.raises(DeserializationError, match="not in an allowed module"):
        deserialize_type(path)
    from tests.pipeline.utils.filters_for_tests import Filters

    assert deserialize_type(path, allowed_modules=["tests.pipeline.utils"]) is Filters
    with _allowing(["tests"]):  # what Pipeline.loads(..., allowed_modules=[...]) sets while components load
        assert deserialize_type(f"list[{path}]") == list[Filters]


def test_a_deserialization_error_is_a_definition_error_with_the_haystack_name() -> None:
    from pipeline import DefinitionError

    error = DeserializationError("boom")
    assert isinstance(error, DefinitionError)
    assert str(error) == "boom"
