"""Logging for `kempelen serve`: plain lines or JSON lines, one level for Kempelen and uvicorn alike."""

from __future__ import annotations

import json
import logging
import time

LEVELS = ("trace", "debug", "info", "warning", "error", "critical")  # uvicorn's names
FORMATS = ("plain", "json")
REQUEST_LOGGER = "kempelen.requests"


_second: list = [None, ""]


def _stamp(record: logging.LogRecord) -> str:
    """ISO 8601 UTC with milliseconds; the seconds part formatted once per second (a log line per request)."""
    second = int(record.created)
    if _second[0] != second:
        _second[0], _second[1] = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return f"{_second[1]}.{int(record.msecs):03d}Z"


class PlainFormatter(logging.Formatter):
    """`2026-11-28T07:00:00.123Z INFO kempelen.requests op=GetHIT key=AKIA... status=200 error=- ms=1.2`"""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_stamp(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JSONFormatter(logging.Formatter):
    """One JSON object a line; a request's fields (record.fields) become members of their own."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": _stamp(record), "level": record.levelname, "logger": record.name}
        fields = getattr(record, "fields", None)
        if fields is not None:
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, separators=(",", ":"), default=str)


def log_config(level: str = "info", fmt: str = "plain") -> dict:
    """A logging.config dictionary, handed to uvicorn so its own lines share the format. uvicorn's access
    log stays off: the request observer writes a richer line (operation, access key, error code)."""
    level = level.upper()
    formatter = "kempelen.observability.logs.JSONFormatter" if fmt == "json" else \
        "kempelen.observability.logs.PlainFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"kempelen": {"()": formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "kempelen",
                                "stream": "ext://sys.stderr"}},
        "loggers": {
            "kempelen": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
