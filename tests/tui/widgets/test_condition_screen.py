"""The condition modal: checked as it is typed, a caret under the column at fault, Enter accepts, Escape cancels."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Static

from tui.screens.condition import ConditionScreen

RESULT_UNSET = object()


class ConditionApp(App[None]):
    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.result: object = RESULT_UNSET

    def on_mount(self) -> None:
        self.push_screen(ConditionScreen("retriever", ["documents"], self.text), self.done)

    def done(self, result: str | None) -> None:
        self.result = result


def status(app: App[None]) -> str:
    return str(app.screen.query_one("#condition-status", Static).content)


async def test_an_error_is_shown_with_a_caret_under_its_column_and_enter_keeps_the_modal() -> None:
    app = ConditionApp()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press(*"len(docs) < 3")
        assert status(app) == "len(docs) < 3\n    ^ unknown name 'docs'; did you mean 'documents'?"
        assert app.screen.query_one("#condition-status").has_class("-invalid")
        await pilot.press("enter")
        assert isinstance(app.screen, ConditionScreen)
        assert app.result is RESULT_UNSET


async def test_enter_accepts_a_valid_condition() -> None:
    app = ConditionApp()
    async with app.run_test(size=(100, 20)) as pilot:
        app.screen.query_one(Input).value = "len(documents) < 3"
        await pilot.pause()
        assert status(app) == "✓ valid"
        await pilot.press("enter")
        assert app.result == "len(documents) < 3"
        assert not isinstance(app.screen, ConditionScreen)


async def test_an_empty_condition_means_unconditional() -> None:
    app = ConditionApp("len(documents) > 1")
    async with app.run_test(size=(100, 20)) as pilot:
        app.screen.query_one(Input).value = "   "
        await pilot.pause()
        assert status(app) == "No condition: break on every visit."
        await pilot.press("enter")
        assert app.result == ""


async def test_escape_cancels() -> None:
    app = ConditionApp("len(documents) > 1")
    async with app.run_test(size=(100, 20)) as pilot:
        assert app.screen.query_one(Input).value == "len(documents) > 1"
        await pilot.press("escape")
        assert app.result is None
        assert not isinstance(app.screen, ConditionScreen)
