"""The seed notebook's `WaitingComponent`: sleeps, then reports who it is. Makes concurrency visible."""

from __future__ import annotations

import asyncio
import time

from pipeline.core.component import component


@component
class WaitingComponent:
    """Sync component: `time.sleep(wait_time)` in a worker thread, then a message naming the component."""

    def __init__(self, name: str, wait_time: float = 1) -> None:
        self.name = name
        self.wait_time = wait_time

    @component.output_types(message=str)
    def run(self, user_msg: str) -> dict[str, str]:
        print(f"Component {self.name} starts running...")
        time.sleep(self.wait_time)
        print(f"Component {self.name} is done!")
        return {"message": f"Message from {self.name}"}


@component
class AsyncWaitingComponent:
    """Async variant: `await asyncio.sleep(wait_time)` on the event loop (`run` keeps the blocking version)."""

    def __init__(self, name: str, wait_time: float = 1) -> None:
        self.name = name
        self.wait_time = wait_time

    @component.output_types(message=str)
    def run(self, user_msg: str) -> dict[str, str]:
        time.sleep(self.wait_time)
        return {"message": f"Message from {self.name}"}

    @component.output_types(message=str)
    async def run_async(self, user_msg: str) -> dict[str, str]:
        print(f"Component {self.name} starts running...")
        await asyncio.sleep(self.wait_time)
        print(f"Component {self.name} is done!")
        return {"message": f"Message from {self.name}"}
