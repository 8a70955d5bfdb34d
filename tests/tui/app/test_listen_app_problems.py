"""`pipedebug listen` with the app: the receiver's problems are notifications while the app owns the terminal
(a warning line on stderr would never be seen), and lines on stderr again once it has quit."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pipeline.runs.otlp_receiver import OtlpReceiver, ReceiverSettings
from tests.tui.app.conftest import wait_for
from tui.app import PipedebugApp
from tui.commands.listen import Problems, open_app


def test_a_rejected_request_while_the_app_runs_is_a_notification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = Problems()
    receiver = OtlpReceiver(ReceiverSettings(port=0), tmp_path, on_problem=problems).start()
    shown: list[str] = []

    def run_headless(app: PipedebugApp) -> None:
        """`app.run()` as `open_app` calls it, driven headless instead of on the terminal."""

        async def drive() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                garbage = urllib.request.Request(receiver.url, b"\xff not a trace", {"Content-Type": "text/plain"})
                with pytest.raises(urllib.error.HTTPError):
                    await asyncio.to_thread(urllib.request.urlopen, garbage, timeout=5)
                await wait_for(pilot, lambda: len(app._notifications) > 0, "a notification")
                await asyncio.to_thread(problems, "trace 1f: 9 span(s) and no pipeline run span: dropped")
                await wait_for(pilot, lambda: len(app._notifications) > 1, "the second notification")
                shown.extend(f"{note.title}: {note.message}" for note in app._notifications)

        asyncio.run(drive())

    monkeypatch.setattr(PipedebugApp, "run", run_headless)
    assert open_app(receiver, problems=problems) == 0

    assert len(shown) == 2 and shown[0].startswith("OTLP receiver: 127.0.0.1: 4")  # a 4xx, said in the app
    assert shown[1] == "OTLP receiver: trace 1f: 9 span(s) and no pipeline run span: dropped"  # from another thread
    assert capsys.readouterr().err == ""
    problems("a later problem")  # the app has quit: a line on stderr again
    assert capsys.readouterr().err == "warning: a later problem\n"
