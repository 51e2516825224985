"""Story edits: the deliverer's part that adds "Also reported by: …" to alerts already sent.

Later reports of a story a chat already received are queued as edits (story_store.py). The
`Deliverer` (deliver.py) starts due edits after its sends, in the same per-chat order, through
the same in-flight slots and rate limiter: Telegram counts edits against the same limits. The
same answers steer an edit as a send, except that a message that cannot be edited (deleted by
its reader, too old, in a forum thread an admin closed) gives up that edit alone, without
holding up the chat's other sends and edits, and "not modified" is done.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from .deliver_shared import _NO_PREVIEW, CRASH_PAUSE, PAGE, _retry_after, transient_failure
from .ratelimit import RateLimiter
from .storage import Delivery, Storage
from .story_edit_outbox import Edit
from .summarise import with_sources

# Edits log under the deliverer's name, as they did before they had a module of their own.
log = logging.getLogger("bot.deliver")


class StoryEdits(ABC):
    """The edit half of `Deliverer`, which sets the state below and implements the methods
    declared abstract (they are shared with its sends)."""

    _bot: Bot
    _storage: Storage
    _clock: Callable[[], float]
    _limiter: RateLimiter | None
    _max_in_flight: int
    _in_flight: dict[int, asyncio.Task[None]]  # chat → its send or edit
    edited: int

    @abstractmethod
    def _finished(self, chat: int) -> None:
        """A send or edit for the chat is over: free its slot and wake the loop."""

    @abstractmethod
    def _markup(self, delivery: Delivery) -> InlineKeyboardMarkup | None:
        """The buttons under an alert."""

    @abstractmethod
    def _local_time(
        self, delivery_id: int, chat: int, html_text: str, plain: str
    ) -> tuple[str, str]:
        """An alert's renderings with its time line in the chat's zone."""

    @staticmethod
    @abstractmethod
    def _backoff(delivery: Delivery | Edit) -> float:
        """How long to wait before retrying after a transient failure."""

    # -- edits: "Also reported by" added to an alert already sent ----------------------------

    def _pump_edits(self, now: float, pace: bool, next_at: float | None) -> float | None:
        """Start the due edits (after the sends: a new alert matters more than a source
        line); return when the next send or edit may go."""
        stories = self._storage.stories
        upcoming = stories.next_edit_at()
        if upcoming is not None and upcoming > now:
            next_at = upcoming if next_at is None else min(next_at, upcoming)
        for edit in stories.due_edits(now, limit=PAGE):
            if edit.chat_id in self._in_flight:
                continue  # its send or edit finishing wakes us
            if len(self._in_flight) >= self._max_in_flight:
                return None
            ready = 0.0
            if self._limiter is not None and pace:
                ready = max(
                    self._limiter.overall_ready_at(), self._limiter.chat_ready_at(edit.chat_id)
                )
            if ready > now:
                next_at = ready if next_at is None else min(next_at, ready)
                continue
            self._start_edit(edit)
        return next_at

    def _start_edit(self, edit: Edit) -> None:
        if self._limiter is not None:
            self._limiter.take(edit.chat_id)  # Telegram counts edits against the same limits
        task = asyncio.create_task(self._edit(edit), name=f"edit {edit.delivery_id}")
        self._in_flight[edit.chat_id] = task
        task.add_done_callback(lambda _: self._finished(edit.chat_id))

    async def _edit(self, edit: Edit) -> None:
        stories = self._storage.stories
        try:
            links = stories.source_links(edit.delivery_id)
            sources = list(links)
            html_text, plain = self._local_time(
                edit.delivery_id, edit.chat_id, edit.text_html, edit.text_plain
            )
            html_text, plain = with_sources(html_text, plain, sources, links)
            changed = await self._try_edit(edit, html_text, plain)
            if changed is None:
                return
            stories.edited(edit.delivery_id, sources, self._clock(), changed=changed)
            if changed:
                self.edited += 1
                log.info(
                    "edited chat=%d message=%d sources=%r",
                    edit.chat_id,
                    edit.message_id,
                    sources,
                )
        except Exception:
            log.exception("edit crashed chat=%d delivery=%d", edit.chat_id, edit.delivery_id)
            stories.postpone_edit(edit.delivery_id, self._clock() + CRASH_PAUSE, "crashed")

    async def _try_edit(self, edit: Edit, html_text: str, plain: str) -> bool | None:
        """True: edited; False: the message already read so; None: refused, and acted on."""
        chat = edit.chat_id
        # An edit without buttons would remove the alert's Why?/Mute buttons: rebuild them.
        markup = self._markup(Delivery(edit.delivery_id, chat, html_text, plain, edit.attempts))
        try:
            try:
                await self.edit_message(chat, edit.message_id, html_text, ParseMode.HTML, markup)
            except BadRequest as exc:
                if _not_modified(exc) or _cannot_edit(exc):
                    raise
                # The alert's HTML was refused, so it went out as plain text: edit it alike.
                log.warning("telegram rejected html edit chat=%d: editing as plain text", chat)
                await self.edit_message(chat, edit.message_id, plain, None)
            return True
        except BadRequest as exc:
            if _not_modified(exc):
                return False
            self._give_up_edit(edit, "edit_failed", exc.message)
        except RetryAfter as exc:
            wait = _retry_after(exc)
            if self._limiter is not None:
                self._limiter.block(chat, self._clock() + wait)
            self._postpone_edit(edit, wait, "rate_limited", f"rate limited: {exc}")
        except ChatMigrated as exc:  # the message stays in the old group, where we cannot edit
            self._give_up_edit(edit, "edit_failed", f"chat migrated: {exc}")
        except Forbidden as exc:
            log.warning("chat unreachable, deactivated chat=%d error=%r", chat, str(exc))
            self._storage.give_up_chat(chat, str(exc))
            self._give_up_edit(edit, "blocked", str(exc))
        except TelegramError as exc:  # timeouts, network and server errors, the rest
            self._postpone_edit(edit, self._backoff(edit), *transient_failure(exc))
        return None

    async def edit_message(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """editMessageText with the settings alerts are sent with (no link preview). Pass
        the alert's `reply_markup` to keep its buttons: an edit without one removes them."""
        await self._bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=parse_mode,
            link_preview_options=_NO_PREVIEW,
            reply_markup=reply_markup,
        )

    def _postpone_edit(self, edit: Edit, delay: float, kind: str, error: str) -> None:
        log.warning("edit postponed chat=%d delay=%.1fs error=%r", edit.chat_id, delay, error)
        self._storage.stories.postpone_edit(edit.delivery_id, self._clock() + delay, error)
        self._storage.record_event(kind, edit.chat_id)

    def _give_up_edit(self, edit: Edit, kind: str, error: str) -> None:
        log.warning(
            "edit given up chat=%d message=%d error=%r", edit.chat_id, edit.message_id, error
        )
        self._storage.stories.give_up_edit(edit.delivery_id, error)
        self._storage.record_event(kind, edit.chat_id)


def _not_modified(exc: BadRequest) -> bool:
    return "message is not modified" in exc.message.lower()


def _cannot_edit(exc: BadRequest) -> bool:
    """The message is gone or frozen (deleted by its reader, older than 48 h, in a closed
    forum thread), or the chat is: trying again would not work (soon enough to matter)."""
    reason = exc.message.lower()
    return any(
        phrase in reason
        for phrase in (
            "message to edit not found",
            "message can't be edited",
            "message_id_invalid",
            "message not found",
            "chat not found",
            "rights",
            # A closed forum thread: whether Telegram refuses edits there is not documented;
            # if it does, the alert is still readable, and the edit must not wait for a reopen.
            "topic_closed",
        )
    )
