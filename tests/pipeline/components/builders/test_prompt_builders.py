"""Prompt builders: sandboxed rendering, variables as sockets, required variables, the seed's warning."""

from __future__ import annotations

import logging

import pytest
from jinja2.exceptions import SecurityError

from pipeline import AsyncPipeline, ChatMessage, Document, PipelineValidationError
from pipeline.components.builders import ChatPromptBuilder, PromptBuilder

SEED_TEMPLATE = """
Given the following information, answer the question.
Context:
{% for document in documents %}
{{ document.content }}
{% endfor %}
Question: {{question}}
Answer:
"""


def test_chat_prompt_builder_renders_the_seed_template() -> None:
    builder = ChatPromptBuilder(template=[ChatMessage.from_user(SEED_TEMPLATE)], required_variables=["question"])
    (message,) = builder.run(documents=[Document(content="Alpha."), Document(content="Beta.")], question="Why?")[
        "prompt"
    ]
    assert message.role.value == "user"
    assert "Alpha.\n\nBeta." in message.text
    assert message.text.rstrip().endswith("Question: Why?\nAnswer:")


def test_seed_warning_when_required_variables_is_unset(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        ChatPromptBuilder(template=[ChatMessage.from_user(SEED_TEMPLATE)])
    assert (
        "ChatPromptBuilder has 2 prompt variables, but `required_variables` is not set. By default, all prompt "
        "variables are treated as optional" in caplog.text
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        ChatPromptBuilder(template=[ChatMessage.from_user(SEED_TEMPLATE)], required_variables="*")
    assert caplog.text == ""


def test_variables_become_sockets_and_required_ones_are_mandatory() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("builder", ChatPromptBuilder(template=SEED_TEMPLATE, required_variables=["question"]))
    sockets = pipe.inputs()["builder"]
    assert sockets["question"]["is_mandatory"] and not sockets["documents"]["is_mandatory"]
    with pytest.raises(PipelineValidationError, match=r"Missing mandatory input\(s\): 'builder.question'"):
        pipe.run({"documents": []})
    result = pipe.run({"question": "Where?"})
    assert "Question: Where?" in result["builder"]["prompt"][0].text


def test_missing_required_variable_when_called_directly() -> None:
    builder = PromptBuilder(template="Hello {{ name }} from {{ place }}", required_variables="*")
    with pytest.raises(ValueError, match=r"Missing required input variables in PromptBuilder: place"):
        builder.run(name="Ada")


def test_required_variable_not_in_template_is_refused() -> None:
    with pytest.raises(ValueError, match=r"required_variables \['city'\] do not appear in the template"):
        PromptBuilder(template="Hello {{ name }}", required_variables=["city"])


def test_template_syntax_error_names_the_line() -> None:
    with pytest.raises(ValueError, match=r"PromptBuilder: template syntax error \(line 2\)"):
        PromptBuilder(template="first line\n{% for x in items %}\nno endfor")


def test_templates_render_in_a_sandbox() -> None:
    builder = PromptBuilder(template="{{ text.__class__.__mro__ }}")
    with pytest.raises(SecurityError):
        builder.run(text="x")
    unsafe = PromptBuilder(template="{{ cycler.__init__.__globals__ }}")
    with pytest.raises(SecurityError):
        unsafe.run()


def test_template_and_template_variables_can_be_given_per_run() -> None:
    builder = PromptBuilder(template="Hi {{ name }}")
    assert builder.run(name="Ada")["prompt"] == "Hi Ada"
    assert builder.run(template="Bye {{ name }}", name="Ada")["prompt"] == "Bye Ada"
    assert builder.run(name="Ada", template_variables={"name": "Grace"})["prompt"] == "Hi Grace"


def test_explicit_variables_declare_the_sockets() -> None:
    builder = ChatPromptBuilder(variables=["topic"])
    pipe = AsyncPipeline()
    pipe.add_component("builder", builder)
    assert {"topic", "template", "template_variables"} <= set(pipe.inputs()["builder"])
    prompt = builder.run(template=[ChatMessage.from_system("About {{ topic }}")], topic="Rhodes")["prompt"]
    assert prompt[0].text == "About Rhodes" and prompt[0].role.value == "system"


def test_round_trip_through_yaml() -> None:
    pipe = AsyncPipeline()
    pipe.add_component(
        "builder",
        ChatPromptBuilder(
            template=[ChatMessage.from_system("Be brief."), ChatMessage.from_user(SEED_TEMPLATE)],
            required_variables=["question"],
        ),
    )
    text = pipe.dumps()
    assert "text: |" in text  # multi-line templates stay readable in the file
    restored = AsyncPipeline.loads(text)
    assert restored.dumps() == text
    assert restored.run({"question": "Q"}) == pipe.run({"question": "Q"})
