"""What the deliverer's loop (deliver.py), sends (deliver_send.py) and story edits
(deliver_edits.py) share: how much of the outbox is read at once, the pause after a crash,
the send options, and the reading of Telegram's refusals (how long a 429 asks to wait,
whether an error is the server's).
"""

from __future__ import annotations

from datetime import timedelta

from telegram import LinkPreviewOptions
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

CRASH_PAUSE = 5.0
PAGE = 500  # outbox heads read at a time
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _retry_after(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (a timedelta with PTB_TIMEDELTA, else an int)."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _is_server_error(exc: NetworkError) -> bool:
    text = str(exc).lower()
    return any(code in text for code in ("500", "502", "503", "504", "bad gateway", "internal"))


def transient_failure(exc: TelegramError) -> tuple[str, str]:
    """(event kind, error text) of a refusal worth retrying with backoff: a timeout, a
    network or server error, or anything else Telegram said that has no rule of its own."""
    if isinstance(exc, TimedOut):
        return "timeout", f"timed out: {exc}"
    if isinstance(exc, NetworkError):
        kind = "server_error" if _is_server_error(exc) else "network"
        return kind, f"{kind}: {exc}"
    return "telegram", f"telegram: {exc}"
