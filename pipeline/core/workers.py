"""Worker threads for sync components that never hold the process hostage.

Python cannot interrupt a thread. A sync component that hangs (a socket without a timeout, a deadlock) keeps its
worker thread busy for as long as it hangs, whatever the run does. `concurrent.futures.ThreadPoolExecutor`
makes that fatal: its threads are not daemons, and the interpreter joins them on exit, so a process whose run was
stopped could never exit. `WorkerThreads` is the same pool with daemon threads: a stopped run abandons a hung
visit (the scheduler gives it `STOP_GRACE_SECONDS`, then reports it cancelled and discards whatever it returns
later), the thread keeps running until the component returns, and the process can still exit, ending it.
"""

from __future__ import annotations

import itertools
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

_Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class WorkerThreads(Executor):
    """A pool of at most `max_workers` daemon threads named `{prefix}_{n}`, started as work arrives.

    As in `ThreadPoolExecutor`, the threads hold no reference to the pool: a pool dropped without `shutdown()`
    (a run abandoned mid-way) is collected, and its idle threads end.
    """

    def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
        self._max_workers = max_workers
        self._prefix = thread_name_prefix
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._shutdown = False
        self._numbers = itertools.count()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._queue.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._max_workers:
                wake = self._queue

                def collected(_: weakref.ref[WorkerThreads]) -> None:
                    wake.put(None)

                thread = threading.Thread(
                    target=_work,
                    args=(weakref.ref(self, collected), self._queue, self._idle),
                    name=f"{self._prefix}_{next(self._numbers)}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Idle threads end at once; a busy one ends when its work returns (or with the process, if it never
        does). `wait` joins them, which a hung component would make endless: the scheduler never waits."""
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while True:
                    try:
                        work = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if work is not None:
                        work[0].cancel()
            self._queue.put(None)  # each thread that takes it puts it back for the next
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()


def _work(
    pool: weakref.ref[WorkerThreads], work_queue: queue.SimpleQueue[_Work | None], idle: threading.Semaphore
) -> None:
    """Run queued work until the pool is shut down or collected; `None` in the queue says to look."""
    while True:
        work = work_queue.get()
        if work is not None:
            future, fn, args, kwargs = work
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del work, future, fn, args, kwargs
            idle.release()
            continue
        owner = pool()
        if owner is None or owner._shutdown:
            work_queue.put(None)  # wake the next thread, which ends too
            return
        del owner
