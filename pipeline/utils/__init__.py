from pipeline.core.errors import DeserializationError, SerializationError
from pipeline.utils.auth import EnvVarSecret, Secret, TokenSecret
from pipeline.utils.callable_serialization import deserialize_callable, serialize_callable
from pipeline.utils.type_serialization import deserialize_type, serialize_type

__all__ = [
    "DeserializationError",
    "EnvVarSecret",
    "Secret",
    "SerializationError",
    "TokenSecret",
    "deserialize_callable",
    "deserialize_type",
    "serialize_callable",
    "serialize_type",
]
