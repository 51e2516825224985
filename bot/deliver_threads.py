"""Where an alert goes when the forum topic thread it was routed to refuses it.

A forum chat's subscriptions send each topic's alerts to the thread it was subscribed in. Two
refusals from Telegram concern that thread rather than the chat, and neither may lose the alert:
- "message thread not found" / TOPIC_DELETED: the thread is gone for good. The alert goes to
  the General topic, and the thread's topics are routed there from now on, so the next alerts
  do not fail first.
- TOPIC_CLOSED: an admin closed the thread (the bot may not post there unless it can manage
  topics); it may be reopened at any time. The alert goes to General, and the thread is kept:
  every alert tries it first, so once it is reopened alerts arrive there again with nothing to
  undo. The first time in a day that a thread's alert is redirected (per thread), General
  gets a one-line notice naming the thread and its topics and saying how to move them, so the
  admins know why the alerts changed place. If General is closed as well, there is nowhere
  left to post: that alert is given up (logged, counted in /stats) rather than retried for an
  unknown time and delivered stale.
"""

from __future__ import annotations

import html
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from .deliver_shared import _NO_PREVIEW
from .storage import Delivery, Storage

# Sends log under the deliverer's name, as they did before they had a module of their own.
log = logging.getLogger("bot.deliver")

NOTICE_EVERY = timedelta(days=1).total_seconds()  # at most one closed-thread notice per thread


class ForumThreads(ABC):
    """The forum-thread fallbacks of `Deliverer`, which sets the state below and implements
    `_attempt` and `_silent` (deliver_send.py)."""

    _bot: Bot
    _storage: Storage
    _clock: Callable[[], float]

    @abstractmethod
    async def _attempt(
        self,
        delivery: Delivery,
        text: str,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """One send; on refusal, act on the reason and return None."""

    @abstractmethod
    def _silent(self, chat: int) -> bool:
        """Inside the chat's quiet hours messages make no sound."""

    async def _to_general_topic(
        self,
        delivery: Delivery,
        exc: BadRequest,
        text: str,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None,
    ) -> Message | None:
        """The forum thread this alert was routed to is gone: send it to the General topic
        instead (once: without a thread this cannot happen again), and route the thread's
        topics there from now on, so the next alerts do not fail first."""
        assert delivery.thread_id is not None
        log.warning(
            "forum thread gone chat=%d thread=%d error=%r: sending to the general topic",
            delivery.chat_id,
            delivery.thread_id,
            exc.message,
        )
        self._storage.forget_thread(delivery.chat_id, delivery.thread_id)
        self._storage.record_event("thread_not_found", delivery.chat_id)
        return await self._attempt(
            replace(delivery, thread_id=None), text, parse_mode, reply_markup
        )

    async def _around_closed_topic(
        self,
        delivery: Delivery,
        exc: BadRequest,
        text: str,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None,
    ) -> Message | None:
        """The thread this alert goes to is closed: send it to General this time (the thread
        stays its route: the next alert tries it again), with a notice at most once a day."""
        chat, thread = delivery.chat_id, delivery.thread_id
        if thread is None:
            self._general_closed(delivery, exc)
            return None
        self._storage.record_event("topic_closed", chat)
        general = replace(delivery, thread_id=None)
        last_notice = self._storage.closed_thread_noticed_at(chat, thread)
        if last_notice is None or self._clock() - last_notice >= NOTICE_EVERY:
            log.warning(
                "forum thread closed chat=%d thread=%d: its alerts go to the general topic",
                chat,
                thread,
            )
            await self._tell_general(chat, thread)
        else:
            log.info("forum thread closed chat=%d thread=%d delivery=%d", chat, thread, delivery.id)
        return await self._attempt(general, text, parse_mode, reply_markup)

    def _general_closed(self, delivery: Delivery, exc: BadRequest) -> None:
        """The General topic is closed too: nowhere left to post this alert."""
        error = f"general topic closed: {exc.message}"
        log.warning(
            "alert undeliverable chat=%d delivery=%d error=%r",
            delivery.chat_id,
            delivery.id,
            error,
        )
        self._storage.mark_failed(delivery.id, error)
        self._storage.record_event("general_closed", delivery.chat_id)

    async def _tell_general(self, chat: int, thread: int) -> None:
        """The one-line notice in General; if it cannot be sent, the next redirected alert
        tries again (the alert itself goes either way)."""
        try:
            await self._bot.send_message(
                chat,
                closed_thread_notice(thread, self._thread_topics(chat, thread)),
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                disable_notification=self._silent(chat),
            )
        except TelegramError as exc:
            log.warning("closed thread notice failed chat=%d thread=%d error=%r", chat, thread, exc)
            return
        self._storage.note_closed_thread(chat, thread, self._clock())

    def _thread_topics(self, chat: int, thread: int) -> list[str]:
        routes = self._storage.subscription_threads(chat)
        return [topic for topic, routed_to in routes.items() if routed_to == thread]


def closed_thread_notice(thread: int, topics: list[str]) -> str:
    """What General is told when a closed thread's alerts arrive there (HTML)."""
    if not topics:
        return f"📌 Topic thread {thread} is closed, so its alerts come here until it is reopened."
    codes = ", ".join(f"<code>{html.escape(topic)}</code>" for topic in topics)
    command = html.escape(f"/subscribe {' '.join(topics)}")
    return (
        f"📌 Topic thread {thread} is closed, so its alerts ({codes}) come here until it is "
        f"reopened. To move them for good, send {command} in the thread you want."
    )


def thread_gone(reason: str) -> bool:
    """Telegram's refusal (lower case) says the forum thread was deleted."""
    return "thread not found" in reason or "topic_deleted" in reason


def topic_closed(reason: str) -> bool:
    """Telegram's refusal (lower case) says the forum thread (or General) is closed."""
    return "topic_closed" in reason
