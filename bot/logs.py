"""Logging to stderr with levels, and with secrets redacted from every line.

The bot token is part of every Bot API URL, and both httpx (INFO) and python-telegram-bot
(DEBUG) log URLs, so redaction happens in the formatter: it sees the final text of every record,
tracebacks included. httpx's per-request lines are also turned down to WARNING.

Two formats (BOT_LOG_FORMAT): `text`, one readable line per record, and `json`, one JSON object
per line for log collectors. Messages carry their context as `key=value` (`feed='BBC'`,
`chat=42`, `item=…`, `topic=…`); the JSON formatter lifts those pairs into fields with the same
names, so both formats use one vocabulary without every call site passing `extra=`.
"""

from __future__ import annotations

import ast
import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

# Anything shaped like a Bot API token, even one we were not told about.
_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "[REDACTED]"
# `key=value` in a message: a repr'd string, or anything up to a space, comma or colon.
_PAIR = re.compile(r"\b([a-z_]+)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s,:]+)")
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces each secret, and anything token-shaped, with [REDACTED]."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)


class JsonFormatter(RedactingFormatter):
    """One JSON object per record: time, level, logger, message, the message's `key=value`
    pairs and any `extra=` fields, and the traceback; every string redacted."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        message = self.redact(record.getMessage())
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        for key, value in _PAIR.findall(message):
            entry.setdefault(key, _value(value))
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                plain = isinstance(value, int | float | bool)
                entry[key] = value if plain else self.redact(str(value))
        if record.exc_info:
            entry["traceback"] = self.redact(self.formatException(record.exc_info))
        # And the serialised line once more, in case a secret was split across fields.
        return self.redact(json.dumps(entry, ensure_ascii=False, default=str))


def _value(text: str) -> object:
    """`42` → 42, `'BBC'` → "BBC", anything else as written."""
    if text[0] in "'\"":
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
    try:
        return int(text)
    except ValueError:
        return text


def setup_logging(
    level: str,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    fmt: Literal["text", "json"] = "text",
) -> None:
    """Send every log line to `stream` (stderr), redacted, at `level` and above."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(secrets)
        if fmt == "json"
        else RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
