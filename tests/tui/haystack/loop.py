"""A loop written with haystack-ai: a BranchJoiner feeds a custom component whose output a ConditionalRouter sends
back round until it is long enough. A sync `Pipeline`, so it also shows our `Pipeline` running a bridged one."""

from __future__ import annotations

from haystack import Pipeline
from haystack.components.joiners import BranchJoiner
from haystack.components.routers import ConditionalRouter

from tests.tui.haystack.components import Grow

ROUTES = [
    {"condition": "{{ text|length < 20 }}", "output": "{{ text }}", "output_name": "again", "output_type": str},
    {"condition": "{{ text|length >= 20 }}", "output": "{{ text }}", "output_name": "done", "output_type": str},
]


def build_pipeline() -> Pipeline:
    pipe = Pipeline(metadata={"example_inputs": [{"joiner": {"value": "draft"}}]})
    pipe.add_component("joiner", BranchJoiner(str))
    pipe.add_component("grow", Grow())
    pipe.add_component("router", ConditionalRouter(ROUTES))
    pipe.connect("joiner.value", "grow.text")
    pipe.connect("grow.text", "router.text")
    pipe.connect("router.again", "joiner.value")
    return pipe
