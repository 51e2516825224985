"""Runs a job per feed on its interval with APScheduler, with bounded concurrency.

First polls are spread over the shortest interval so many feeds do not fire in the same second;
a poll still running when its next turn comes is not started twice; an exception in a job is
logged and the schedule carries on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from .catalog import Feed

log = logging.getLogger(__name__)

FeedJob = Callable[[Feed], Awaitable[object]]


class FeedScheduler:
    """Calls `job(feed)` every `feed.interval` seconds, at most `concurrency` at a time."""

    def __init__(self, feeds: Sequence[Feed], job: FeedJob, concurrency: int = 16) -> None:
        self._feeds = tuple(feeds)
        self._job = job
        self._slots = asyncio.Semaphore(concurrency)
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        now = datetime.now(UTC)
        spread = min((f.interval for f in self._feeds), default=0)
        for index, feed in enumerate(self._feeds):
            offset = timedelta(seconds=spread * index / len(self._feeds))
            self._scheduler.add_job(
                self._run,
                "interval",
                seconds=feed.interval,
                args=[feed],
                id=feed.name,
                name=f"poll {feed.name}",
                next_run_time=now + offset,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self._scheduler.start()
        log.info("scheduler started feeds=%d", len(self._feeds))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def _run(self, feed: Feed) -> None:
        async with self._slots:
            try:
                await self._job(feed)
            except Exception:
                log.exception("poll crashed feed=%r", feed.name)
