"""JSON encoding of the values a run carries, so recordings load back with their types.

Plain JSON values (str, int, finite float, bool, None, lists, dicts with string keys) are written as they are.
Everything else becomes a tagged object, `{"$type": TAG, ...}`: documents, chat messages, streaming chunks,
numpy arrays and scalars, bytes, dates and times, tuples, sets, enums, non-finite floats, dicts whose keys are
not strings (or that hold the tag key), and exceptions. Long lists of floats (embeddings) are packed as base64
float32 when that is exact, float64 otherwise. Anything else is kept as its repr and decodes to an
`Unrepresentable`, never to an imitation of the original. Haystack's own dataclasses (a bridged pipeline's
values) are stored as their type path and `to_dict` data, and read back with `from_dict`, or as a
`ForeignValue` where haystack-ai is not installed (see `pipeline.runs.haystack_values`).

Decoding never imports code a recording names: an enum class resolves only if its module is already loaded or
lies in `pipeline`/`sample_pipelines`. Secrets are never written: an env-var `Secret` is stored as the names of
its variables, a token `Secret` as a redaction marker, and every string written has the current values of
secret-looking environment variables replaced by `<redacted:NAME>`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import importlib
import math
import os
import sys
import traceback
from array import array
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Literal

from pipeline.core.errors import PipelineRuntimeError
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
    RunEvent,
    RunFailed,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from pipeline.core.serialization import DEFAULT_ALLOWED_MODULES
from pipeline.dataclasses import (
    ByteStream,
    ChatMessage,
    Document,
    ExtractedAnswer,
    GeneratedAnswer,
    StreamingChunk,
)
from pipeline.runs.haystack_values import ForeignValue, from_haystack_dict, haystack_to_dict, haystack_type_path
from pipeline.utils.auth import EnvVarSecret, Secret

TAG = "$type"
SECRET_ENV_SUFFIXES = ("_KEY", "_TOKEN", "_SECRET", "PASSWORD")
"""Environment variables whose names end like this hold secrets; their values never reach a recording."""
MIN_SUBSTRING_SECRET = 8
"""Secret values at least this long are also scrubbed inside longer strings (tracebacks, reprs, prompts);
shorter ones only where a whole string equals them, so `PASSWORD=1` does not redact every digit 1."""
MIN_PACKED_FLOATS = 16
"""Lists of at least this many floats are packed as base64: embeddings, not a handful of scores."""

_TEMPORAL: dict[str, Any] = {"datetime": datetime.datetime, "date": datetime.date, "time": datetime.time}
_DATACLASSES: dict[str, type] = {
    "Document": Document,
    "StreamingChunk": StreamingChunk,
    "ByteStream": ByteStream,
    "GeneratedAnswer": GeneratedAnswer,
    "ExtractedAnswer": ExtractedAnswer,
    "ExtractedAnswer.Span": ExtractedAnswer.Span,
}
EVENT_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        RunStarted,
        ComponentWarmedUp,
        ComponentReady,
        ComponentStarted,
        ComponentProgress,
        ComponentLogged,
        ComponentFinished,
        OutputsReplaced,
        ComponentFailed,
        ComponentCancelled,
        RunFinished,
        RunFailed,
        RunCancelled,
        ChildSpan,
        RunPaused,
        RunResumed,
    )
}
_EVENT_FIELDS = {cls: dataclasses.fields(cls) for cls in EVENT_CLASSES.values()}


class CodecError(ValueError):
    """A stored value or event cannot be decoded: a malformed tag, a missing field, a field of the wrong kind."""


@dataclasses.dataclass(frozen=True, slots=True)
class Unrepresentable:
    """A value the codec could not store as itself: its type and repr, as they were when it was recorded."""

    type_name: str
    repr: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.repr}>"


class RecordedError(Exception):
    """An exception as a recording keeps it: the original type's name, its message and its formatted traceback.

    `str()` gives the original message, so error lines read the same in a replay as they did live.
    """

    def __init__(self, type_name: str, message: str, traceback: str = "") -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message
        self.traceback = traceback

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.type_name}: {self.message})"


class RecordedPipelineError(RecordedError, PipelineRuntimeError):
    """A recorded `PipelineRuntimeError`: consumers checking for one (and reading `partial_outputs`) still work.

    `component_type` is None: the class is named in `component_type_path` instead of being imported.
    """

    def __init__(
        self,
        type_name: str,
        message: str,
        traceback: str = "",
        *,
        component_name: str | None = None,
        component_type_path: str | None = None,
        partial_outputs: dict[str, Any] | None = None,
    ) -> None:
        PipelineRuntimeError.__init__(self, component_name, None, message, partial_outputs)
        self.type_name = type_name
        self.message = message
        self.traceback = traceback
        self.component_type_path = component_type_path


def secrets_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current values of secret-looking environment variables, each mapped to its variable's name."""
    environ = os.environ if environ is None else environ
    return {
        value: name
        for name, value in environ.items()
        if value and (name == "OPENAI_API_KEY" or name.upper().endswith(SECRET_ENV_SUFFIXES))
    }


def type_path(cls: type) -> str:
    """`module.Qualname`, or just the name for builtins (`RuntimeError`, `set`)."""
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


class Encoder:
    """Turns run values into JSON values, scrubbing the given secret values from every string it writes."""

    def __init__(self, secrets: Mapping[str, str] | None = None) -> None:
        """`secrets` maps secret values to the names they are redacted as; by default `secrets_from_env()`."""
        self._secrets = dict(secrets_from_env() if secrets is None else secrets)
        self._long_secrets = sorted(
            ((value, name) for value, name in self._secrets.items() if len(value) >= MIN_SUBSTRING_SECRET),
            key=lambda item: -len(item[0]),
        )
        self._open: set[int] = set()
        """Containers being encoded, to write a cycle as a marker instead of recursing forever."""

    def scrub(self, text: str) -> str:
        if not self._secrets:
            return text
        name = self._secrets.get(text)
        if name is not None:
            return f"<redacted:{name}>"
        for value, name in self._long_secrets:
            if value in text:
                text = text.replace(value, f"<redacted:{name}>")
        return text

    def encode(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self.scrub(value)
        if value is None or kind is bool or kind is int:
            return value
        if kind is float:
            return value if math.isfinite(value) else {TAG: "float", "value": repr(value)}
        if kind is list:
            return self._container(value, self._list)
        if kind is dict:
            return self._container(value, self._dict)
        return self._other(value)

    def encode_event(self, event: RunEvent) -> dict[str, Any]:
        """`{"event": ClassName, field: value, ...}`, every field encoded."""
        line: dict[str, Any] = {"event": type(event).__name__}
        for field in _EVENT_FIELDS[type(event)]:
            line[field.name] = self.encode(getattr(event, field.name))
        return line

    def _container(self, value: Any, encode: Callable[[Any], Any]) -> Any:
        if id(value) in self._open:
            return self._repr_marker(value, f"<cycle: a {type(value).__name__} that contains itself>")
        self._open.add(id(value))
        try:
            return encode(value)
        finally:
            self._open.discard(id(value))

    def _list(self, value: list[Any]) -> Any:
        if len(value) >= MIN_PACKED_FLOATS and set(map(type, value)) == {float}:
            return _pack_floats(value)
        return [self.encode(item) for item in value]

    def _dict(self, value: Mapping[Any, Any]) -> Any:
        if TAG not in value and all(type(key) is str for key in value):
            return {self.scrub(key): self.encode(item) for key, item in value.items()}
        return {TAG: "dict", "items": [[self.encode(key), self.encode(item)] for key, item in value.items()]}

    def _items(self, tag: str, value: Any) -> dict[str, Any]:
        return {TAG: tag, "items": [self.encode(item) for item in value]}

    def _other(self, value: Any) -> Any:
        if isinstance(value, Enum):
            return {TAG: "enum", "class": type_path(type(value)), "name": value.name, "value": self.encode(value.value)}
        if isinstance(value, Secret):
            return self._secret(value)
        if isinstance(value, ChatMessage):
            return self._chat_message(value)
        haystack_path = haystack_type_path(value)
        if haystack_path is not None:
            return self._haystack(value, haystack_path)
        if isinstance(value, ForeignValue):
            return {TAG: "haystack", "class": value.type_path, "data": self.encode(value.data)}
        for tag, cls in _DATACLASSES.items():
            if isinstance(value, cls):
                return self._dataclass(value, cls, tag)
        if isinstance(value, BaseException):
            return self._container(value, self._error)
        if isinstance(value, Unrepresentable):
            return {TAG: "repr", "type": value.type_name, "repr": self.scrub(value.repr)}
        if type(value).__module__ == "numpy":
            encoded = self._numpy(value)
            if encoded is not None:
                return encoded
        if isinstance(value, str):  # subclasses of str, int and float (markup strings, ...) keep their value
            return self.scrub(str.__str__(value))
        if isinstance(value, int | float):
            return self.encode(int(value) if isinstance(value, int) else float(value))
        if isinstance(value, tuple):
            return self._container(value, lambda items: self._items("tuple", items))
        if isinstance(value, list):
            return self._container(value, self._list)
        if isinstance(value, dict):
            return self._container(value, self._dict)
        if isinstance(value, set | frozenset):
            tag = "frozenset" if isinstance(value, frozenset) else "set"
            return self._container(value, lambda items: self._items(tag, items))
        if isinstance(value, bytes | bytearray):
            tag = "bytearray" if isinstance(value, bytearray) else "bytes"
            return {TAG: tag, "b64": base64.b64encode(value).decode("ascii")}
        for tag, cls in _TEMPORAL.items():  # datetime first: it is a date too
            if isinstance(value, cls):
                return {TAG: tag, "iso": cls.isoformat(value)}
        if isinstance(value, datetime.timedelta):
            return {TAG: "timedelta", "seconds": value.days * 86400 + value.seconds, "us": value.microseconds}
        return self._repr_marker(value)

    def _secret(self, secret: Secret) -> dict[str, Any]:
        if isinstance(secret, EnvVarSecret):
            return {TAG: "secret", "env_vars": [self.scrub(name) for name in secret.env_vars], "strict": secret.strict}
        return {TAG: "repr", "type": type_path(type(secret)), "repr": f"{type(secret).__name__}(<redacted>)"}

    def _dataclass(self, value: Any, cls: type, tag: str) -> dict[str, Any]:
        encoded: dict[str, Any] = {TAG: tag}
        for field in dataclasses.fields(cls):
            encoded[field.name] = self.encode(getattr(value, field.name))
        return encoded

    def _chat_message(self, message: ChatMessage) -> dict[str, Any]:
        """`ChatMessage.to_dict()`'s layout, its content parts and meta encoded like any other value; a message
        holding parts `to_dict` refuses (built by hand) is kept as its repr rather than stopping the recording."""
        try:
            as_dict = message.to_dict()
        except (TypeError, ValueError):
            return self._repr_marker(message)
        return {
            TAG: "ChatMessage",
            "role": as_dict["role"],
            "content": self.encode(as_dict["content"]),
            "name": self.encode(message.name),
            "meta": self.encode(message.meta),
        }

    def _haystack(self, value: Any, path: str) -> dict[str, Any]:
        """A Haystack dataclass as its type path and its `to_dict` data, encoded like any other value; one whose
        `to_dict` refuses is kept as its repr rather than stopping the recording."""
        try:
            data = haystack_to_dict(value)
        except Exception:
            return self._repr_marker(value)
        return {TAG: "haystack", "class": path, "data": self.encode(data)}

    def _error(self, error: BaseException) -> dict[str, Any]:
        if isinstance(error, RecordedError):
            type_name, text = error.type_name, error.traceback
        else:
            type_name, text = type_path(type(error)), "".join(traceback.format_exception(error))
        encoded: dict[str, Any] = {
            TAG: "error",
            "type": self.scrub(type_name),
            "message": self.scrub(str(error)),
            "traceback": self.scrub(text),
            "cause": None if error.__cause__ is None else self.encode(error.__cause__),
        }
        if isinstance(error, PipelineRuntimeError):
            component_type = getattr(error, "component_type_path", None) or (
                type_path(error.component_type) if error.component_type is not None else None
            )
            encoded["runtime"] = {
                "component": error.component_name,
                "component_type": component_type,
                "partial_outputs": self.encode(error.partial_outputs),
            }
        return encoded

    def _numpy(self, value: Any) -> dict[str, Any] | None:
        numpy = sys.modules["numpy"]
        if isinstance(value, numpy.generic) and value.dtype.kind in "biuf":
            return {TAG: "npscalar", "dtype": value.dtype.name, "value": self.encode(value.item())}
        array_value = numpy.asarray(value) if isinstance(value, numpy.generic) else value
        if not isinstance(array_value, numpy.ndarray):
            return None
        encoded: dict[str, Any] = {TAG: "ndarray", "dtype": array_value.dtype.str, "shape": list(array_value.shape)}
        if isinstance(value, numpy.generic):
            encoded["scalar"] = True
        if array_value.dtype.kind == "O":
            encoded["items"] = self._container(array_value, lambda a: [self.encode(i) for i in a.ravel().tolist()])
        elif array_value.dtype.kind in "biufcmMSU" and array_value.dtype.fields is None:
            data = numpy.ascontiguousarray(array_value).tobytes()
            encoded["b64"] = base64.b64encode(data).decode("ascii")
        else:
            return None
        return encoded

    def _repr_marker(self, value: Any, text: str | None = None) -> dict[str, Any]:
        if text is None:
            try:
                text = repr(value)
            except Exception as exc:  # a broken __repr__ must not stop a recording
                text = f"<repr failed: {type(exc).__name__}>"
        return {TAG: "repr", "type": type_path(type(value)), "repr": self.scrub(text)}


def _pack_floats(values: list[float]) -> dict[str, Any]:
    """Little-endian float32 when every value survives it exactly (model embeddings do), float64 otherwise."""
    packed = array("f", values)
    if packed.tolist() != values:
        packed = array("d", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return {TAG: "floats", "dtype": "f4" if packed.typecode == "f" else "f8", "n": len(values), "b64": _b64(packed)}


def _b64(packed: array) -> str:
    return base64.b64encode(packed.tobytes()).decode("ascii")


# -- decoding -------------------------------------------------------------------------------------------------


def decode(data: Any) -> Any:
    """The inverse of `Encoder.encode`; raises `CodecError` on a malformed tagged value."""
    kind = type(data)
    if kind is list:
        return [decode(item) for item in data]
    if kind is dict:
        tag = data.get(TAG)
        if tag is None:
            return {key: decode(item) for key, item in data.items()}
        decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
        if decoder is None:
            raise CodecError(f"unknown value type {tag!r}")
        try:
            return decoder(data)
        except CodecError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
            raise CodecError(f"malformed {tag!r} value: {type(exc).__name__}: {exc}") from exc
    return data


def decode_event(line: Any) -> RunEvent:
    """One event line back into its event class; raises `CodecError` if it is not a well-formed event."""
    if not isinstance(line, dict):
        raise CodecError(f"expected a JSON object, got {type(line).__name__}")
    name = line.get("event")
    cls = EVENT_CLASSES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise CodecError(f"unknown event type {name!r}")
    values: dict[str, Any] = {}
    missing = []
    for field in _EVENT_FIELDS[cls]:
        if field.name in line:
            value = values[field.name] = decode(line[field.name])
            check = _FIELD_CHECKS.get(field.name)
            if check is not None and not check(value):
                raise CodecError(f"{name}.{field.name} cannot be {_describe(value)}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            missing.append(field.name)
    if missing:
        raise CodecError(f"{name} lacks field(s): {', '.join(missing)}")
    return cls(**values)


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _is_int(value: Any) -> bool:
    return type(value) is int


_FIELD_CHECKS: dict[str, Callable[[Any], bool]] = {
    "run_id": lambda value: type(value) is str,
    "component": lambda value: type(value) is str,
    "thread": lambda value: type(value) is str,
    "traceback": lambda value: type(value) is str,
    "message": lambda value: type(value) is str,
    "time": _is_number,
    "wall_time": _is_number,
    "started_at": _is_number,
    "finished_at": _is_number,
    "visit_id": _is_int,
    "visit": _is_int,
    "concurrency_limit": _is_int,
    "done": _is_int,
    "total": lambda value: value is None or _is_int(value),
    "mode": lambda value: value in ("sync", "async"),
    "reused": lambda value: type(value) is bool,
    "waited": lambda value: type(value) is bool,
    "reason": lambda value: type(value) is str,
    "held_visit_id": _is_int,
    "inputs": lambda value: type(value) is dict,
    "outputs": lambda value: type(value) is dict,
    "stranded": lambda value: type(value) is dict,
    "include_outputs_from": lambda value: type(value) is frozenset,
    "error": lambda value: isinstance(value, BaseException),
    "name": lambda value: type(value) is str,
    "attributes": lambda value: type(value) is dict,
    "status": lambda value: value in ("unset", "ok", "error"),
    "status_message": lambda value: type(value) is str,
    "service": lambda value: type(value) is str,
    "span_id": lambda value: type(value) is str,
    "parent_span_id": lambda value: type(value) is str,
    "level": lambda value: type(value) is str,
    "logger": lambda value: type(value) is str,
    "text": lambda value: type(value) is str,
}
"""What each event field must hold once decoded, so a damaged line is reported instead of breaking a viewer."""


def _decode_floats(data: dict[str, Any]) -> list[float]:
    typecodes: dict[str, Literal["f", "d"]] = {"f4": "f", "f8": "d"}
    packed = array(typecodes[data["dtype"]])
    packed.frombytes(base64.b64decode(data["b64"], validate=True))
    if sys.byteorder == "big":
        packed.byteswap()
    if len(packed) != data["n"]:
        raise CodecError(f"packed floats hold {len(packed)} values, the header says {data['n']}")
    return packed.tolist()


def _decode_dict(data: dict[str, Any]) -> dict[Any, Any]:
    result = {}
    for key, value in data["items"]:
        key, value = decode(key), decode(value)
        try:
            result[key] = value
        except TypeError:  # an unhashable key (a list where a tuple was) cannot come from a real dict
            raise CodecError(f"unhashable dict key {key!r}") from None
    return result


def _decode_dataclass(data: dict[str, Any]) -> Any:
    cls = _DATACLASSES[data[TAG]]
    names = {field.name for field in dataclasses.fields(cls) if field.init}
    values = {}
    for key, value in data.items():
        if key == TAG:
            continue
        if key not in names:
            raise CodecError(f"{data[TAG]} has no field {key!r}")
        values[key] = decode(value)
    return cls(**values)


def _decode_chat_message(data: dict[str, Any]) -> ChatMessage:
    """Today's layout (`content` parts) or the one recordings had before (`text`): `from_dict` reads both."""
    unknown = set(data) - {TAG, "role", "content", "text", "name", "meta"}
    if unknown:
        raise CodecError(f"ChatMessage has no field {sorted(unknown)[0]!r}")
    return ChatMessage.from_dict({key: decode(value) for key, value in data.items() if key != TAG})


def _decode_haystack(data: dict[str, Any]) -> Any:
    path = data["class"]
    if type(path) is not str:
        raise CodecError(f"a haystack value's class must be a string, got {type(path).__name__}")
    return from_haystack_dict(path, decode(data["data"]))


def _decode_enum(data: dict[str, Any]) -> Any:
    cls = _loaded_class(data["class"])
    if isinstance(cls, type) and issubclass(cls, Enum) and data["name"] in cls.__members__:
        return cls[data["name"]]
    return Unrepresentable(data["class"], f"{data['class'].rpartition('.')[2]}.{data['name']}")


def _loaded_class(path: str) -> Any:
    """The class at `path` if its module is loaded already or is one of ours; never imports anything else."""
    module_name, _, qualname = path.rpartition(".")
    module = sys.modules.get(module_name)
    if module is None and any(module_name.partition(".")[0] == allowed for allowed in DEFAULT_ALLOWED_MODULES):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return None
    target: Any = module
    for part in qualname.split("."):
        target = getattr(target, part, None)
    return target


def _decode_error(data: dict[str, Any]) -> RecordedError:
    runtime = data.get("runtime")
    error: RecordedError
    if runtime is None:
        error = RecordedError(data["type"], data["message"], data["traceback"])
    else:
        partial = decode(runtime["partial_outputs"])
        if type(partial) is not dict:
            raise CodecError(f"partial_outputs must be a dict, got {type(partial).__name__}")
        error = RecordedPipelineError(
            data["type"],
            data["message"],
            data["traceback"],
            component_name=runtime["component"],
            component_type_path=runtime["component_type"],
            partial_outputs=partial,
        )
    cause = data.get("cause")
    if cause is not None:
        error.__cause__ = decode(cause)
    return error


def _decode_ndarray(data: dict[str, Any]) -> Any:
    import numpy

    shape = tuple(data["shape"])
    if "items" in data:
        array_value = numpy.empty(len(data["items"]), dtype=object)
        array_value[:] = [decode(item) for item in data["items"]]
        array_value = array_value.reshape(shape)
    else:
        raw = base64.b64decode(data["b64"], validate=True)
        array_value = numpy.frombuffer(raw, dtype=numpy.dtype(data["dtype"])).reshape(shape).copy()
    return array_value[()] if data.get("scalar") else array_value


def _decode_npscalar(data: dict[str, Any]) -> Any:
    import numpy

    return numpy.dtype(data["dtype"]).type(decode(data["value"]))


def _decode_timedelta(data: dict[str, Any]) -> datetime.timedelta:
    return datetime.timedelta(seconds=data["seconds"], microseconds=data["us"])


_DECODERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "float": lambda data: float(data["value"]),
    "dict": _decode_dict,
    "tuple": lambda data: tuple(decode(item) for item in data["items"]),
    "set": lambda data: {decode(item) for item in data["items"]},
    "frozenset": lambda data: frozenset(decode(item) for item in data["items"]),
    "bytes": lambda data: base64.b64decode(data["b64"], validate=True),
    "bytearray": lambda data: bytearray(base64.b64decode(data["b64"], validate=True)),
    "datetime": lambda data: datetime.datetime.fromisoformat(data["iso"]),
    "date": lambda data: datetime.date.fromisoformat(data["iso"]),
    "time": lambda data: datetime.time.fromisoformat(data["iso"]),
    "timedelta": _decode_timedelta,
    "floats": _decode_floats,
    "enum": _decode_enum,
    "secret": lambda data: Secret.from_env_var(list(data["env_vars"]), strict=data["strict"]),
    "error": _decode_error,
    "ndarray": _decode_ndarray,
    "npscalar": _decode_npscalar,
    "repr": lambda data: Unrepresentable(data["type"], data["repr"]),
    **dict.fromkeys(_DATACLASSES, _decode_dataclass),
    "ChatMessage": _decode_chat_message,
    "haystack": _decode_haystack,
}
