"""The edit modal on a bridged pipeline's sockets: Haystack's dataclasses as their `to_dict`, rebuilt with their
`from_dict` where the socket's (Haystack) type names them."""

from __future__ import annotations

import json
from typing import Any

from haystack.dataclasses import ChatMessage, Document, GeneratedAnswer
from textual.app import App
from textual.widgets import TextArea

from pipeline.runs.haystack_values import ForeignValue
from tests.tui.widgets.test_edit_sockets_screen import RESULT_UNSET, editor, error
from tui.screens.edit_sockets import EditSocketsScreen
from tui.state.socket_values import from_json, to_json

TYPES: dict[str, Any] = {"documents": list[Document], "replies": list[ChatMessage], "answer": GeneratedAnswer}


class HaystackEditApp(App[None]):
    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__()
        self.values = values
        self.result: object = RESULT_UNSET

    def on_mount(self) -> None:
        self.push_screen(EditSocketsScreen("retriever", self.values, TYPES), self.done)

    def done(self, result: dict[str, Any] | None) -> None:
        self.result = result


def test_haystack_values_round_trip_through_their_dicts() -> None:
    document = Document(content="Babylon", meta={"page": 1}, score=0.5)
    answer = GeneratedAnswer("gardens", "q", [document], {"k": 1})
    data = json.loads(json.dumps(to_json({"documents": [document], "answer": answer})))
    assert data["documents"] == [document.to_dict(flatten=False)]  # meta kept apart for editing
    assert from_json(data["documents"], list[Document]) == [document]
    assert from_json(data["answer"], GeneratedAnswer | None) == answer
    recorded = ForeignValue("haystack.dataclasses.document.Document", {"id": "d", "content": "c"})
    assert to_json([recorded]) == [{"id": "d", "content": "c"}]


async def test_edited_json_is_rebuilt_into_haystack_documents_and_messages() -> None:
    values = {
        "documents": [Document(content="Babylon", meta={"page": 1}, score=0.5)],
        "replies": [ChatMessage.from_assistant("In Iraq.")],
        "answer": GeneratedAnswer("gardens", "q", [], {}),
    }
    app = HaystackEditApp(values)
    async with app.run_test(size=(100, 40)) as pilot:
        documents = json.loads(editor(app, "documents").text)
        documents[0]["meta"]["page"] = 2
        editor(app, "documents").query_one(TextArea).load_text(json.dumps(documents))
        replies = editor(app, "replies").query_one(TextArea)
        replies.load_text('[{"role": "assistant", "text": "x"}]')  # a layout Haystack's from_dict refuses
        await pilot.pause()
        assert error(app, "replies").startswith("Missing 'content' or '_content' in serialized ChatMessage")
        replies.load_text('[{"role": "assistant", "content": [{"text": "x"}]}, 3]')
        await pilot.pause()
        assert error(app, "replies") == "item 1: expected ChatMessage, got int"
        editor(app, "replies").query_one(TextArea).load_text(
            '[{"role": "assistant", "content": [{"text": "Near Baghdad."}]}]'
        )
        await pilot.pause()
        await pilot.press("ctrl+s")
    assert isinstance(app.result, dict)
    [document] = app.result["documents"]
    assert type(document) is Document and document.meta == {"page": 2} and document.score == 0.5
    assert app.result["replies"] == [ChatMessage.from_assistant("Near Baghdad.")]
    assert app.result["answer"] is values["answer"]
