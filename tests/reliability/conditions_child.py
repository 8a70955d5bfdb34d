"""Evaluate one condition on 100k documents and print what happened as JSON (run as a child process)."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from pipeline import Document
from tui.state.conditions import Condition, ConditionError


def attack(text: str) -> dict[str, Any]:
    documents = [Document(content="x" * 100, id=str(index)) for index in range(100_000)]
    started = time.perf_counter()
    try:
        _, holds = Condition.compile(text).evaluate({"documents": documents})
        error = None
    except ConditionError as exc:
        holds, error = None, str(exc)
    return {"holds": holds, "error": error, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    print(json.dumps(attack(sys.argv[1])))
