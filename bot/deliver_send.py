"""One send to Telegram, and what the deliverer does with each refusal.

`Sending` is the part of `Deliverer` (deliver.py) that puts one rendered message on the wire
(sendMessage, no link preview, silent inside quiet hours) and reads Telegram's answer:
- accepted → the message is returned, for the caller to mark sent;
- 429 → that chat alone waits `retry_after`;
- network errors and 5xx → retried with backoff, never dropped while the chat exists;
- blocked, missing chat, no right to post → the chat is paused (it comes back with /start);
- group upgraded to supergroup → the subscriptions and pending alerts move;
- HTML Telegram cannot parse → the plain-text rendering is sent instead;
- a forum topic thread that was deleted → sent to the General topic, where that thread's
  topics go from now on; one that is closed → sent to General this time, with a notice at
  most once a day (deliver_threads.py).
Every refusal is logged and recorded as an event for /stats; none raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from .chat_settings import is_silent
from .deliver_shared import _NO_PREVIEW, _retry_after, transient_failure
from .deliver_threads import ForumThreads, thread_gone, topic_closed
from .ratelimit import RateLimiter
from .storage import Delivery, Storage
from .story_edit_outbox import Edit
from .summarise import TELEGRAM_LIMIT, shorten_utf16, utf16_length

# Sends log under the deliverer's name, as they did before they had a module of their own.
log = logging.getLogger("bot.deliver")

MAX_BACKOFF = 300.0


class Sending(ForumThreads):
    """The send half of `Deliverer`, which sets the state below; where an alert goes when its
    forum thread refuses it is `ForumThreads` (deliver_threads.py)."""

    _bot: Bot
    _storage: Storage
    _clock: Callable[[], float]
    _limiter: RateLimiter | None

    async def _attempt(
        self,
        delivery: Delivery,
        text: str,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """One send; on refusal, act on the reason and return None."""
        chat = delivery.chat_id
        if utf16_length(text) > TELEGRAM_LIMIT:  # summarise caps every part: a bug if seen
            log.error("alert too long chat=%d delivery=%d: sent shortened", chat, delivery.id)
            text, parse_mode = shorten_utf16(delivery.text_plain, TELEGRAM_LIMIT), None
        try:
            return await self._bot.send_message(
                chat,
                text,
                parse_mode=parse_mode,
                link_preview_options=_NO_PREVIEW,
                message_thread_id=delivery.thread_id,
                reply_markup=reply_markup,
                disable_notification=self._silent(chat),
            )
        except RetryAfter as exc:
            self._rate_limited(delivery, exc)
        except ChatMigrated as exc:
            log.info("chat migrated chat=%d new_chat=%d", chat, exc.new_chat_id)
            self._storage.move_chat(chat, exc.new_chat_id)
            self._storage.record_event("migrated", chat)
        except Forbidden as exc:
            self._give_up(delivery, "blocked", str(exc))
        except BadRequest as exc:
            return await self._on_bad_request(delivery, exc, text, parse_mode, reply_markup)
        except TelegramError as exc:  # timeouts, network and server errors, the rest
            self._postpone(delivery, self._backoff(delivery), *transient_failure(exc))
        return None

    async def _on_bad_request(
        self,
        delivery: Delivery,
        exc: BadRequest,
        text: str,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None,
    ) -> Message | None:
        """Act on a 400; `text`, `parse_mode` and `reply_markup` are what was refused, for a
        fallback that sends the same message elsewhere."""
        reason = exc.message.lower()
        if "chat not found" in reason or "user is deactivated" in reason:
            self._give_up(delivery, "chat_not_found", exc.message)
            return None
        if delivery.thread_id is not None and thread_gone(reason):
            return await self._to_general_topic(delivery, exc, text, parse_mode, reply_markup)
        if topic_closed(reason):
            return await self._around_closed_topic(delivery, exc, text, parse_mode, reply_markup)
        if (
            "not enough rights" in reason
            or "have no rights" in reason
            or "need administrator rights" in reason  # a channel that demoted the bot
        ):
            # A group that does not let the bot post: pause it like a blocked chat (an admin
            # fixes the rights, then /start resumes it), rather than failing every alert.
            self._give_up(delivery, "no_rights", exc.message)
            return None
        return await self._send_plain(delivery, exc)

    async def _send_plain(self, delivery: Delivery, exc: BadRequest) -> Message | None:
        """Telegram refused the HTML (`exc`): send the plain-text rendering, without buttons
        (in case they were what it refused)."""
        log.warning(
            "telegram rejected html chat=%d error=%r: sending plain text",
            delivery.chat_id,
            exc.message,
        )
        self._storage.record_event("plain_text", delivery.chat_id)
        try:
            return await self._bot.send_message(
                delivery.chat_id,
                delivery.text_plain,
                link_preview_options=_NO_PREVIEW,
                message_thread_id=delivery.thread_id,
                disable_notification=self._silent(delivery.chat_id),
            )
        except RetryAfter as plain_exc:  # the fallback met the rate limit: that chat waits
            self._rate_limited(delivery, plain_exc)
        except BadRequest as plain_exc:
            if topic_closed(plain_exc.message.lower()):  # in case Telegram parses first
                return await self._around_closed_topic(
                    delivery, plain_exc, delivery.text_plain, None, None
                )
            error = f"html refused ({exc.message}), plain text refused ({plain_exc.message})"
            log.error(
                "alert undeliverable chat=%d delivery=%d error=%r",
                delivery.chat_id,
                delivery.id,
                error,
            )
            self._storage.mark_failed(delivery.id, error)
            self._storage.record_event("undeliverable", delivery.chat_id)
        except TelegramError as plain_exc:
            self._postpone(
                delivery, self._backoff(delivery), "telegram", f"plain text refused: {plain_exc}"
            )
        return None

    def _silent(self, chat: int) -> bool:
        """Inside the chat's quiet hours messages make no sound."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        return is_silent(self._storage.chat_settings(chat), now)

    def _rate_limited(self, delivery: Delivery, exc: RetryAfter) -> None:
        """A 429: that chat alone waits as long as Telegram asked."""
        wait = _retry_after(exc)
        if self._limiter is not None:
            self._limiter.block(delivery.chat_id, self._clock() + wait)
        self._postpone(delivery, wait, "rate_limited", f"rate limited: {exc}")

    def _postpone(self, delivery: Delivery, delay: float, kind: str, error: str) -> None:
        log.warning(
            "delivery postponed chat=%d delay=%.1fs error=%r", delivery.chat_id, delay, error
        )
        self._storage.postpone(delivery.id, self._clock() + delay, error)
        self._storage.record_event(kind, delivery.chat_id)

    def _give_up(self, delivery: Delivery, kind: str, error: str) -> None:
        log.warning("chat unreachable, deactivated chat=%d error=%r", delivery.chat_id, error)
        self._storage.give_up_chat(delivery.chat_id, error)
        self._storage.record_event(kind, delivery.chat_id)

    @staticmethod
    def _backoff(delivery: Delivery | Edit) -> float:
        return float(min(2.0 ** (delivery.attempts + 1), MAX_BACKOFF))
