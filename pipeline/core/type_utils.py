"""Type rules for connections (checked at connect time) and for values edited by hand (checked at run time)."""

from __future__ import annotations

import collections.abc
import types
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

_UNION_ORIGINS = (Union, types.UnionType)


def _strip_annotated(type_: Any) -> Any:
    while get_origin(type_) is Annotated:
        type_ = get_args(type_)[0]
    return type_


def _union_members(type_: Any) -> tuple[Any, ...] | None:
    return get_args(type_) if get_origin(type_) in _UNION_ORIGINS else None


def types_are_compatible(sender: Any, receiver: Any) -> bool:
    """Whether every value of type `sender` is acceptable to a socket of type `receiver`.

    `Any` on either side is compatible, a union receiver accepts any of its members, a union sender needs all
    of its members accepted, generics compare origin and arguments, classes compare by subclassing.
    """
    sender, receiver = _strip_annotated(sender), _strip_annotated(receiver)
    if sender is Any or receiver is Any or sender == receiver:
        return True
    sender_members = _union_members(sender)
    if sender_members is not None:
        return all(types_are_compatible(member, receiver) for member in sender_members)
    receiver_members = _union_members(receiver)
    if receiver_members is not None:
        return any(types_are_compatible(sender, member) for member in receiver_members)

    sender_origin, receiver_origin = get_origin(sender), get_origin(receiver)
    if receiver_origin is Literal or sender_origin is Literal:
        if sender_origin is Literal and receiver_origin is Literal:
            return set(get_args(sender)) <= set(get_args(receiver))
        if sender_origin is Literal:
            return (
                all(isinstance(value, receiver) for value in get_args(sender)) if isinstance(receiver, type) else False
            )
        return False
    if sender_origin is None and receiver_origin is None:
        return isinstance(sender, type) and isinstance(receiver, type) and issubclass(sender, receiver)

    sender_base = sender_origin or sender
    receiver_base = receiver_origin or receiver
    if not (isinstance(sender_base, type) and isinstance(receiver_base, type)):
        return False
    if not issubclass(sender_base, receiver_base):
        return False
    receiver_args = get_args(receiver)
    if not receiver_args:
        return True
    sender_args = get_args(sender)
    if not sender_args or len(sender_args) != len(receiver_args):
        return False
    return all(
        types_are_compatible(s, r) or (s is Ellipsis and r is Ellipsis)
        for s, r in zip(sender_args, receiver_args, strict=True)
    )


def type_name(type_: Any) -> str:
    """A short readable name: `list[Document]`, `str | None`, `Any`."""
    type_ = _strip_annotated(type_)
    if type_ is Any:
        return "Any"
    if type_ is type(None):
        return "None"
    members = _union_members(type_)
    if members is not None:
        return " | ".join(type_name(member) for member in members)
    origin = get_origin(type_)
    if origin is Literal:
        return f"Literal[{', '.join(repr(arg) for arg in get_args(type_))}]"
    if origin is not None:
        args = ", ".join("..." if arg is Ellipsis else type_name(arg) for arg in get_args(type_))
        base = getattr(origin, "__name__", str(origin))
        return f"{base}[{args}]" if args else base
    return getattr(type_, "__name__", str(type_))


def value_matches_type(value: Any, type_: Any) -> bool:
    """Whether `value` conforms to `type_`, checking container elements; used to validate hand-edited outputs."""
    type_ = _strip_annotated(type_)
    if type_ is Any:
        return True
    if type_ is None or type_ is type(None):
        return value is None
    members = _union_members(type_)
    if members is not None:
        return any(value_matches_type(value, member) for member in members)
    origin = get_origin(type_)
    if origin is Literal:
        return value in get_args(type_)
    if origin is None:
        if type_ is float:
            return isinstance(value, int | float) and not isinstance(value, bool)
        return isinstance(type_, type) and isinstance(value, type_)
    if not isinstance(value, origin):
        return False
    args = get_args(type_)
    if not args:
        return True
    if issubclass(origin, collections.abc.Mapping):
        key_type, value_type = args
        return all(value_matches_type(k, key_type) and value_matches_type(v, value_type) for k, v in value.items())
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return all(value_matches_type(item, args[0]) for item in value)
        return len(value) == len(args) and all(value_matches_type(v, t) for v, t in zip(value, args, strict=True))
    if issubclass(origin, collections.abc.Iterable) and not isinstance(value, str | bytes):
        return all(value_matches_type(item, args[0]) for item in value)
    return True


class ConversionStrategy(Enum):
    """How a value is converted on a connection whose types differ only by str/ChatMessage or a list around them.

    These are Haystack's conversions: a `ChatMessage` becomes its text, a `str` a user message, a value is wrapped
    into a one-element list, or a one-element list of `str` / `ChatMessage` is unwrapped.
    """

    CHAT_MESSAGE_TO_STR = "chat_message_to_str"
    STR_TO_CHAT_MESSAGE = "str_to_chat_message"
    WRAP = "wrap"
    WRAP_CHAT_MESSAGE_TO_STR = "wrap_chat_message_to_str"
    WRAP_STR_TO_CHAT_MESSAGE = "wrap_str_to_chat_message"
    UNWRAP = "unwrap"
    UNWRAP_STR_TO_CHAT_MESSAGE = "unwrap_str_to_chat_message"
    UNWRAP_CHAT_MESSAGE_TO_STR = "unwrap_chat_message_to_str"


def _mentions(type_: Any, target: type) -> bool:
    """`type_` is `target` or a union that has it as a member."""
    return type_ is target or target in (_union_members(type_) or ())


def conversion_strategy(sender: Any, receiver: Any) -> ConversionStrategy | None:
    """The conversion that lets `sender` values reach a `receiver` socket, or None if there is none."""
    from pipeline.dataclasses.chat_message import ChatMessage

    sender, receiver = _strip_annotated(sender), _strip_annotated(receiver)
    sender_members = _union_members(sender)
    if sender_members is not None:  # every member must convert the same way
        strategies = {conversion_strategy(member, receiver) for member in sender_members}
        return strategies.pop() if len(strategies) == 1 else None
    receiver_members = _union_members(receiver)
    if receiver_members is not None:
        strategies = {conversion_strategy(sender, member) for member in receiver_members} - {None}
        for preferred in (ConversionStrategy.WRAP, ConversionStrategy.UNWRAP):
            if preferred in strategies:
                return preferred
        return strategies.pop() if strategies else None
    if sender is ChatMessage and receiver is str:
        return ConversionStrategy.CHAT_MESSAGE_TO_STR
    if sender is str and receiver is ChatMessage:
        return ConversionStrategy.STR_TO_CHAT_MESSAGE
    if get_origin(receiver) is list and get_args(receiver):
        inner = get_args(receiver)[0]
        if sender is not Any and types_are_compatible(sender, inner):
            return ConversionStrategy.WRAP
        if _mentions(sender, ChatMessage) and _mentions(inner, str):
            return ConversionStrategy.WRAP_CHAT_MESSAGE_TO_STR
        if _mentions(sender, str) and _mentions(inner, ChatMessage):
            return ConversionStrategy.WRAP_STR_TO_CHAT_MESSAGE
    if get_origin(sender) is list and get_args(sender):
        inner = get_args(sender)[0]
        # Only str and ChatMessage unwrap: unwrapping other lists would silently drop items.
        if get_origin(receiver) is not list and inner in (str, ChatMessage) and types_are_compatible(inner, receiver):
            return ConversionStrategy.UNWRAP
        inner_strategy = conversion_strategy(inner, receiver)
        if inner_strategy is ConversionStrategy.STR_TO_CHAT_MESSAGE:
            return ConversionStrategy.UNWRAP_STR_TO_CHAT_MESSAGE
        if inner_strategy is ConversionStrategy.CHAT_MESSAGE_TO_STR:
            return ConversionStrategy.UNWRAP_CHAT_MESSAGE_TO_STR
    return None


def _message_text(message: Any) -> str:
    if message.text is None:
        raise ValueError("Cannot convert `ChatMessage` to `str` because it has no text. ")
    return message.text


def _only_item(value: list[Any]) -> Any:
    if not value:
        raise ValueError("Cannot get first item of an empty list. ")
    if len(value) > 1:
        raise ValueError(
            f"Cannot unwrap a list of {len(value)} items to a single value: "
            "a list-to-scalar connection only accepts one-element lists; otherwise items would be silently dropped."
        )
    return value[0]


def convert_value(value: Any, strategy: ConversionStrategy) -> Any:
    """Apply a connection's conversion; raises `ValueError` when the value cannot be converted."""
    from pipeline.dataclasses.chat_message import ChatMessage

    match strategy:
        case ConversionStrategy.CHAT_MESSAGE_TO_STR:
            return _message_text(value)
        case ConversionStrategy.STR_TO_CHAT_MESSAGE:
            return ChatMessage.from_user(value)
        case ConversionStrategy.WRAP:
            return [value]
        case ConversionStrategy.WRAP_CHAT_MESSAGE_TO_STR:
            return [_message_text(value)]
        case ConversionStrategy.WRAP_STR_TO_CHAT_MESSAGE:
            return [ChatMessage.from_user(value)]
        case ConversionStrategy.UNWRAP:
            return _only_item(value)
        case ConversionStrategy.UNWRAP_STR_TO_CHAT_MESSAGE:
            return ChatMessage.from_user(_only_item(value))
        case ConversionStrategy.UNWRAP_CHAT_MESSAGE_TO_STR:
            return _message_text(_only_item(value))
