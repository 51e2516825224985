"""One poll of one feed, as a recipe: fetch → parse → dedupe → match → summarise → queue.

A failing feed becomes a FeedOutcome carrying the error, never an exception that stops the
caller. On a feed's first successful poll everything it shows is recorded as seen and nothing is
alerted, so starting the bot (or adding a feed, or pointing a feed at a new URL) never floods
chats with old news. When to poll next is the scheduler's business (see polling.py).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp

from .article import articles_wanted, fetch_article_texts, with_article
from .catalog import Feed
from .errors import FeedGone, FetchError, ParseError, Throttled
from .fetch import fetch_feed
from .match import Matcher
from .models import Alert, FetchResult, Item, NotModified
from .parse import parse_feed
from .polling import DEFAULT_POLICY, PollPolicy, admit, is_flood, should_report_failure
from .storage import FeedState, Storage
from .watches import WatchIndex, decide

log = logging.getLogger(__name__)

# Runs the parser off the event loop (a thread, or a process pool at scale).
Parser = Callable[[str, FetchResult], Awaitable[list[Item]]]


async def parse_in_thread(feed_name: str, fetched: FetchResult) -> list[Item]:
    return await asyncio.to_thread(parse_feed, feed_name, fetched)


class ProcessParser:
    """Parses in worker processes. feedparser is pure Python and CPU-bound, so threads share
    one core; with thousands of feeds a pool uses them all. Workers are spawned, not forked:
    forking a process that runs an event loop and threads is unsafe."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"))

    async def __call__(self, feed_name: str, fetched: FetchResult) -> list[Item]:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, parse_feed, feed_name, fetched)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): the pool refuses all work from now on.
            # Start a fresh one and try this feed once more.
            log.error("parser pool broken; starting a new one feed=%r", feed_name)
            broken, self._pool = self._pool, self._new_pool()
            broken.shutdown(wait=False, cancel_futures=True)
            return await loop.run_in_executor(self._pool, parse_feed, feed_name, fetched)

    def worker_pids(self) -> list[int]:
        """For measuring CPU and memory (bench/poll.py)."""
        return list((self._pool._processes or {}).keys())

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class FeedOutcome:
    """What one poll did: counts for the log, the alerts it decided, or the error."""

    feed: str
    items: int = 0
    new: int = 0
    alerts: tuple[Alert, ...] = ()
    queued: int = 0
    first_poll: bool = False
    error: str | None = None
    not_modified: bool = False
    failures: int = 0  # polls failed in a row, this one included
    throttled: bool = False
    retry_after: float | None = None
    gone: bool = False
    too_old: int = 0  # new items published before the age cutoff: recorded, not alerted
    suppressed: int = 0  # alerts held back because the feed flooded
    report: str | None = None  # something the admins should hear about


async def process_feed(
    feed: Feed,
    *,
    http: aiohttp.ClientSession,
    storage: Storage,
    matcher: Matcher,
    parser: Parser = parse_in_thread,
    policy: PollPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    watches: WatchIndex | None = None,
) -> FeedOutcome:
    """Poll `feed` once and queue alerts for its new items that match a topic or a chat's
    watch (`watches`)."""
    now = now or datetime.now(UTC)
    state = _current_state(feed, storage)
    if state is not None and state.gone_at:
        return FeedOutcome(feed.name, error=state.last_error, gone=True)
    poll_url = state.poll_url if state else feed.url
    validators = state.validators if state else None
    try:
        fetched = await fetch_feed(http, poll_url, validators, max_bytes=policy.max_bytes)
        if isinstance(fetched, NotModified):
            storage.record_not_modified(
                feed.name, feed.url, fetched.validators, fetched.moved_to, now
            )
            return FeedOutcome(feed.name, not_modified=True)
        items = await parser(feed.name, fetched)
    except FeedGone as exc:
        storage.mark_gone(feed.name, feed.url, str(exc), now)
        report = (
            f"Feed {feed.name!r} is gone ({exc}) and will not be polled again; "
            "fix or remove its URL in feeds.toml."
        )
        return FeedOutcome(feed.name, error=str(exc), gone=True, report=report)
    except Throttled as exc:
        return _failed(feed, storage, str(exc), now, policy, exc.retry_after, throttled=True)
    except (FetchError, ParseError) as exc:
        return _failed(feed, storage, str(exc), now, policy)
    except Exception as exc:  # a parser bug on one feed must be recorded, never stop it silently
        log.exception("parsing crashed feed=%r", feed.name)
        return _failed(feed, storage, f"parser crashed: {type(exc).__name__}: {exc}", now, policy)
    if feed.fetch_article:
        items = await _with_articles(feed, items, state, storage, http, policy, now)
    return _record(feed, fetched, items, state, storage, matcher, policy, now, watches)


def _current_state(feed: Feed, storage: Storage) -> FeedState | None:
    state = storage.feed_state(feed.name)
    if state is not None and state.url != feed.url:
        log.info(
            "feed url changed feed=%r url=%r: next success is a first poll", feed.name, feed.url
        )
        storage.restart_feed(feed.name, feed.url)
        state = storage.feed_state(feed.name)
    return state


async def _with_articles(
    feed: Feed,
    items: list[Item],
    state: FeedState | None,
    storage: Storage,
    http: aiohttp.ClientSession,
    policy: PollPolicy,
    now: datetime,
) -> list[Item]:
    """`items` with the article text of the new title-only ones as their summary, before
    matching, since such an item may match only on its body (see article.py). Never on a
    first poll, which alerts nothing."""
    if state is None or state.first_success_at is None:
        return items
    wanted = articles_wanted(storage.unseen(feed.name, items), len(items), now, policy)
    texts = await fetch_article_texts(http, wanted, feed=feed.name, budget=policy.article_timeout)
    return [with_article(item, texts[item.key]) if item.key in texts else item for item in items]


def _record(
    feed: Feed,
    fetched: FetchResult,
    items: list[Item],
    state: FeedState | None,
    storage: Storage,
    matcher: Matcher,
    policy: PollPolicy,
    now: datetime,
    watches: WatchIndex | None = None,
) -> FeedOutcome:
    first_poll = state is None or state.first_success_at is None
    fresh = storage.unseen(feed.name, items)
    admitted = admit(fresh, now, policy)
    alerts = (
        [] if first_poll else [a for i in admitted.eligible if (a := decide(i, matcher, watches))]
    )
    suppressed = 0
    if is_flood(len(fresh), len(items), policy) and len(alerts) > policy.flood_limit:
        suppressed = len(alerts) - policy.flood_limit
        for alert in alerts[:suppressed]:
            log.warning("flood suppressed feed=%r item=%r", feed.name, alert.item.link)
        alerts = alerts[suppressed:]  # the newest ones
    queued = storage.record_poll(
        feed.name, feed.url, items, alerts, fetched.validators, fetched.moved_to, now
    )
    outcome = FeedOutcome(
        feed.name,
        items=len(items),
        new=len(fresh),
        alerts=tuple(alerts),
        queued=queued,
        first_poll=first_poll,
        too_old=0 if first_poll else len(admitted.too_old),
        suppressed=suppressed,
    )
    _log(outcome)
    return outcome


def _failed(
    feed: Feed,
    storage: Storage,
    error: str,
    now: datetime,
    policy: PollPolicy,
    retry_after: float | None = None,
    *,
    throttled: bool = False,
) -> FeedOutcome:
    state = storage.record_failure(feed.name, feed.url, error, now)
    log.warning(
        "poll failed feed=%r error=%r failures_in_a_row=%d", feed.name, error, state.failures
    )
    report = None
    since = datetime.fromisoformat(state.failing_since) if state.failing_since else now
    if not state.failure_reported and should_report_failure(since, now, policy):
        storage.mark_failure_reported(feed.name)
        report = (
            f"Feed {feed.name!r} has failed since {state.failing_since} "
            f"({state.failures} polls in a row): {error}"
        )
    return FeedOutcome(
        feed.name,
        error=error,
        failures=state.failures,
        throttled=throttled,
        retry_after=retry_after,
        report=report,
    )


def _log(outcome: FeedOutcome) -> None:
    if outcome.first_poll:
        log.info(
            "first poll feed=%r items=%d: recorded as seen, nothing alerted",
            outcome.feed,
            outcome.items,
        )
        return
    log.info(
        "polled feed=%r items=%d new=%d alerts=%d deliveries=%d too_old=%d suppressed=%d",
        outcome.feed,
        outcome.items,
        outcome.new,
        len(outcome.alerts),
        outcome.queued,
        outcome.too_old,
        outcome.suppressed,
    )
    for alert in outcome.alerts:
        log.info("alert feed=%r item=%r topics=%s", outcome.feed, alert.item.link, alert.topics)
