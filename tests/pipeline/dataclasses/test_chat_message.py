"""ChatMessage and its content parts as Haystack 2.31 has them; old layouts still load."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.dataclasses import ChatMessage, ChatRole, ReasoningContent, TextContent, ToolCall, ToolCallResult

CALL = ToolCall(tool_name="weather", arguments={"city": "Rhodes", "note": "ünïcode ☀"}, id="call_1")


def test_accessors_pick_parts_by_kind() -> None:
    message = ChatMessage.from_assistant("Checking.", tool_calls=[CALL], reasoning="Need the forecast.")
    assert message.role is ChatRole.ASSISTANT and len(message) == 3
    assert message._content == [ReasoningContent("Need the forecast."), TextContent("Checking."), CALL]
    assert message.text == "Checking." and message.texts == ["Checking."]
    assert message.tool_call == CALL and message.tool_calls == [CALL]
    assert message.reasoning == ReasoningContent("Need the forecast.", extra={})
    assert message.tool_call_result is None and message.tool_call_results == []
    empty = ChatMessage.from_assistant()
    assert empty.text is None and empty.texts == [] and empty.tool_call is None and len(empty) == 0
    tool = ChatMessage.from_tool("Sunny", origin=CALL)
    assert tool.role is ChatRole.TOOL and tool.tool_call_result == ToolCallResult("Sunny", CALL, error=False)
    assert tool.text is None


def test_from_user_takes_text_or_content_parts() -> None:
    assert ChatMessage.from_user(content_parts=["a", TextContent("b")]).texts == ["a", "b"]
    for kwargs, message in [
        ({}, "Either text or content_parts must be provided."),
        ({"text": "a", "content_parts": ["b"]}, "Only one of text or content_parts can be provided."),
        ({"content_parts": []}, "The user message must contain at least one content part (text, image, file)."),
    ]:
        with pytest.raises(ValueError) as error:
            ChatMessage.from_user(**kwargs)
        assert str(error.value) == message
    with pytest.raises(TypeError, match="The user message must contain only text or image parts. Unsupported part: 3"):
        ChatMessage.from_user(content_parts=[3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="reasoning must be a string or a ReasoningContent object, got <class 'int'>"):
        ChatMessage.from_assistant("x", reasoning=3)  # type: ignore[arg-type]


def test_to_dict_is_haystacks_layout_and_round_trips() -> None:
    message = ChatMessage.from_assistant("Hi", meta={"model": "m"}, name="bot", tool_calls=[CALL], reasoning="r")
    assert message.to_dict() == {
        "role": "assistant",
        "meta": {"model": "m"},
        "name": "bot",
        "content": [
            {"reasoning": {"reasoning_text": "r", "extra": {}}},
            {"text": "Hi"},
            {"tool_call": {"tool_name": "weather", "arguments": CALL.arguments, "id": "call_1", "extra": None}},
        ],
    }
    tool = ChatMessage.from_tool([TextContent("part")], origin=CALL, error=True)
    assert tool.to_dict()["content"] == [
        {"tool_call_result": {"result": [{"text": "part"}], "origin": CALL.to_dict(), "error": True}}
    ]
    for original in (message, tool, ChatMessage.from_user("u", meta={"k": 1}, name="ada")):
        assert ChatMessage.from_dict(original.to_dict()) == original


def test_from_dict_reads_older_layouts() -> None:
    expected = ChatMessage.from_user("Hi", meta={"k": 1}, name="ada")
    assert ChatMessage.from_dict({"role": "user", "content": "Hi", "meta": {"k": 1}, "name": "ada"}) == expected
    legacy_private = {"_role": "user", "_content": [{"text": "Hi"}], "_meta": {"k": 1}, "_name": "ada"}
    assert ChatMessage.from_dict(legacy_private) == expected
    pipedebug_before = {"role": "user", "text": "Hi", "name": "ada", "meta": {"k": 1}}
    assert ChatMessage.from_dict(pipedebug_before) == expected
    assert ChatMessage.from_dict({"role": "assistant", "text": None, "name": None, "meta": {}}) == (
        ChatMessage.from_assistant()
    )


def test_from_dict_errors() -> None:
    with pytest.raises(ValueError, match=r"The `role` field is required .* Received dictionary with keys: \['text'\]"):
        ChatMessage.from_dict({"text": "x"})
    with pytest.raises(ValueError, match=r"Missing 'content' or '_content' in serialized ChatMessage: `\{'role'"):
        ChatMessage.from_dict({"role": "user"})
    with pytest.raises(TypeError, match="Unsupported content type in serialized ChatMessage: `3`"):
        ChatMessage.from_dict({"role": "user", "content": 3})
    with pytest.raises(ValueError, match=r"Unsupported content part in the serialized ChatMessage: \{'image': 1\}"):
        ChatMessage.from_dict({"role": "user", "content": [{"image": 1}]})
    with pytest.raises(ValueError, match="Fields `result`, `origin`, `error` are required"):
        ToolCallResult.from_dict({"result": "x"})
    with pytest.raises(ValueError) as error:
        ChatRole.from_str("robot")
    assert str(error.value) == "Unknown chat role 'robot'. Supported roles are: ['user', 'system', 'assistant', 'tool']"


def test_to_dict_refuses_parts_it_does_not_know() -> None:
    with pytest.raises(TypeError, match="Unsupported type in ChatMessage content: `str` for `oops`"):
        ChatMessage(ChatRole.USER, ["oops"]).to_dict()  # type: ignore[list-item]


def test_openai_format() -> None:
    assert ChatMessage.from_user("Hi", name="ada").to_openai_dict_format() == {
        "role": "user",
        "name": "ada",
        "content": "Hi",
    }
    assert ChatMessage.from_user(content_parts=["a", "b"]).to_openai_dict_format() == {
        "role": "user",
        "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
    }
    assistant = ChatMessage.from_assistant("Checking.", tool_calls=[CALL], reasoning="hidden")
    assert assistant.to_openai_dict_format() == {
        "role": "assistant",
        "content": "Checking.",
        "tool_calls": [
            {
                "type": "function",
                "function": {"name": "weather", "arguments": '{"city": "Rhodes", "note": "ünïcode ☀"}'},
                "id": "call_1",
            }
        ],
    }
    assert ChatMessage.from_tool("Sunny", origin=CALL).to_openai_dict_format() == {
        "role": "tool",
        "content": "Sunny",
        "tool_call_id": "call_1",
    }
    no_id = replace(CALL, id=None)
    with pytest.raises(ValueError, match="`ToolCall` must have a non-null `id` attribute to be used with OpenAI."):
        ChatMessage.from_tool("Sunny", origin=no_id).to_openai_dict_format()
    assert "tool_call_id" not in ChatMessage.from_tool("S", origin=no_id).to_openai_dict_format(
        require_tool_call_ids=False
    )
    with pytest.raises(ValueError, match="must contain at least one `TextContent`, `ToolCall`"):
        ChatMessage.from_assistant().to_openai_dict_format()
    mixed = ChatMessage(ChatRole.TOOL, [ToolCallResult("x", CALL, False), TextContent("y")])
    with pytest.raises(ValueError, match="a `ChatMessage` with a `ToolCallResult` cannot contain any other content"):
        mixed.to_openai_dict_format()
