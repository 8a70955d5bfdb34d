"""`Pipeline` and `AsyncPipeline`: the graph plus ways to run it, all of them views over `events()`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, Self, TextIO, TypeVar

from pipeline.core.errors import DefinitionError, PipelineRuntimeError
from pipeline.core.events import ComponentFinished, RunFailed, RunFinished
from pipeline.core.graph import PipelineGraph
from pipeline.core.marshal import dumps_yaml, line_of, loads_yaml
from pipeline.core.plan import ExecutionPlan
from pipeline.core.scheduler import WAITED, PipelineRun, WarmUp
from pipeline.core.serialization import pipeline_to_dict, populate_pipeline

ResultT = TypeVar("ResultT")


def run_blocking(make_coroutine: Callable[[], Coroutine[Any, Any, ResultT]]) -> ResultT:
    """Run a coroutine to completion from synchronous code, even if this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipedebug-run") as pool:
        return pool.submit(asyncio.run, make_coroutine()).result()


class PipelineBase(PipelineGraph):
    _trace_operation = "haystack.async_pipeline.run"
    """The name of a run's span, as Haystack names it for this class."""
    _in_rounds = False
    """Schedule in rounds, as Haystack's `Pipeline` does (see `PipelineRun`)."""

    def __init__(
        self,
        metadata: dict[str, Any] | None = None,
        max_runs_per_component: int = 100,
        connection_type_validation: bool = True,
    ) -> None:
        super().__init__(metadata, max_runs_per_component, connection_type_validation)
        self._plan: ExecutionPlan | None = None
        self._plan_version = -1
        self._warmed: set[str] = set()
        self._warm_locks: dict[str, threading.Lock] = {}

    # -- running ---------------------------------------------------------------------------------------------

    def events(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        include_outputs_from: Iterable[str] | None = None,
        concurrency_limit: int = 4,
        reuse_outputs: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
        override_inputs: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
        capture_logs: bool = False,
    ) -> PipelineRun:
        """Start a run and return its event stream; inputs are validated now, before anything runs.

        `reuse_outputs` and `override_inputs` (keyed by `(component, visit)`) fork a recorded run: reused visits
        hand on their recorded outputs without executing, overridden ones run with the given inputs.
        """
        self.accept_caller_inputs(data or {})
        return PipelineRun(
            self._execution_plan(),
            dict(data or {}),
            include_outputs_from=frozenset(include_outputs_from or ()),
            concurrency_limit=concurrency_limit,
            max_runs_per_component=self.max_runs_per_component,
            warm_ups=self._pending_warm_ups(),
            reuse_outputs=reuse_outputs,
            override_inputs=override_inputs,
            trace_operation=self._trace_operation,
            metadata=self.metadata,
            in_rounds=self._in_rounds,
            capture_logs=capture_logs,
        )

    async def _final_outputs(
        self, data: Mapping[str, Any], include_outputs_from: Iterable[str] | None, concurrency_limit: int
    ) -> dict[str, Any]:
        async with self.events(
            data, include_outputs_from=include_outputs_from, concurrency_limit=concurrency_limit
        ) as run:
            async for event in run:
                if isinstance(event, RunFinished):
                    return event.outputs
                if isinstance(event, RunFailed):
                    raise event.error
        raise PipelineRuntimeError(None, None, "The run ended without a final event.")

    def prepare(self) -> None:
        """Compile the execution plan now (it is kept until the graph changes), so that the first run does not:
        for 1000 components it takes about 0.1 s, which a debugger would otherwise spend on its event loop."""
        self._execution_plan()

    def _execution_plan(self) -> ExecutionPlan:
        if self._plan is None or self._plan_version != self._version:
            self._plan = ExecutionPlan(self)
            self._plan_version = self._version
        return self._plan

    def _pending_warm_ups(self) -> dict[str, WarmUp]:
        """One callable per component that has a `warm_up()` not yet run; each returns whether it ran it."""
        pending = {}
        for name, instance in self.walk():
            warm_up = getattr(instance, "warm_up", None)
            if callable(warm_up) and name not in self._warmed:
                pending[name] = self._warm_up_once(name, warm_up)
        return pending

    def _warm_up_once(self, name: str, warm_up: Callable[[], Any]) -> WarmUp:
        lock = self._warm_locks.setdefault(name, threading.Lock())

        def run_once() -> bool | Literal["waited"]:
            """True if it warmed the component up; WAITED if another caller was doing it and it waited."""
            waited = not lock.acquire(blocking=False)
            if waited:
                lock.acquire()
            try:
                if name in self._warmed:
                    return WAITED if waited else False
                warm_up()
                self._warmed.add(name)
                return True
            finally:
                lock.release()

        return run_once

    def warm_up(self) -> None:
        """Warm up every component now (runs also do this, off the event loop, before the first component)."""
        for run_once in self._pending_warm_ups().values():
            run_once()

    # -- serialization ---------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return pipeline_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, allowed_modules: Iterable[str] = ()) -> Self:
        pipeline = cls()
        populate_pipeline(pipeline, data, allowed_modules)
        return pipeline

    def dumps(self) -> str:
        return dumps_yaml(self.to_dict())

    @classmethod
    def loads(cls, text: str, *, source: str = "<string>", allowed_modules: Iterable[str] = ()) -> Self:
        data, lines = loads_yaml(text, source)
        try:
            return cls.from_dict(data, allowed_modules=allowed_modules)
        except DefinitionError as exc:
            raise exc.located(source, line_of(lines, exc.key_path)) from exc.__cause__

    def dump(self, fp: TextIO | str | Path) -> None:
        if isinstance(fp, str | Path):
            Path(fp).write_text(self.dumps(), encoding="utf-8")
        else:
            fp.write(self.dumps())

    @classmethod
    def load(cls, fp: TextIO | str | Path, *, allowed_modules: Iterable[str] = ()) -> Self:
        if isinstance(fp, str | Path):
            path = Path(fp)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise DefinitionError(f"cannot read the file: {exc.strerror or exc}", (), str(path)) from exc
            except UnicodeDecodeError as exc:
                raise DefinitionError(
                    f"the file is not UTF-8 text: {exc.reason} at byte {exc.start}", (), str(path)
                ) from exc
            return cls.loads(text, source=str(path), allowed_modules=allowed_modules)
        return cls.loads(fp.read(), source=getattr(fp, "name", "<stream>"), allowed_modules=allowed_modules)


class Pipeline(PipelineBase):
    """Runs one component at a time, like Haystack's `Pipeline`; same graph, same events."""

    _trace_operation = "haystack.pipeline.run"
    _in_rounds = True

    def run(self, data: Mapping[str, Any] | None = None, include_outputs_from: Iterable[str] | None = None) -> dict:
        return run_blocking(lambda: self._final_outputs(data or {}, include_outputs_from, concurrency_limit=1))


class AsyncPipeline(PipelineBase):
    """Runs independent branches concurrently: async components on the loop, sync ones in worker threads."""

    async def run_async_generator(
        self,
        data: Mapping[str, Any],
        include_outputs_from: Iterable[str] | None = None,
        concurrency_limit: int = 4,
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield `{component: outputs}` as each component finishes, then the final pipeline outputs.

        Yielded outputs are those no connection consumes, or all of a component's outputs if it is named in
        `include_outputs_from`; components with nothing to report yield nothing.
        """
        include = frozenset(include_outputs_from or ())
        async with self.events(data, include_outputs_from=include, concurrency_limit=concurrency_limit) as run:
            async for event in run:
                if isinstance(event, ComponentFinished):
                    exposed = run.exposed_outputs(event)
                    if exposed:
                        yield {event.component: exposed}
                elif isinstance(event, RunFinished):
                    yield event.outputs
                elif isinstance(event, RunFailed):
                    raise event.error

    async def run_async(
        self,
        data: Mapping[str, Any],
        include_outputs_from: Iterable[str] | None = None,
        concurrency_limit: int = 4,
    ) -> dict[str, Any]:
        return await self._final_outputs(data, include_outputs_from, concurrency_limit)

    def run(
        self,
        data: Mapping[str, Any],
        include_outputs_from: Iterable[str] | None = None,
        concurrency_limit: int = 4,
    ) -> dict[str, Any]:
        """Blocking drop-in for `Pipeline.run` that still runs branches concurrently."""
        return run_blocking(lambda: self._final_outputs(data, include_outputs_from, concurrency_limit))
