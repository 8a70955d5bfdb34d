"""Prompt builders: jinja2 templates, rendered in a sandbox, whose variables become input sockets."""

from pipeline.components.builders.chat_prompt_builder import ChatPromptBuilder
from pipeline.components.builders.prompt_builder import PromptBuilder

__all__ = ["ChatPromptBuilder", "PromptBuilder"]
