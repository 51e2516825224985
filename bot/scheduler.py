"""Runs a job per feed with APScheduler: on its interval, or later when the feed asks for it.

First polls are spread over the feed's interval so a thousand feeds do not fire in the same
second. Concurrency is bounded overall and per host (politeness: a few requests at a time to
one server). After each poll, `polling.next_delay` decides when the next one runs (Retry-After,
exponential backoff with jitter); a feed that is gone is not polled again. A poll still running
when its next turn comes is not started twice; an exception in a job is logged and the
schedule carries on.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from .catalog import Feed
from .pipeline import FeedOutcome
from .polling import DEFAULT_POLICY, PollPolicy, next_delay

log = logging.getLogger(__name__)

FeedJob = Callable[[Feed], Awaitable[FeedOutcome]]
NextPoll = Callable[[Feed, datetime | None], None]


class FeedScheduler:
    """Calls `job(feed)` for every feed, at most `concurrency` at a time and `per_host` at a
    time per server, and tells `on_next_poll` when each feed is polled next (None: never)."""

    def __init__(
        self,
        feeds: Sequence[Feed],
        job: FeedJob,
        *,
        concurrency: int = 32,
        per_host: int = 2,
        policy: PollPolicy = DEFAULT_POLICY,
        on_next_poll: NextPoll | None = None,
    ) -> None:
        self._feeds = {feed.name: feed for feed in feeds}
        self._job = job
        self._slots = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._per_host)
        )
        self._policy = policy
        self._on_next_poll = on_next_poll
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._rng = random.Random()
        self._running: set[str] = set()

    def start(self) -> None:
        now = datetime.now(UTC)
        for index, feed in enumerate(self._feeds.values()):
            # Golden-ratio offsets spread any number of feeds evenly over their interval.
            offset = timedelta(seconds=feed.interval * ((index * 0.6180339887) % 1.0))
            self._add_job(feed, now + offset)
        self._scheduler.start()
        log.info("scheduler started feeds=%d", len(self._feeds))

    def _add_job(self, feed: Feed, when: datetime) -> None:
        self._scheduler.add_job(
            self._run,
            "interval",
            seconds=feed.interval,
            args=[feed],
            id=feed.name,
            name=f"poll {feed.name}",
            next_run_time=when,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def set_feeds(self, feeds: Sequence[Feed]) -> None:
        """Follow a reloaded config: new feeds are polled now, removed ones stop, a feed with a
        new URL is polled now (its first poll again) and one with a new interval keeps its
        next poll if that comes sooner. A poll under way finishes; its result is not used to
        plan a feed that changed meanwhile."""
        now = datetime.now(UTC)
        wanted = {feed.name: feed for feed in feeds}
        for name, feed in list(self._feeds.items()):
            if wanted.get(name) == feed:
                continue
            upcoming = self._reschedule_time(feed, wanted[name], now) if name in wanted else None
            with suppress(JobLookupError):  # a gone feed has no job any more
                self._scheduler.remove_job(name)
            del self._feeds[name]
            if upcoming is None:
                self._tell(feed, None)
                log.info("feed removed feed=%r", name)
                continue
            new = self._feeds[name] = wanted[name]
            self._add_job(new, upcoming)
            self._tell(new, upcoming)
            log.info("feed changed feed=%r url=%r interval=%d", name, new.url, new.interval)
        for name, feed in wanted.items():
            if name not in self._feeds:
                self._feeds[name] = feed
                self._add_job(feed, now)
                self._tell(feed, now)
                log.info("feed added feed=%r", name)

    def _reschedule_time(self, old: Feed, new: Feed, now: datetime) -> datetime:
        if old.url != new.url:
            return now
        planned = self.next_poll(old.name)
        soonest = now + timedelta(seconds=new.interval)
        return min(planned, soonest) if planned is not None else soonest

    def every(self, period: timedelta, task: Callable[[], Awaitable[None]], name: str) -> None:
        """Run the coroutine function `task` (housekeeping) every `period`, first one period
        from now. A coroutine, so it runs on the event loop: a plain function would run in a
        worker thread, where the SQLite connection refuses to be used."""
        self._scheduler.add_job(
            task, "interval", seconds=period.total_seconds(), id=f"~{name}", name=name
        )

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def poll_now(self, name: str) -> str:
        """Run the feed's poll as soon as a slot is free: "started", "running" (a poll is
        under way; a second would be skipped), or "unknown" (no such feed, or it is gone)."""
        if name in self._running:
            return "running"
        try:
            self._scheduler.modify_job(name, next_run_time=datetime.now(UTC))
        except JobLookupError:
            return "unknown"
        return "started"

    def next_poll(self, name: str) -> datetime | None:
        job = self._scheduler.get_job(name)
        return job.next_run_time if job is not None else None

    async def _run(self, feed: Feed) -> None:
        host = urlsplit(feed.url).hostname or ""
        self._running.add(feed.name)
        try:
            # The host's slot first: a feed queued behind its own server must not hold one of
            # the global slots that feeds on other servers could use.
            async with self._hosts[host], self._slots:
                outcome = await self._job(feed)
        except asyncio.CancelledError:
            # Shutdown cancelled a poll in flight or waiting for a slot. Storage writes are
            # transactions, so nothing is half-done; returning keeps APScheduler from logging
            # an "error" per feed.
            log.debug("poll cancelled by shutdown feed=%r", feed.name)
            return
        except Exception:
            log.exception("poll crashed feed=%r", feed.name)
            return
        finally:
            self._running.discard(feed.name)
        self._plan_next(feed, outcome)

    def _plan_next(self, feed: Feed, outcome: FeedOutcome) -> None:
        if self._feeds.get(feed.name) != feed:  # removed or changed by a reload meanwhile
            return
        if outcome.gone:
            self._scheduler.remove_job(feed.name)
            self._tell(feed, None)
            return
        delay = next_delay(
            feed.interval,
            failures=outcome.failures,
            retry_after=outcome.retry_after,
            throttled=outcome.throttled,
            policy=self._policy,
            rng=self._rng,
        )
        when = datetime.now(UTC) + timedelta(seconds=delay)
        if delay > feed.interval:
            log.info("next poll delayed feed=%r seconds=%.0f", feed.name, delay)
            self._scheduler.modify_job(feed.name, next_run_time=when)
        self._tell(feed, when)

    def _tell(self, feed: Feed, when: datetime | None) -> None:
        if self._on_next_poll is not None:
            self._on_next_poll(feed, when)
