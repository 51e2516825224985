"""Drains the outbox to Telegram: the only module that sends alerts.

Each chat gets its alerts in the order they were decided, one in flight at a time; different
chats are served side by side, paced by `ratelimit.RateLimiter` (about 28 messages a second
overall, 1/s per private chat, 20/min per group) so Telegram rarely has to say 429. At most
`max_in_flight` sends (2 by default) are outstanding, and each delivery is marked sent as soon
as Telegram accepts it: a crash can repeat only those few.

Telegram's answers decide what happens next:
- accepted → marked sent;
- 429 → that chat alone waits `retry_after`;
- network errors and 5xx → retried with backoff, never dropped while the chat exists;
- blocked, missing chat, no right to post → the chat is paused (it comes back with /start);
- group upgraded to supergroup → the subscriptions and pending alerts move;
- HTML Telegram cannot parse → the plain-text rendering is sent instead;
- a forum topic thread that was deleted → sent to the General topic, where that thread's
  topics go from now on.
A chat over its alert budget gets its waiting alerts merged into one message. Nothing is
dropped without a log line and an event for /stats.

Later reports of a story a chat already received are edits, not messages (story_store.py):
an alert still queued is sent naming every source; a sent one is edited (editMessageText does
not notify) to add "Also reported by: …". Edits share the per-chat order and the rate limiter
with sends, after them; the same answers steer them, except that a message that cannot be
edited (deleted by its reader, too old) gives up that edit alone, and "not modified" is done.
The edits are in deliver_edits.py (`StoryEdits`, which `Deliverer` extends); what sends and
edits share is in deliver_shared.py.

Each chat's settings (`chat_settings`) apply where a delivery is picked and where it is sent:
a chat that is paused, takes digests, or is in quiet hours with `hold` has its alerts held in
the outbox until their release time, then receives them as one digest-style message; inside
quiet hours messages arrive silently; an alert's time line is shown in the chat's time zone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from .chat_settings import ChatSettings, is_silent, release_at
from .deliver_edits import StoryEdits
from .deliver_shared import _NO_PREVIEW, CRASH_PAUSE, PAGE, _retry_after, transient_failure
from .digest import digest_message, merged_alerts, story_key
from .ratelimit import AlertBudget, RateLimiter
from .storage import Delivery, HeldAlert, Storage
from .story_store import Edit
from .summarise import TELEGRAM_LIMIT, in_time_zone, shorten_utf16, utf16_length, with_sources

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
IDLE_CHECK = 30.0  # re-check the outbox this often anyway (a chat reactivated by /start)
# The buttons under one alert (telegram/keyboards.py builds them; None: no buttons).
Keyboard = Callable[[Delivery], InlineKeyboardMarkup | None]


class Deliverer(StoryEdits):
    """Sends pending deliveries; `wake()` after queueing, `run()` as a background task.

    Without a `limiter` (tests with a frozen clock) nothing is paced. `keyboard` gives the
    buttons of a single alert (a merged message has none).
    """

    def __init__(
        self,
        bot: Bot,
        storage: Storage,
        clock: Callable[[], float] = time.time,
        *,
        limiter: RateLimiter | None = None,
        budget: AlertBudget | None = None,
        max_in_flight: int = 4,
        keyboard: Keyboard | None = None,
    ) -> None:
        self._bot = bot
        self._storage = storage
        self._clock = clock
        self._limiter = limiter
        self._budget = budget
        if budget is not None:
            budget.seed(storage.recent_sends(since=clock() - budget.window))
        self._max_in_flight = max_in_flight
        self._keyboard = keyboard
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # chat → its send
        self._wake = asyncio.Event()
        self._stopping = False
        self.sent = 0
        self.edited = 0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """End `run` after the sends in flight are settled."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled, sleeping until woken or until something may be sent."""
        me = asyncio.current_task()
        try:
            while not self._stopping:
                # Python 3.11's wait_for can swallow a cancellation that coincides with a wake-up;
                # a task asked to stop must stop all the same.
                if me is not None and me.cancelling():
                    raise asyncio.CancelledError
                self._wake.clear()
                try:
                    next_at = self._pump()
                except Exception:  # a bug or a locked database must not end delivery for good
                    log.exception("delivery round failed; trying again shortly")
                    next_at = self._clock() + CRASH_PAUSE
                if next_at is None and self._limiter is not None:
                    self._limiter.forget_idle()  # idle: drop per-chat state (memory stays flat)
                timeout = IDLE_CHECK if next_at is None else max(next_at - self._clock(), 0.0)
                if timeout > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), min(timeout, IDLE_CHECK))
                else:
                    await asyncio.sleep(0)  # let finished sends report before the next round
        finally:
            await self._settle()

    async def drain(self) -> int:
        """Send everything that may be sent now, wait for it, and return how many were sent
        (for tests and shutdown; `run` is the long-lived loop)."""
        before = self.sent
        while True:
            self._pump(pace=False)
            if not self._in_flight:
                return self.sent - before
            await asyncio.wait(list(self._in_flight.values()))

    def _pump(self, pace: bool = True) -> float | None:
        """Start the sends that may go now; return when the next one may (None: nothing)."""
        now = self._clock()
        self._storage.release_held(now)  # digests, ends of quiet hours and pauses come due
        retry = self._storage.next_retry_at()  # due ones are in the loop below, or in flight
        next_at = retry if retry is not None and retry > now else None
        release = self._storage.next_release_at()
        if release is not None and release > now:
            next_at = release if next_at is None else min(next_at, release)
        after = 0
        while page := self._storage.due_deliveries(now, limit=PAGE, after_id=after):
            for delivery in page:
                chat = delivery.chat_id
                if chat in self._in_flight:
                    continue
                if len(self._in_flight) >= self._max_in_flight:
                    return None  # a finishing send wakes us
                if self._limiter is not None and pace:
                    overall = self._limiter.overall_ready_at()
                    if overall > now:  # the overall pace is what every chat waits for now
                        return overall if next_at is None else min(next_at, overall)
                ready = self._ready_at(chat, pace)
                if ready > now:  # this chat waits (its limit or budget); others may go
                    next_at = ready if next_at is None else min(next_at, ready)
                    continue
                if self._held(delivery, now):
                    continue
                self._start(delivery)
            after = page[-1].id  # chats waiting on their budget must not hide the others
        return self._pump_edits(now, pace, next_at)

    def _held(self, delivery: Delivery, now: float) -> bool:
        """Keep back the chat's alerts when its settings say so (paused, digests, held quiet
        hours); they are released together at the time `release_at` gives."""
        if delivery.kind != "alert" or self._storage.is_released(delivery.id):
            return False  # an admin's broadcast is never held (quiet hours still mute it)
        settings = self._storage.chat_settings(delivery.chat_id)
        until = release_at(settings, datetime.fromtimestamp(now, UTC))
        if until is None:
            return False
        held = self._storage.hold(delivery.chat_id, until.timestamp())
        log.info("held chat=%d alerts=%d until=%s", delivery.chat_id, held, until.isoformat())
        return True

    def _ready_at(self, chat: int, pace: bool) -> float:
        ready = 0.0
        if self._limiter is not None and pace:
            ready = max(self._limiter.overall_ready_at(), self._limiter.chat_ready_at(chat))
        if self._budget is not None:
            ready = max(ready, self._budget.ready_at(chat))
        return ready

    def _start(self, delivery: Delivery) -> None:
        if self._limiter is not None:
            self._limiter.take(delivery.chat_id)
        task = asyncio.create_task(self._deliver(delivery), name=f"send {delivery.id}")
        self._in_flight[delivery.chat_id] = task
        task.add_done_callback(lambda _: self._finished(delivery.chat_id))

    def _finished(self, chat: int) -> None:
        self._in_flight.pop(chat, None)
        self._wake.set()

    async def _settle(self) -> None:
        """On shutdown, let the sends in flight finish, so they are marked sent."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()), timeout=5.0)

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            merge = self._budget is not None and self._budget.must_merge(delivery.chat_id)
            group = self._storage.pending_for_chat(delivery.chat_id) if merge else [delivery]
            # A merged message goes to one forum thread: it holds only that thread's alerts.
            group = [d for d in group if d.thread_id == delivery.thread_id] or [delivery]
            # What a chat kept back goes out together, one message per forum thread.
            batch = [
                held
                for held in self._storage.released_batch(delivery.chat_id)
                if held.thread_id == delivery.thread_id
            ]
            if batch and batch[0].id == delivery.id:
                sent = await self._send_digest(delivery, batch)
            elif len(group) > 1:
                sent = await self._send_merged(group)
            else:
                sent = await self._send(self._in_chat_time(delivery))
            if sent and self._budget is not None:  # a refused send uses none of the budget
                self._budget.record(delivery.chat_id, merged=merge)
        except Exception:
            log.exception("delivery crashed chat=%d delivery=%d", delivery.chat_id, delivery.id)
            self._storage.postpone(delivery.id, self._clock() + CRASH_PAUSE, "crashed")

    async def _send(self, delivery: Delivery) -> bool:
        # Reports of the same story from other outlets, merged while this one waited.
        sources = self._storage.stories.sources(delivery.id)
        html_text, plain = with_sources(delivery.text_html, delivery.text_plain, sources)
        delivery = replace(delivery, text_html=html_text, text_plain=plain)
        markup = self._markup(delivery)
        message = await self._attempt(delivery, delivery.text_html, ParseMode.HTML, markup)
        if message is None:
            return False
        self._storage.mark_sent(delivery.id, message.message_id)
        self._storage.stories.sent(delivery.id, sources)
        self.sent += 1
        log.info("delivered chat=%d delivery=%d", delivery.chat_id, delivery.id)
        return True

    async def _send_merged(self, group: list[Delivery]) -> bool:
        """One message listing what waits for the chat; alerts that did not fit in it stay
        queued for the next one."""
        first = group[0]
        stories = self._storage.stories
        html, plain, shown = merged_alerts(
            [replace(d, feed=", ".join([d.feed, *stories.sources(d.id)])) for d in group]
        )
        return await self._send_combined(
            first, html, plain, [d.id for d in group[:shown]], "merged"
        )

    def _markup(self, delivery: Delivery) -> InlineKeyboardMarkup | None:
        """Buttons are a convenience: failing to build them must not hold the alert back (and
        the plain-text fallback goes without them, in case they were what Telegram refused)."""
        if self._keyboard is None:
            return None
        try:
            return self._keyboard(delivery)
        except Exception:
            log.exception("alert buttons failed chat=%d delivery=%d", delivery.chat_id, delivery.id)
            return None

    async def _send_digest(self, first: Delivery, batch: list[HeldAlert]) -> bool:
        """The alerts the chat kept back, as one message; what does not fit goes next."""
        settings = self._storage.chat_settings(first.chat_id)
        stories = len({story_key(held) for held in batch})  # one line each
        html, plain, shown = digest_message(_digest_heading(settings, stories), batch)
        return await self._send_combined(first, html, plain, shown, "digest")

    async def _send_combined(
        self, first: Delivery, html: str, plain: str, shown: list[int], what: str
    ) -> bool:
        """One message standing for several deliveries (a merged or digest message), sent as
        `first` would be (its chat, thread and attempts); those it shows are marked sent."""
        message = await self._attempt(
            replace(first, text_html=html, text_plain=plain), html, ParseMode.HTML
        )
        if message is None:
            return False
        self._storage.mark_sent_many(shown, message.message_id)
        self.sent += 1
        log.info("delivered %s chat=%d alerts=%d", what, first.chat_id, len(shown))
        return True

    def _in_chat_time(self, delivery: Delivery) -> Delivery:
        """The alert with its time line in the chat's time zone (stored in UTC)."""
        html_text, plain = self._local_time(
            delivery.id, delivery.chat_id, delivery.text_html, delivery.text_plain
        )
        return replace(delivery, text_html=html_text, text_plain=plain)

    def _local_time(
        self, delivery_id: int, chat: int, html_text: str, plain: str
    ) -> tuple[str, str]:
        """An alert's two renderings with the time line in the chat's zone (sends and edits
        alike: an edit must not turn the time back to UTC)."""
        published = self._storage.published_at(delivery_id)
        settings = self._storage.chat_settings(chat)
        if published is None or settings.timezone == "UTC":
            return html_text, plain
        zone = settings.zone
        return in_time_zone(html_text, published, zone), in_time_zone(plain, published, zone)

    def _silent(self, chat: int) -> bool:
        """Inside the chat's quiet hours messages make no sound."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        return is_silent(self._storage.chat_settings(chat), now)

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
            wait = _retry_after(exc)
            if self._limiter is not None:
                self._limiter.block(chat, self._clock() + wait)
            self._postpone(delivery, wait, "rate_limited", f"rate limited: {exc}")
        except ChatMigrated as exc:
            log.info("chat migrated chat=%d new_chat=%d", chat, exc.new_chat_id)
            self._storage.move_chat(chat, exc.new_chat_id)
            self._storage.record_event("migrated", chat)
        except Forbidden as exc:
            self._give_up(delivery, "blocked", str(exc))
        except BadRequest as exc:
            return await self._on_bad_request(delivery, exc)
        except TelegramError as exc:  # timeouts, network and server errors, the rest
            self._postpone(delivery, self._backoff(delivery), *transient_failure(exc))
        return None

    async def _on_bad_request(self, delivery: Delivery, exc: BadRequest) -> Message | None:
        reason = exc.message.lower()
        if "chat not found" in reason or "user is deactivated" in reason:
            self._give_up(delivery, "chat_not_found", exc.message)
            return None
        if delivery.thread_id is not None and _thread_gone(reason):
            return await self._to_general_topic(delivery, exc)
        if (
            "not enough rights" in reason
            or "have no rights" in reason
            or "need administrator rights" in reason  # a channel that demoted the bot
        ):
            # A group that does not let the bot post: pause it like a blocked chat (an admin
            # fixes the rights, then /start resumes it), rather than failing every alert.
            self._give_up(delivery, "no_rights", exc.message)
            return None
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
            wait = _retry_after(plain_exc)
            if self._limiter is not None:
                self._limiter.block(delivery.chat_id, self._clock() + wait)
            self._postpone(delivery, wait, "rate_limited", f"rate limited: {plain_exc}")
        except BadRequest as plain_exc:
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

    async def _to_general_topic(self, delivery: Delivery, exc: BadRequest) -> Message | None:
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
            replace(delivery, thread_id=None), delivery.text_html, ParseMode.HTML
        )

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


def _digest_heading(settings: ChatSettings, count: int) -> str:
    """The first line of a message of kept-back alerts: why they were kept, and how many
    stories (lines) it lists."""
    stories = f"{count} {'story' if count == 1 else 'stories'}"
    if settings.digest != "off":
        return f"🗞 Your {settings.digest} digest: {stories}"
    if settings.quiet_hold and settings.has_quiet_hours and not settings.paused:
        return f"🗞 Kept back during your quiet hours: {stories}"
    return f"🗞 Kept back while alerts were paused: {stories}"


def _thread_gone(reason: str) -> bool:
    return "thread not found" in reason or "topic_deleted" in reason
