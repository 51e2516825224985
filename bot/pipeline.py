"""One poll of one feed, as a recipe: fetch → parse → dedupe → match → summarise → queue.

A failing feed becomes a FeedOutcome carrying the error, never an exception that stops the
caller. On a feed's first successful poll everything it shows is recorded as seen and nothing is
alerted, so starting the bot (or adding a feed) never floods chats with old news.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp

from .catalog import Feed
from .errors import FetchError, ParseError
from .fetch import fetch_feed
from .match import Matcher
from .models import Alert
from .parse import parse_feed
from .storage import Storage
from .summarise import summarise

log = logging.getLogger(__name__)


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


async def process_feed(
    feed: Feed, *, http: aiohttp.ClientSession, storage: Storage, matcher: Matcher
) -> FeedOutcome:
    """Poll `feed` once and queue alerts for its new matching items."""
    try:
        fetched = await fetch_feed(http, feed.url)
        items = await asyncio.to_thread(parse_feed, feed.name, fetched)
    except (FetchError, ParseError) as exc:
        return _failed(feed, storage, str(exc))
    except Exception as exc:  # a parser bug on one feed must be recorded, never stop it silently
        log.exception("parsing crashed feed=%r", feed.name)
        return _failed(feed, storage, f"parser crashed: {type(exc).__name__}: {exc}")
    first_poll = not storage.has_succeeded(feed.name)
    fresh = storage.unseen(feed.name, items)
    alerts = [] if first_poll else [summarise(i, m) for i in fresh if (m := matcher.match(i))]
    queued = storage.record_poll(feed.name, feed.url, fresh, alerts)
    outcome = FeedOutcome(feed.name, len(items), len(fresh), tuple(alerts), queued, first_poll)
    _log(outcome)
    return outcome


def _failed(feed: Feed, storage: Storage, error: str) -> FeedOutcome:
    failures = storage.record_failure(feed.name, feed.url, error)
    log.warning("poll failed feed=%r error=%r failures_in_a_row=%d", feed.name, error, failures)
    return FeedOutcome(feed.name, error=error)


def _log(outcome: FeedOutcome) -> None:
    if outcome.first_poll:
        log.info(
            "first poll feed=%r items=%d: recorded as seen, nothing alerted",
            outcome.feed,
            outcome.items,
        )
        return
    log.info(
        "polled feed=%r items=%d new=%d alerts=%d deliveries=%d",
        outcome.feed,
        outcome.items,
        outcome.new,
        len(outcome.alerts),
        outcome.queued,
    )
    for alert in outcome.alerts:
        log.info("alert feed=%r item=%r topics=%s", outcome.feed, alert.item.link, alert.topics)
