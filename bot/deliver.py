"""Drains the outbox to Telegram: the only module that sends alerts.

Each chat gets its alerts in the order they were decided, one in flight at a time; different
chats are served side by side, paced by `ratelimit.RateLimiter` (about 28 messages a second
overall, 1/s per private chat, 20/min per group) so Telegram rarely has to say 429. At most
`max_in_flight` sends (2 by default) are outstanding, and each delivery is marked sent as soon
as Telegram accepts it: a crash can repeat only those few. A chat over its alert budget gets
its waiting alerts merged into one message. Nothing is dropped without a log line and an event
for /stats.

`Deliverer` is assembled from one part per job; this module is its loop (what may go now,
pacing, in-flight slots, holding back what a chat's settings keep):
- deliver_messages.py renders what goes out: one alert, a merged message, a digest;
- deliver_send.py sends one message and acts on Telegram's answer (429, blocked chats,
  migrations, refused HTML);
- deliver_threads.py decides where an alert goes when its forum thread is deleted or closed;
- deliver_edits.py adds "Also reported by: …" to alerts already sent: later reports of a story
  a chat already received are edits, not messages (story_store.py). Edits share the per-chat
  order and the rate limiter with sends, after them;
- deliver_shared.py holds what sends and edits share.

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
from datetime import UTC, datetime

from telegram import Bot

from .chat_settings import release_at
from .deliver_edits import StoryEdits
from .deliver_messages import Keyboard, Messages
from .deliver_shared import CRASH_PAUSE, PAGE
from .ratelimit import AlertBudget, RateLimiter
from .storage import Delivery, Storage

log = logging.getLogger(__name__)

IDLE_CHECK = 30.0  # re-check the outbox this often anyway (a chat reactivated by /start)


class Deliverer(Messages, StoryEdits):
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
