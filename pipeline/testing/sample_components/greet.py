"""Greet: logs a message about the value passing through, and passes it on unchanged."""

import logging

from pipeline.core.component import component

logger = logging.getLogger(__name__)


@component
class Greet:
    """Logs `message` (which may embed `{value}`) at `log_level`, and outputs `value` as it came.

    `message` and `log_level` given to `run` replace those set at init.
    """

    def __init__(
        self, message: str = "\nGreeting component says: Hi! The value is {value}\n", log_level: str = "INFO"
    ) -> None:
        if log_level and not isinstance(getattr(logging, log_level, None), int):
            raise ValueError(f"This log level does not exist: {log_level}")
        self.message = message
        self.log_level = log_level

    @component.output_types(value=int)
    def run(self, value: int, message: str | None = None, log_level: str | None = None) -> dict[str, int]:
        message = message or self.message
        log_level = log_level or self.log_level
        level = getattr(logging, log_level, None)
        if not isinstance(level, int):
            raise ValueError(f"This log level does not exist: {log_level}")
        logger.log(level, message.format(value=value))
        return {"value": value}
