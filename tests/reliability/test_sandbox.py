"""Templates from pipeline files trying to leave jinja2's sandbox (PromptBuilder, ChatPromptBuilder,
ConditionalRouter, OutputAdapter), or to exhaust memory: refused with a clear error, nothing runs."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2.exceptions import SecurityError

from pipeline import AsyncPipeline, DefinitionError
from pipeline.components.builders import ChatPromptBuilder, PromptBuilder
from pipeline.components.converters import OutputAdapter
from pipeline.components.routers import ConditionalRouter
from pipeline.dataclasses import ChatMessage
from tests.reliability.conftest import ROOT

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ joiner.__init__.__globals__['__builtins__']['eval']('1') }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ x.__class__.__base__.__subclasses__() }}",
    "{{ x.mro() }}",
    "{{ ''.format.__self__ }}",
    "{{ '{0.__class__.__mro__}'.format(x) }}",
    "{{ x|attr('__class__') }}",
]


def render_prompt(template: str) -> Any:
    return PromptBuilder(template=template).run(x="text")["prompt"]


def render_chat(template: str) -> Any:
    return ChatPromptBuilder(template=[ChatMessage.from_user(template)]).run(x="text")["prompt"]


def render_chat_string(template: str) -> Any:
    chat = "{% message role='user' %}" + template + "{% endmessage %}"
    return ChatPromptBuilder(template=chat).run(x="text")["prompt"]


def route(template: str) -> Any:
    routes = [{"condition": template, "output": "{{ x }}", "output_name": "out", "output_type": str}]
    return ConditionalRouter(routes=routes).run(x="text")


def route_unsafe(template: str) -> Any:
    routes = [{"condition": "{{ true }}", "output": template, "output_name": "out", "output_type": str}]
    return ConditionalRouter(routes=routes, unsafe=True).run(x="text")


def adapt(template: str) -> Any:
    return OutputAdapter(template=template, output_type=str).run(x="text")


RENDERERS: dict[str, Callable[[str], Any]] = {
    "PromptBuilder": render_prompt,
    "ChatPromptBuilder": render_chat,
    "ChatPromptBuilder(string)": render_chat_string,
    "ConditionalRouter": route,
    "ConditionalRouter(unsafe)": route_unsafe,
    "OutputAdapter": adapt,
}


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("template", ESCAPES)
def test_templates_cannot_reach_python_internals(
    renderer: str, template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    try:
        result = RENDERERS[renderer](template)
    except SecurityError:
        result = None
    except Exception:  # the component's own wrapping of the sandbox's refusal, or an undefined name
        result = None
    assert not (tmp_path / "PWNED").exists()
    text = str(result)
    for leaked in ("<class 'object'>", "subclasses", "<module", "uid=", "function", "built-in", "Context"):
        assert leaked not in text, (renderer, template, text)


def limited_child(code: str) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        preexec_fn=limit,
    )


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'a' * 10 ** 10 }}",
        "{{ 7 ** 1000000000 }}",
        "{{ 'a'.ljust(10 ** 10) }}",
        "{{ 'a' | center(10 ** 10) }}",
        "{{ '%0999999999d' | format(1) }}",
        "{{ [0] * 10 ** 10 }}",
        "{{ '%0999999999d' % 1 }}",
        "{{ '{:>9999999999}'.format(1) }}",
        "{{ range(10 ** 10) | list }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    ],
)
@pytest.mark.parametrize("renderer", ["PromptBuilder", "OutputAdapter", "ConditionalRouter"])
def test_templates_that_would_exhaust_memory_or_time_are_refused(template: str, renderer: str) -> None:
    result = limited_child(
        f"""
        import time
        from tests.reliability.test_sandbox import RENDERERS
        started = time.perf_counter()
        try:
            RENDERERS[{renderer!r}]({template!r})
            print("RENDERED")
        except MemoryError:
            print("MEMORY")
        except Exception as exc:
            print("REFUSED", type(exc).__name__, exc)
        print(time.perf_counter() - started)
        """
    )
    assert result.returncode == 0, result.stderr[-2000:]
    verdict, seconds = result.stdout.strip().splitlines()
    assert verdict.startswith("REFUSED"), verdict
    assert float(seconds) < (10.0 if "for" in template else 1.0)


def test_a_yaml_pipeline_cannot_name_a_dangerous_custom_filter(tmp_path: Path) -> None:
    definition = {
        "components": {
            "router": {
                "type": "pipeline.components.routers.conditional_router.ConditionalRouter",
                "init_parameters": {
                    "routes": [
                        {"condition": "{{ x|run }}", "output": "{{ x }}", "output_name": "o", "output_type": "str"}
                    ],
                    "custom_filters": {"run": "os.system"},
                },
            }
        },
        "connections": [],
    }
    path = tmp_path / "filters.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(path)
    assert "os" in str(info.value) and "allowed" in str(info.value)
    assert f"{path}:" in str(info.value)
