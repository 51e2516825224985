"""Drains the outbox to Telegram: the only module that sends alerts.

Each chat gets its alerts in the order they were decided. Telegram's answers decide what
happens next: accepted → marked sent; 429 → that chat waits `retry_after`; network errors and
5xx → retried with backoff; blocked or missing chat → the chat is deactivated (it comes back
with /start); group upgraded to supergroup → the subscriptions move; HTML Telegram cannot
parse → the plain-text rendering is sent instead. Nothing is dropped without a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from .storage import Delivery, Storage

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
CRASH_PAUSE = 5.0
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Deliverer:
    """Sends pending deliveries; `wake()` after queueing, `run()` as a background task."""

    def __init__(self, bot: Bot, storage: Storage, clock: Callable[[], float] = time.time):
        self._bot = bot
        self._storage = storage
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled, sleeping until woken or until the next retry is due."""
        while True:
            self._wake.clear()
            try:
                await self.drain()
                retry_at = self._storage.next_retry_at()
            except Exception:  # a bug or a locked database must not end delivery for good
                log.exception("delivery round failed; trying again shortly")
                retry_at = self._clock() + CRASH_PAUSE
            timeout = None if retry_at is None else max(retry_at - self._clock(), 0.05)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def drain(self) -> int:
        """Send every delivery that is due now; return how many were sent."""
        sent = 0
        while batch := self._storage.due_deliveries(self._clock()):
            for delivery in batch:
                sent += await self._send(delivery)
        return sent

    async def _send(self, delivery: Delivery) -> int:
        try:
            message = await self._bot.send_message(
                delivery.chat_id,
                delivery.text_html,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
            )
        except RetryAfter as exc:
            self._postpone(delivery, _retry_after(exc), f"rate limited: {exc}")
        except ChatMigrated as exc:
            log.info("chat migrated chat=%d new_chat=%d", delivery.chat_id, exc.new_chat_id)
            self._storage.move_chat(delivery.chat_id, exc.new_chat_id)
        except Forbidden as exc:
            self._give_up(delivery, str(exc))
        except BadRequest as exc:
            return await self._on_bad_request(delivery, exc)
        except NetworkError as exc:
            self._postpone(delivery, self._backoff(delivery), f"network: {exc}")
        except TelegramError as exc:
            self._postpone(delivery, self._backoff(delivery), f"telegram: {exc}")
        else:
            self._storage.mark_sent(delivery.id, message.message_id)
            log.info("delivered chat=%d delivery=%d", delivery.chat_id, delivery.id)
            return 1
        return 0

    async def _on_bad_request(self, delivery: Delivery, exc: BadRequest) -> int:
        reason = exc.message.lower()
        if "chat not found" in reason or "user is deactivated" in reason:
            self._give_up(delivery, exc.message)
            return 0
        log.warning(
            "telegram rejected html chat=%d error=%r: sending plain text",
            delivery.chat_id,
            exc.message,
        )
        try:
            message = await self._bot.send_message(
                delivery.chat_id, delivery.text_plain, link_preview_options=_NO_PREVIEW
            )
        except BadRequest as plain_exc:
            error = f"html refused ({exc.message}), plain text refused ({plain_exc.message})"
            log.error(
                "alert undeliverable chat=%d delivery=%d error=%r",
                delivery.chat_id,
                delivery.id,
                error,
            )
            self._storage.mark_failed(delivery.id, error)
            return 0
        except TelegramError as plain_exc:
            self._postpone(delivery, self._backoff(delivery), f"plain text refused: {plain_exc}")
            return 0
        self._storage.mark_sent(delivery.id, message.message_id)
        return 1

    def _postpone(self, delivery: Delivery, delay: float, error: str) -> None:
        log.warning(
            "delivery postponed chat=%d delay=%.1fs error=%r", delivery.chat_id, delay, error
        )
        self._storage.postpone(delivery.id, self._clock() + delay, error)

    def _give_up(self, delivery: Delivery, error: str) -> None:
        log.warning("chat unreachable, deactivated chat=%d error=%r", delivery.chat_id, error)
        self._storage.give_up_chat(delivery.chat_id, error)

    @staticmethod
    def _backoff(delivery: Delivery) -> float:
        return float(min(2.0 ** (delivery.attempts + 1), MAX_BACKOFF))


def _retry_after(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (a timedelta with PTB_TIMEDELTA, else an int)."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
