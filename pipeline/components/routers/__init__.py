"""Routers: send data to different outputs depending on conditions or file types."""

from pipeline.components.routers.conditional_router import ConditionalRouter
from pipeline.components.routers.file_type_router import FileTypeRouter

__all__ = ["ConditionalRouter", "FileTypeRouter"]
