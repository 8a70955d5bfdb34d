"""Builders: prompts from jinja2 templates (rendered in a sandbox, their variables become input sockets), and
answers from a generator's replies."""

from pipeline.components.builders.answer_builder import AnswerBuilder
from pipeline.components.builders.chat_prompt_builder import ChatPromptBuilder
from pipeline.components.builders.prompt_builder import PromptBuilder

__all__ = ["AnswerBuilder", "ChatPromptBuilder", "PromptBuilder"]
