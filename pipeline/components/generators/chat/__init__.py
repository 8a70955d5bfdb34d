"""Chat generators: take a list of `ChatMessage`s, return the model's replies as `ChatMessage`s."""

from pipeline.components.generators.chat.extractive import ExtractiveChatGenerator
from pipeline.components.generators.chat.openai import OpenAIChatGenerator, OpenAIChatGeneratorError

__all__ = ["ExtractiveChatGenerator", "OpenAIChatGenerator", "OpenAIChatGeneratorError"]
