"""`ExtractiveChatGenerator`: an offline stand-in for an LLM that quotes the context instead of generating.

With no endpoint configured, the hybrid RAG sample still answers: the reply is made of the sentences of the
prompt's context that are closest to the question by embedding. Each reply's meta says it is offline and
extractive, so nobody mistakes it for a model's answer.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np

from pipeline.components.embedders.backend import DEFAULT_MODEL, encode, load_model
from pipeline.core.component import component
from pipeline.dataclasses import ChatMessage, ChatRole, StreamingChunk, SyncStreamingCallbackT

_QUESTION = re.compile(r"Question:\s*(?P<question>.+?)\s*(?:\n\s*Answer:|\Z)", re.DOTALL | re.IGNORECASE)
_CONTEXT = re.compile(r"Context:\s*(?P<context>.*?)(?:\n\s*Question:|\Z)", re.DOTALL | re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
_MIN_WORDS = 4


def split_prompt(prompt: str) -> tuple[str, str]:
    """`(question, context)` from a RAG prompt with `Context:` and `Question:` sections (as the seed's)."""
    question_match = _QUESTION.search(prompt)
    if question_match:
        question = question_match.group("question").strip()
        context_match = _CONTEXT.search(prompt)
        context = context_match.group("context") if context_match else prompt[: question_match.start()]
        return question, context
    lines = [line for line in prompt.strip().splitlines() if line.strip()]
    return (lines[-1].strip(), "\n".join(lines[:-1])) if lines else ("", "")


def sentences_of(context: str) -> list[str]:
    """The context's statements of at least a few words, in order, without repeats (questions answer nothing)."""
    seen: dict[str, None] = {}
    for piece in _SENTENCE_END.split(context):
        sentence = " ".join(piece.split())
        if len(sentence.split()) >= _MIN_WORDS and not sentence.endswith("?"):
            seen.setdefault(sentence)
    return list(seen)


@component
class ExtractiveChatGenerator:
    """Messages in, replies out, like a chat generator; no network, no API key, a fraction of a second."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        device: str | None = None,
        top_sentences: int = 3,
        streaming_callback: SyncStreamingCallbackT | None = None,
    ) -> None:
        if top_sentences < 1:
            raise ValueError(f"top_sentences must be at least 1, got {top_sentences}.")
        self.model = model
        self.device = device
        self.top_sentences = top_sentences
        self.streaming_callback = streaming_callback
        self._model: Any = None

    def warm_up(self) -> None:
        if self._model is None:
            self._model = load_model(self.model, self.device)

    @component.output_types(replies=list[ChatMessage])
    def run(
        self,
        messages: list[ChatMessage],
        streaming_callback: SyncStreamingCallbackT | None = None,
        generation_kwargs: dict[str, Any] | None = None,
    ) -> dict[str, list[ChatMessage]]:
        """`generation_kwargs` is accepted for interface parity; `top_sentences` may be overridden in it."""
        callback = streaming_callback or self.streaming_callback
        if callback is not None and inspect.iscoroutinefunction(callback):
            raise TypeError("ExtractiveChatGenerator runs in a worker thread: give it a regular (sync) callback.")
        user_texts = [m.text for m in messages if m.is_from(ChatRole.USER) and m.text]
        if not user_texts:
            raise ValueError("ExtractiveChatGenerator needs at least one user message with text.")
        top = int((generation_kwargs or {}).get("top_sentences", self.top_sentences))
        question, context = split_prompt(user_texts[-1])
        candidates = sentences_of(context)
        meta: dict[str, Any] = {
            "model": f"extractive:{self.model}",
            "offline": True,
            "mode": "extractive",
            "question": question,
            "finish_reason": "stop",
        }
        if not candidates or not question:
            text = "I found no context to answer from." if not candidates else "I found no question to answer."
            return {"replies": [ChatMessage.from_assistant(text, meta={**meta, "sources": []})]}
        self.warm_up()
        vectors = encode(self._model, [question, *candidates], batch_size=64, normalize=True)
        scores = vectors[1:] @ vectors[0]
        best = np.argsort(-scores, kind="stable")[:top]
        chosen = [candidates[i] for i in best]
        if callback is not None:
            for index, sentence in enumerate(chosen):
                callback(StreamingChunk(sentence if index == 0 else " " + sentence, {"index": index}))
        meta["sources"] = [{"sentence": candidates[i], "score": float(scores[i])} for i in best]
        return {"replies": [ChatMessage.from_assistant(" ".join(chosen), meta=meta)]}
