"""Small helpers the converters and routers share."""

from __future__ import annotations

import importlib
import mimetypes
from pathlib import Path
from types import ModuleType

CUSTOM_MIMETYPES = {
    # Markdown and Outlook messages are missing from the standard `mimetypes` table.
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".msg": "application/vnd.ms-outlook",
}


def _guess_mime_type(path: Path) -> str | None:
    """The MIME type of `path` from its extension, or None if neither `mimetypes` nor our table knows it."""
    return CUSTOM_MIMETYPES.get(path.suffix.lower(), mimetypes.guess_type(path.as_posix())[0])


def import_optional(module_name: str, package: str) -> ModuleType:
    """Import `module_name`, an optional dependency; if it is missing, say which package to install.

    Components that need one call this when they are created, so the core install never imports it.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"pipedebug failed to import the optional dependency '{module_name}'. Run 'pip install {package}' "
            f"(or pip install 'pipedebug[converters]'). Original error: {exc}"
        ) from exc
