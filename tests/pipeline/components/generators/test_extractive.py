"""The offline extractive answerer: quotes the context sentences closest to the question."""

from __future__ import annotations

import pytest

from pipeline import AsyncPipeline, ChatMessage, Document, StreamingChunk
from pipeline.components.builders import ChatPromptBuilder
from pipeline.components.generators.chat.extractive import ExtractiveChatGenerator, sentences_of, split_prompt

PROMPT = """
Given the following information, answer the question.
Context:
The Colossus of Rhodes was a bronze statue of the sun god Helios. It stood about 33 metres tall near the harbour.

The Lighthouse of Alexandria stood on the island of Pharos. Its fire guided ships at night.
Question: What did the Colossus of Rhodes look like?
Answer:
"""


def test_split_prompt_finds_question_and_context() -> None:
    question, context = split_prompt(PROMPT)
    assert question == "What did the Colossus of Rhodes look like?"
    assert "Helios" in context and "Question" not in context


def test_sentences_are_split_and_deduplicated() -> None:
    assert sentences_of("One two three four. One two three four. Short. Is this a question? Five six seven eight!") == [
        "One two three four.",
        "Five six seven eight!",
    ]


def test_answer_quotes_the_most_relevant_sentences_and_says_it_is_offline() -> None:
    chunks: list[StreamingChunk] = []
    generator = ExtractiveChatGenerator(top_sentences=1)
    (reply,) = generator.run([ChatMessage.from_user(PROMPT)], streaming_callback=chunks.append)["replies"]
    assert reply.text == "The Colossus of Rhodes was a bronze statue of the sun god Helios."
    assert reply.meta["offline"] is True and reply.meta["mode"] == "extractive"
    assert reply.meta["sources"][0]["sentence"] == reply.text
    assert "".join(chunk.content for chunk in chunks) == reply.text


def test_no_context_or_no_user_message() -> None:
    generator = ExtractiveChatGenerator()
    (reply,) = generator.run([ChatMessage.from_user("Question: Why?\nAnswer:")])["replies"]
    assert reply.text == "I found no context to answer from." and reply.meta["offline"]
    with pytest.raises(ValueError, match="needs at least one user message"):
        generator.run([ChatMessage.from_system("You are terse.")])


async def test_async_callbacks_are_refused_clearly() -> None:
    async def callback(chunk: StreamingChunk) -> None:
        pass

    with pytest.raises(TypeError, match="regular \\(sync\\) callback"):
        ExtractiveChatGenerator().run([ChatMessage.from_user(PROMPT)], streaming_callback=callback)


def test_in_a_pipeline_after_the_prompt_builder() -> None:
    pipe = AsyncPipeline()
    pipe.add_component(
        "prompt_builder",
        ChatPromptBuilder(
            template=[
                ChatMessage.from_user(
                    "Context:\n{% for d in documents %}{{ d.content }}\n{% endfor %}Question: {{ question }}\nAnswer:"
                )
            ],
            required_variables=["question"],
        ),
    )
    pipe.add_component("llm", ExtractiveChatGenerator(top_sentences=1))
    pipe.connect("prompt_builder.prompt", "llm.messages")
    docs = [Document(content="The Mausoleum at Halicarnassus was the tomb of Mausolus, a Persian satrap.")]
    result = pipe.run({"question": "Whose tomb was the Mausoleum?", "documents": docs})
    assert "tomb of Mausolus" in result["llm"]["replies"][0].text
