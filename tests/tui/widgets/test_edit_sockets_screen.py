"""The edit-outputs modal: JSON per socket, rebuilt into documents and messages, validated by socket type."""

from __future__ import annotations

import json
from typing import Any

from textual.app import App
from textual.widgets import Static, TextArea

from pipeline.dataclasses import ChatMessage, Document
from tui.screens.edit_sockets import EditSocketsScreen, SocketEditor
from tui.state.socket_values import from_json, mismatch, to_json

RESULT_UNSET = object()
OUTPUT_TYPES: dict[str, Any] = {
    "documents": list[Document],
    "replies": list[ChatMessage],
    "count": int,
    "label": str,
    "score": float,
    "extra": dict,
}


def outputs() -> dict[str, Any]:
    return {
        "documents": [Document(content="Babylon", meta={"page": 1}, score=0.5)],
        "replies": [ChatMessage.from_assistant("In Iraq.")],
        "count": 1,
        "label": "gardens",
        "score": 0.5,
        "extra": {"tags": ["a"]},
    }


class EditApp(App[None]):
    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__()
        self.values = values
        self.result: object = RESULT_UNSET

    def on_mount(self) -> None:
        self.push_screen(EditSocketsScreen("retriever", self.values, OUTPUT_TYPES), self.done)

    def done(self, result: dict[str, Any] | None) -> None:
        self.result = result


def editor(app: App[None], socket: str) -> SocketEditor:
    return next(e for e in app.screen.query(SocketEditor).results(SocketEditor) if e.socket == socket)


def error(app: App[None], socket: str) -> str:
    return str(editor(app, socket).query_one(".socket-error", Static).content)


def test_json_round_trip_by_socket_type() -> None:
    document = Document(content="x", meta={"k": 1}, embedding=[0.1, 0.2])
    message = ChatMessage.from_user("hi", name="me")
    data = json.loads(json.dumps(to_json({"docs": [document], "reply": message, "pair": (1, "a")})))
    assert data["reply"] == {"role": "user", "meta": {}, "name": "me", "content": [{"text": "hi"}]}
    assert from_json(data["docs"], list[Document]) == [document]
    assert from_json(data["reply"], ChatMessage | None) == message
    assert from_json(None, list[ChatMessage] | None) is None
    assert from_json({"a": data["docs"]}, dict[str, list[Document]]) == {"a": [document]}
    assert from_json(data["pair"], tuple[int, str]) == (1, "a")
    old_layout = [{"role": "user", "text": "x"}]
    assert from_json(old_layout, list[ChatMessage] | str) == [ChatMessage.from_user("x")]
    assert mismatch([document, "x"], list[Document]) == "item 1: expected Document, got str"


async def test_saving_untouched_outputs_keeps_the_original_values() -> None:
    values = outputs()
    app = EditApp(values)
    async with app.run_test(size=(100, 40)) as pilot:
        text = editor(app, "documents").text
        assert json.loads(text) == [values["documents"][0].to_dict()]
        assert json.loads(editor(app, "replies").text) == [
            {"role": "assistant", "meta": {}, "name": None, "content": [{"text": "In Iraq."}]}
        ]
        await pilot.press("ctrl+s")
    assert isinstance(app.result, dict)
    assert all(app.result[socket] is values[socket] for socket in values)


async def test_edited_json_is_rebuilt_into_documents_and_messages() -> None:
    app = EditApp(outputs())
    async with app.run_test(size=(100, 40)) as pilot:
        documents = json.loads(editor(app, "documents").text)
        documents.append({"content": "Giza", "score": 0.25})
        editor(app, "documents").query_one(TextArea).load_text(json.dumps(documents))
        editor(app, "replies").query_one(TextArea).load_text('[{"role": "assistant", "text": "Near Baghdad."}]')
        editor(app, "count").query_one(TextArea).load_text("2")
        await pilot.pause()
        await pilot.press("ctrl+s")
    assert isinstance(app.result, dict)
    assert [d.content for d in app.result["documents"]] == ["Babylon", "Giza"]
    assert all(isinstance(d, Document) for d in app.result["documents"])
    assert app.result["replies"] == [ChatMessage.from_assistant("Near Baghdad.")]
    assert app.result["count"] == 2


async def test_errors_are_shown_inline_and_block_saving_until_fixed() -> None:
    app = EditApp(outputs())
    async with app.run_test(size=(100, 40)) as pilot:
        editor(app, "count").query_one(TextArea).load_text('"two"')
        editor(app, "documents").query_one(TextArea).load_text('[{"content": "a", "title": "b"}]')
        editor(app, "replies").query_one(TextArea).load_text('[{"role": "assistant",}]')
        editor(app, "label").query_one(TextArea).load_text("3")
        await pilot.pause()
        assert error(app, "count") == "expected int, got str"
        assert error(app, "documents") == "Unknown Document field(s): title."
        assert error(app, "replies") == "line 1, column 23: Expecting property name enclosed in double quotes"
        assert error(app, "label") == "expected str, got int"
        assert error(app, "score") == ""
        assert editor(app, "count").has_class("-invalid")

        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EditSocketsScreen)
        assert app.result is RESULT_UNSET
        assert app.focused is editor(app, "documents").query_one(TextArea), "the first invalid socket"

        for socket, text in (("count", "2"), ("documents", "[]"), ("replies", "[]"), ("label", '"3"')):
            editor(app, socket).query_one(TextArea).load_text(text)
        editor(app, "score").query_one(TextArea).load_text("1")  # an int is a float here, as in the engine
        await pilot.pause()
        assert not editor(app, "count").has_class("-invalid")
        await pilot.press("ctrl+s")
    assert isinstance(app.result, dict)
    assert (app.result["count"], app.result["documents"], app.result["label"], app.result["score"]) == (2, [], "3", 1)


async def test_escape_cancels() -> None:
    app = EditApp(outputs())
    async with app.run_test(size=(100, 40)) as pilot:
        editor(app, "count").query_one(TextArea).load_text("5")
        await pilot.press("escape")
    assert app.result is None
