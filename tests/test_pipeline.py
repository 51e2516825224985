"""One poll of one feed against the local feed server, with a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.catalog import Feed, load_catalog
from bot.fetch import new_session
from bot.match import Matcher
from bot.pipeline import FeedOutcome, ProcessParser, process_feed
from bot.storage import Storage

from .feed_server import Broken, Entry, FeedServer


@pytest.fixture
def matcher(config_dir: Path) -> Matcher:
    return Matcher(load_catalog(config_dir))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with new_session(timeout=5.0) as session:
        yield session


@pytest.fixture
def poll(
    feed_server: FeedServer, http: aiohttp.ClientSession, storage: Storage, matcher: Matcher
) -> object:
    async def run(name: str = "world") -> FeedOutcome:
        feed = Feed(name, feed_server.url(name), 60)
        return await process_feed(feed, http=http, storage=storage, matcher=matcher)

    return run


async def test_first_poll_records_everything_and_alerts_nothing(
    feed_server: FeedServer, poll: object, storage: Storage
) -> None:
    feed_server.publish("world", Entry("a", "Putin sends troops"), Entry("b", "Kyiv under fire"))
    first = await poll()  # type: ignore[operator]
    assert first.first_poll
    assert first.items == 2
    assert first.alerts == ()
    assert storage.due_deliveries(now=1e12) == []

    feed_server.publish("world", Entry("c", "Kyiv talks resume"))
    second = await poll()  # type: ignore[operator]
    assert not second.first_poll
    assert [a.item.key for a in second.alerts] == ["c"]
    assert second.queued == 1


async def test_an_item_is_alerted_once_however_often_it_is_seen(
    feed_server: FeedServer, poll: object, storage: Storage
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    await poll()  # type: ignore[operator]
    feed_server.publish("world", Entry("hot", "Kyiv talks resume"))
    await poll()  # type: ignore[operator]
    third = await poll()  # type: ignore[operator]
    assert third.new == 0
    assert third.alerts == ()
    assert len(storage.due_deliveries(now=1e12)) == 1


async def test_non_matching_and_excluded_items_queue_nothing(
    feed_server: FeedServer, poll: object, storage: Storage
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    await poll()  # type: ignore[operator]
    feed_server.publish(
        "world", Entry("x", "Local elections draw record turnout"), Entry("y", "Dynamo Kyiv win")
    )
    outcome = await poll()  # type: ignore[operator]
    assert outcome.new == 2
    assert outcome.alerts == ()
    assert storage.due_deliveries(now=1e12) == []


@pytest.mark.parametrize(
    "broken",
    [
        Broken(status=500, body=b"oops"),
        Broken(status=404, body=b"gone"),
        Broken(status=200, body=b"<html><body>Login required</body></html>"),
        Broken(status=200, body=b""),
        Broken(status=200, body=b"\x00\xff garbage \x89PNG"),
    ],
)
async def test_a_broken_feed_is_an_error_never_zero_new_items(
    feed_server: FeedServer, poll: object, storage: Storage, broken: Broken
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    feed_server.break_feed("world", broken)
    outcome = await poll()  # type: ignore[operator]
    assert outcome.error
    assert not storage.has_succeeded("world"), "a failure is not a first successful poll"

    feed_server.publish("world", Entry("later", "Kyiv talks"))  # the feed recovers
    recovered = await poll()  # type: ignore[operator]
    assert recovered.first_poll
    assert recovered.error is None


async def test_unreachable_server_is_a_recorded_error(
    http: aiohttp.ClientSession, storage: Storage, matcher: Matcher
) -> None:
    feed = Feed("dead", "http://127.0.0.1:9/feed.xml", 60)
    outcome = await process_feed(feed, http=http, storage=storage, matcher=matcher)
    assert outcome.error
    assert outcome.failures == 1
    assert storage.record_failure("dead", feed.url, "again").failures == 2


@pytest.mark.slow
async def test_a_process_pool_parses_like_the_thread(
    feed_server: FeedServer, http: aiohttp.ClientSession, storage: Storage, matcher: Matcher
) -> None:
    parser = ProcessParser(1)
    try:
        feed = Feed("world", feed_server.url("world"), 60)
        feed_server.publish("world", Entry("seed", "Weather"))
        await process_feed(feed, http=http, storage=storage, matcher=matcher, parser=parser)
        feed_server.publish("world", Entry("hot", "Kyiv talks resume"))
        outcome = await process_feed(
            feed, http=http, storage=storage, matcher=matcher, parser=parser
        )
    finally:
        parser.close()
    assert [a.item.key for a in outcome.alerts] == ["hot"]
