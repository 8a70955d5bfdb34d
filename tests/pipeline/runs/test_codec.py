"""The run codec: every value type round-trips through JSON with its type; the rest is marked; secrets never leak."""

from __future__ import annotations

import datetime
import enum
import json
import math
import sys
from typing import Any

import numpy as np
import pytest

from pipeline import ChatMessage, Document, PipelineRuntimeError, StreamingChunk
from pipeline.core.events import (
    ChildSpan,
    ComponentCancelled,
    ComponentFailed,
    ComponentFinished,
    ComponentLogged,
    ComponentProgress,
    ComponentReady,
    ComponentStarted,
    ComponentWarmedUp,
    OutputsReplaced,
    RunCancelled,
    RunFailed,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from pipeline.dataclasses import ByteStream, ChatRole, ExtractedAnswer, GeneratedAnswer, TextContent, ToolCall
from pipeline.runs.codec import (
    EVENT_CLASSES,
    CodecError,
    Encoder,
    RecordedError,
    RecordedPipelineError,
    Unrepresentable,
    decode,
    decode_event,
    secrets_from_env,
)
from pipeline.utils import Secret


class Color(enum.Enum):
    RED = 1
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1


class Markup(str):
    """A str subclass, like a template engine's safe string."""


class Opaque:
    def __repr__(self) -> str:
        return "Opaque(42)"


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def to_json(value: Any, secrets: dict[str, str] | None = None) -> str:
    """What a recording writes: strict JSON (no NaN), as one line."""
    return json.dumps(Encoder(secrets or {}).encode(value), allow_nan=False, ensure_ascii=False)


def round_trip(value: Any, secrets: dict[str, str] | None = None) -> Any:
    return decode(json.loads(to_json(value, secrets)))


def assert_same(original: Any, decoded: Any) -> None:
    """Equal, and of the same type all the way down."""
    assert type(decoded) is type(original), (original, decoded)
    if isinstance(original, dict):
        assert list(decoded) == list(original)
        for key in original:
            assert_same(original[key], decoded[key])
    elif isinstance(original, list | tuple):
        assert len(decoded) == len(original)
        for left, right in zip(original, decoded, strict=True):
            assert_same(left, right)
    elif isinstance(original, float) and math.isnan(original):
        assert math.isnan(decoded)
    else:
        assert decoded == original


# -- plain values and containers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 2**80, 1.5, -0.0, 1e-300, "", "text", "ünïcödé ✓", "a\nb\x00c", "$type"],
)
def test_json_scalars_round_trip(value: Any) -> None:
    assert_same(value, round_trip(value))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_round_trip_as_strict_json(value: float) -> None:
    assert_same(value, round_trip(value))


def test_nested_containers_keep_their_types() -> None:
    value = {
        "list": [1, [2, [3, (4, 5)]], {"deep": {"deeper": [None]}}],
        "tuple": (1, "two", (3.0,), []),
        "set": {1, 2, 3},
        "frozenset": frozenset({"a", "b"}),
        "empty": [(), {}, set(), frozenset(), ""],
    }
    decoded = round_trip(value)
    assert_same(value["list"], decoded["list"])
    assert_same(value["tuple"], decoded["tuple"])
    assert decoded["set"] == value["set"] and type(decoded["set"]) is set
    assert decoded["frozenset"] == value["frozenset"] and type(decoded["frozenset"]) is frozenset
    assert_same(value["empty"][:2], decoded["empty"][:2])
    assert decoded["empty"][2:] == [set(), frozenset(), ""]


def test_dict_keys_that_are_not_strings_and_the_tag_key_itself() -> None:
    value = {1: "int", (1, 2): "tuple", None: "none", 2.5: "float", False: "bool", Color.RED: "enum"}
    assert_same(value, round_trip(value))
    tagged_lookalike = {"$type": "bytes", "b64": "not a value, a user dict"}
    assert_same(tagged_lookalike, round_trip(tagged_lookalike))


def test_bytes_and_bytearray() -> None:
    assert_same(b"\x00\xffbinary", round_trip(b"\x00\xffbinary"))
    assert_same(bytearray(b"abc"), round_trip(bytearray(b"abc")))


def test_dates_and_times() -> None:
    aware = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    for value in (
        datetime.datetime(2024, 5, 6, 7, 8, 9, 123456),
        aware,
        datetime.date(2024, 2, 29),
        datetime.time(23, 59, 1, 5),
        datetime.timedelta(days=-2, seconds=5, microseconds=7),
    ):
        assert_same(value, round_trip(value))
    assert round_trip(aware).utcoffset() == datetime.timedelta(hours=2)


def test_enums_resolve_when_their_module_is_loaded() -> None:
    value = [Color.RED, Color.GREEN, Level.LOW, ChatRole.ASSISTANT]
    decoded = round_trip(value)
    assert decoded == value
    assert decoded[0] is Color.RED and decoded[2] is Level.LOW


def test_an_enum_from_a_module_that_is_not_loaded_is_not_imported() -> None:
    stored = {"$type": "enum", "class": "not_loaded_module_xyz.Color", "name": "RED", "value": 1}
    decoded = decode(stored)
    assert decoded == Unrepresentable("not_loaded_module_xyz.Color", "Color.RED")
    assert "not_loaded_module_xyz" not in sys.modules


def test_subclasses_of_str_int_and_float_keep_their_value() -> None:
    assert_same("<b>safe</b>", round_trip(Markup("<b>safe</b>")))


# -- run values -----------------------------------------------------------------------------------------------


def test_documents_round_trip_with_a_compact_exact_embedding() -> None:
    embedding = np.random.default_rng(0).standard_normal(384).astype(np.float32).tolist()
    document = Document(content="The Colossus of Rhodes", meta={"page": 3, "tags": ("a", "b")}, score=0.75)
    document.embedding = embedding
    decoded = round_trip([document])[0]
    assert type(decoded) is Document
    assert decoded == document and decoded.id == document.id
    assert decoded.meta["tags"] == ("a", "b")
    stored = to_json(document)
    assert '"dtype":"f4"' in stored.replace(" ", "")
    assert len(stored) < 2600  # 384 float32 in base64 is 2048 characters; as JSON numbers it would be ~7,500


def test_an_embedding_that_float32_cannot_hold_exactly_is_stored_as_float64() -> None:
    embedding = [0.1 * index for index in range(32)]
    decoded = round_trip(Document(content="x", embedding=embedding))
    assert decoded.embedding == embedding
    assert '"dtype":"f8"' in to_json(embedding).replace(" ", "")
    assert_same(embedding, round_trip(embedding))  # a bare list of floats (a query embedding) is packed too


def test_a_document_with_numpy_values_and_no_embedding() -> None:
    document = Document(content=None, meta={"vector": np.arange(3)}, score=np.float32(0.5))
    decoded = round_trip(document)
    assert decoded.id == document.id and decoded.embedding is None and decoded.content is None
    assert type(decoded.score) is np.float32 and decoded.score == np.float32(0.5)
    assert np.array_equal(decoded.meta["vector"], np.arange(3))


def test_chat_messages_and_streaming_chunks() -> None:
    messages = [
        ChatMessage.from_system("Be brief."),
        ChatMessage.from_user("Hi", meta={"lang": "en"}, name="ada"),
        ChatMessage.from_assistant(None, meta={"usage": {"tokens": 3}}),
    ]
    decoded = round_trip(messages)
    assert decoded == messages
    assert decoded[1].role is ChatRole.USER and decoded[1].name == "ada"
    chunk = StreamingChunk("tok", meta={"index": 0, "finish": None})
    assert_same(chunk, round_trip(chunk))


def test_answers_and_byte_streams_round_trip() -> None:
    doc = Document(content="Rhodes", meta={"url": "u"}, score=0.5)
    values = [
        GeneratedAnswer(data="A statue.", query="What?", documents=[doc], meta={"model": "m"}),
        ExtractedAnswer(
            query="What?",
            score=0.9,
            data="statue",
            document=doc,
            document_offset=ExtractedAnswer.Span(2, 8),
            meta={"k": 1},
        ),
        ByteStream(b"\x00raw", meta={"file_path": "a.bin"}, mime_type="application/octet-stream"),
        Document(content="with a blob", blob=ByteStream(b"pdf", mime_type="application/pdf")),
    ]
    for value in values:
        decoded = round_trip(value)
        assert type(decoded) is type(value)
        assert decoded == value


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.arange(6, dtype=np.int64).reshape(2, 1, 3),
        np.array([True, False]),
        np.array([1 + 2j, 3j], dtype=np.complex64),
        np.array(["a", "bcd"]),
        np.array([[1.5, np.nan]], dtype=np.float64).T,  # not C-contiguous
        np.array(3.25),
        np.zeros((0, 5), dtype=np.uint8),
        np.array(["2024-01-01"], dtype="datetime64[D]"),
    ],
)
def test_numpy_arrays_keep_dtype_shape_and_values(array: np.ndarray) -> None:
    decoded = round_trip(array)
    assert isinstance(decoded, np.ndarray)
    assert decoded.dtype == array.dtype and decoded.shape == array.shape
    assert np.array_equal(decoded, array, equal_nan=array.dtype.kind in "fc")
    decoded.flat[:1] = decoded.flat[:1]  # writable, not a view on the decoded bytes


def test_numpy_object_arrays_and_scalars() -> None:
    objects = np.array([{"a": 1}, (1, 2), None], dtype=object)
    decoded = round_trip(objects)
    assert decoded.dtype == object and list(decoded) == [{"a": 1}, (1, 2), None]
    for scalar in (np.float32(1.25), np.int64(-3), np.bool_(True), np.uint8(255), np.float64(np.inf)):
        back = round_trip(scalar)
        assert type(back) is type(scalar) and back == scalar
    stamp = np.datetime64("2024-01-02T03:04")
    assert round_trip(stamp) == stamp and type(round_trip(stamp)) is np.datetime64


def test_anything_else_is_stored_as_its_repr_and_marked() -> None:
    decoded = round_trip({"client": Opaque(), "broken": BrokenRepr(), "fn": len})
    assert decoded["client"] == Unrepresentable(f"{__name__}.Opaque", "Opaque(42)")
    assert decoded["broken"] == Unrepresentable(f"{__name__}.BrokenRepr", "<repr failed: RuntimeError>")
    assert decoded["fn"].type_name == "builtin_function_or_method"
    assert round_trip(decoded["client"]) == decoded["client"]  # recording a replay keeps the marker as it was


def test_a_container_that_contains_itself_is_written_once() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    decoded = round_trip(loop)
    assert decoded[0] == 1 and isinstance(decoded[1], Unrepresentable)
    assert "contains itself" in decoded[1].repr
    shared = [1, 2]
    assert round_trip([shared, shared]) == [[1, 2], [1, 2]]  # shared, not cyclic: written twice


# -- errors ---------------------------------------------------------------------------------------------------


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


def test_an_exception_becomes_a_recorded_error_with_type_message_and_traceback() -> None:
    error = raised(KeyError("missing"))
    decoded = round_trip(error)
    assert isinstance(decoded, RecordedError) and not isinstance(decoded, PipelineRuntimeError)
    assert decoded.type_name == "KeyError" and str(decoded) == str(error) == "'missing'"
    assert "raise error" in decoded.traceback and decoded.traceback.endswith("KeyError: 'missing'\n")
    assert repr(decoded) == "RecordedError(KeyError: 'missing')"


def test_a_pipeline_runtime_error_stays_one() -> None:
    cause = raised(ValueError("bad value"))
    error = PipelineRuntimeError.from_exception("llm", Opaque, cause, {"retriever": {"documents": [Document("d")]}})
    decoded = round_trip(error)
    assert isinstance(decoded, RecordedPipelineError) and isinstance(decoded, PipelineRuntimeError)
    assert decoded.type_name == "pipeline.core.errors.PipelineRuntimeError"
    assert str(decoded) == str(error)
    assert decoded.component_name == "llm" and decoded.component_type is None
    assert decoded.component_type_path == f"{__name__}.Opaque"
    assert decoded.partial_outputs == error.partial_outputs
    assert isinstance(decoded.__cause__, RecordedError) and decoded.__cause__.type_name == "ValueError"
    assert "The above exception was the direct cause" in decoded.traceback
    again = round_trip(decoded)  # a replay recorded again keeps what the first recording knew
    assert (again.type_name, again.traceback, again.component_type_path) == (
        decoded.type_name,
        decoded.traceback,
        decoded.component_type_path,
    )


# -- secrets --------------------------------------------------------------------------------------------------


def test_an_env_var_secret_is_stored_as_its_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_API_KEY", "value-that-must-not-leak")
    secret = Secret.from_env_var(["MY_API_KEY", "FALLBACK_KEY"], strict=False)
    stored = to_json({"api_key": secret})
    assert "value-that-must-not-leak" not in stored
    decoded = round_trip({"api_key": secret})["api_key"]
    assert decoded == secret and decoded.resolve_value() == "value-that-must-not-leak"


def test_a_token_secret_is_never_written() -> None:
    stored = to_json([Secret.from_token("sk-token-in-code-123456")])
    assert "sk-token-in-code" not in stored
    decoded = decode(json.loads(stored))[0]
    assert decoded == Unrepresentable("pipeline.utils.auth.TokenSecret", "TokenSecret(<redacted>)")


def test_secret_environment_values_are_scrubbed_from_everything_written(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in secrets_from_env().values():  # whatever this machine's environment holds
        monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-0123456789")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_tokenvalue42")
    monkeypatch.setenv("SERVICE_SECRET", "s3cr3t-service")
    monkeypatch.setenv("DB_PASSWORD", "hunter2")
    monkeypatch.setenv("PLAIN_SETTING", "not-a-secret-value")
    secrets = secrets_from_env()
    assert set(secrets.values()) == {"OPENAI_API_KEY", "GITHUB_TOKEN", "SERVICE_SECRET", "DB_PASSWORD"}
    error = raised(RuntimeError("401 for key sk-openai-0123456789"))
    value = {
        "exact": "sk-openai-0123456789",
        "inside": "Authorization: Bearer ghp_tokenvalue42 sent",
        "sk-openai-0123456789": "as a dict key",
        "short": "hunter2",
        "short inside": "hunter2 appears here",
        "document": Document(content="leaked s3cr3t-service here"),
        "message": ChatMessage.from_user("sk-openai-0123456789"),
        "error": error,
        "repr": Opaque(),
        "bytes-free": ["not-a-secret-value"],
    }
    stored = Encoder().encode(value)
    text = json.dumps(stored)
    for leaked in ("sk-openai-0123456789", "ghp_tokenvalue42", "s3cr3t-service", '"hunter2"'):
        assert leaked not in text
    decoded = decode(stored)
    assert decoded["exact"] == "<redacted:OPENAI_API_KEY>"
    assert decoded["inside"] == "Authorization: Bearer <redacted:GITHUB_TOKEN> sent"
    assert decoded["<redacted:OPENAI_API_KEY>"] == "as a dict key"
    assert decoded["short"] == "<redacted:DB_PASSWORD>"
    assert decoded["short inside"] == "hunter2 appears here"  # short values are only scrubbed as whole strings
    assert decoded["document"].content == "leaked <redacted:SERVICE_SECRET> here"
    assert decoded["message"].text == "<redacted:OPENAI_API_KEY>"
    assert str(decoded["error"]) == "401 for key <redacted:OPENAI_API_KEY>"
    assert "sk-openai" not in decoded["error"].traceback
    assert decoded["bytes-free"] == ["not-a-secret-value"]


# -- events ---------------------------------------------------------------------------------------------------

EVENTS = [
    RunStarted(
        run_id="r",
        time=1.0,
        wall_time=1700000000.5,
        inputs={"a": {"x": (1, 2)}},
        concurrency_limit=4,
        include_outputs_from=frozenset({"a"}),
    ),
    ComponentWarmedUp(run_id="r", time=1.1, component="a", started_at=1.0, finished_at=1.05),
    ComponentStarted(run_id="r", time=1.2, visit_id=1, component="a", visit=1, inputs={"x": b"raw"}, mode="sync"),
    ComponentProgress(run_id="r", time=1.3, visit_id=1, component="a", done=1, total=None, message="half"),
    ComponentLogged(run_id="r", time=1.31, visit_id=1, component="a", level="info", logger="app.a", text="half way"),
    ComponentFinished(
        run_id="r",
        time=1.4,
        visit_id=1,
        component="a",
        visit=1,
        outputs={"docs": [Document(content="d")]},
        started_at=1.2,
        finished_at=1.35,
        mode="async",
        thread="MainThread",
    ),
    OutputsReplaced(run_id="r", time=1.5, visit_id=1, component="a", outputs={"docs": []}),
    ComponentCancelled(run_id="r", time=1.6, visit_id=2, component="b", visit=1, started_at=1.45, mode="async"),
    RunFinished(run_id="r", time=1.7, outputs={"a": {"docs": []}}, stranded={"c": ["x (from b.y)"]}),
    ChildSpan(
        run_id="r",
        time=1.3,
        visit_id=1,
        component="a",
        name="POST /v1/chat/completions",
        started_at=1.21,
        finished_at=1.3,
        attributes={"http.status_code": 500, "retries": [1, 2]},
        status="error",
        status_message="Internal Server Error",
        service="llm-gateway",
        span_id="00f067aa0ba902b7",
        parent_span_id="53995c3f42cd8ad8",
    ),
    RunPaused(run_id="r", time=1.31, reason="breakpoint", component="a", visit_id=1),
    RunResumed(run_id="r", time=1.32),
    ComponentReady(run_id="r", time=1.19, component="b", reason="limit"),
    ComponentWarmedUp(run_id="r", time=0.2, component="a", started_at=0.1, finished_at=0.2, waited=True),
    RunCancelled(run_id="r", time=1.8, outputs={}),
]


def test_every_event_class_round_trips() -> None:
    failed = ComponentFailed(
        run_id="r",
        time=2.0,
        visit_id=3,
        component="c",
        visit=1,
        error=raised(RuntimeError("boom")),
        traceback="Traceback ...",
        started_at=1.9,
        finished_at=1.95,
        mode="sync",
        thread="pipedebug-worker_0",
    )
    run_failed = RunFailed(run_id="r", time=2.1, error=PipelineRuntimeError("c", Opaque, "c failed", {}))
    encoder = Encoder({})
    for event in [*EVENTS, failed, run_failed]:
        decoded = decode_event(json.loads(json.dumps(encoder.encode_event(event))))
        assert type(decoded) is type(event)
        if isinstance(event, ComponentFailed | RunFailed):
            assert (decoded.error.type_name, str(decoded.error)) == (type_name_of(event.error), str(event.error))
            assert decoded.time == event.time
        else:
            assert decoded == event
    assert {type(event).__name__ for event in [*EVENTS, failed, run_failed]} == set(EVENT_CLASSES)


def type_name_of(error: BaseException) -> str:
    cls = type(error)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ([1, 2], "expected a JSON object"),
        ({"event": "Nope", "run_id": "r"}, "unknown event type 'Nope'"),
        ({"run_id": "r"}, "unknown event type None"),
        ({"event": "RunFinished", "run_id": "r", "time": 1.0}, "RunFinished lacks field(s): outputs"),
        ({"event": "RunCancelled", "run_id": "r", "time": "soon", "outputs": {}}, "RunCancelled.time cannot be str"),
        ({"event": "RunCancelled", "run_id": "r", "time": True, "outputs": {}}, "RunCancelled.time cannot be bool"),
        ({"event": "RunCancelled", "run_id": "r", "time": 1, "outputs": []}, "RunCancelled.outputs cannot be list"),
        ({"event": "RunCancelled", "run_id": "r", "time": 1, "outputs": {"$type": "x"}}, "unknown value type 'x'"),
        ({"event": "RunCancelled", "run_id": "r", "time": 1, "outputs": {"$type": "bytes"}}, "malformed 'bytes'"),
        ({"event": "RunCancelled", "run_id": "r", "time": 1, "outputs": {"$type": "bytes", "b64": "!!"}}, "malformed"),
    ],
)
def test_malformed_event_lines_raise_codec_errors(line: Any, message: str) -> None:
    with pytest.raises(CodecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_event(line)


def test_chat_message_content_parts_round_trip_in_haystacks_layout() -> None:
    call = ToolCall(tool_name="search", arguments={"q": "Rhodes", "when": (1, 2)}, id="c1")
    messages = [
        ChatMessage.from_assistant("Let me look.", tool_calls=[call], reasoning="Need facts.", meta={"n": 1}),
        ChatMessage.from_tool([TextContent("found")], origin=call, error=False),
    ]
    stored = Encoder({}).encode(messages)
    assert stored[0]["content"][0] == {"reasoning": {"reasoning_text": "Need facts.", "extra": {}}}
    assert stored[0]["content"][1] == {"text": "Let me look."}
    assert stored[0]["content"][2]["tool_call"]["arguments"]["when"] == {"$type": "tuple", "items": [1, 2]}
    assert decode(json.loads(json.dumps(stored))) == messages


def test_recordings_with_the_earlier_chat_message_layout_still_load() -> None:
    old = {"$type": "ChatMessage", "role": "assistant", "text": "Hi", "name": None, "meta": {"usage": {"n": 3}}}
    assert decode(old) == ChatMessage.from_assistant("Hi", meta={"usage": {"n": 3}})
    assert decode({**old, "text": None}) == ChatMessage.from_assistant(None, meta={"usage": {"n": 3}})
    with pytest.raises(CodecError, match="ChatMessage has no field 'colour'"):
        decode({**old, "colour": "red"})
    with pytest.raises(CodecError, match="malformed 'ChatMessage' value: ValueError: 'robot' is not a valid ChatRole"):
        decode({**old, "role": "robot"})


def test_a_message_to_dict_refuses_is_kept_as_its_repr() -> None:
    odd = ChatMessage(ChatRole.USER, ["a bare string is not a content part"])
    decoded = round_trip(odd)
    assert isinstance(decoded, Unrepresentable) and decoded.type_name.endswith("ChatMessage")
    assert "a bare string" in decoded.repr
