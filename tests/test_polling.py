"""Polling decisions across polls: moves, gone feeds, failure reports, floods, old items,
identity, pruning and backoff. Real HTTP and SQLite; time is passed in, never waited for."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.catalog import Feed, load_catalog
from bot.fetch import new_session
from bot.match import Matcher
from bot.pipeline import FeedOutcome, process_feed
from bot.polling import PollPolicy, next_delay
from bot.storage import Storage

from .feed_server import Entry, FeedServer, Reply

T0 = datetime(2022, 2, 24, 4, 0, tzinfo=UTC)
Poll = Callable[..., Awaitable[FeedOutcome]]


@pytest.fixture
async def poll(feed_server: FeedServer, storage: Storage, config_dir: Path) -> AsyncIterator[Poll]:
    matcher = Matcher(load_catalog(config_dir))
    async with new_session(timeout=5.0) as http:

        async def run(
            name: str = "world",
            *,
            url: str | None = None,
            now: datetime = T0,
            policy: PollPolicy | None = None,
        ) -> FeedOutcome:
            feed = Feed(name, url or feed_server.url(name), 60)
            return await process_feed(
                feed,
                http=http,
                storage=storage,
                matcher=matcher,
                now=now,
                policy=policy or PollPolicy(),
            )

        yield run


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def hot(guid: str, hours: float = 0.0, link: str = "") -> Entry:
    """A matching entry published `hours` after T0."""
    return Entry(guid, f"Kyiv update {guid}", link=link, published=at(hours))


async def test_a_permanent_redirect_is_believed_on_its_second_sighting_and_alerts_nothing_twice(
    feed_server: FeedServer, poll: Poll, storage: Storage
) -> None:
    feed_server.publish("world", hot("a"))
    feed_server.publish("new", hot("a"))  # the same feed, about to move to a new address
    await poll("world")
    for _ in range(2):
        feed_server.script("world", Reply(301, headers={"Location": feed_server.url("new")}))
    feed_server.publish("new", hot("b", 0.1))
    moved_once = await poll("world")  # first sighting: followed, not yet believed
    assert [a.item.key for a in moved_once.alerts] == ["b"]  # "a" is known: no re-alert
    state = storage.feed_state("world")
    assert state is not None
    assert state.moved_to is None
    feed_server.publish("new", hot("c", 0.2))
    await poll("world")  # second sighting in a row: the feed has moved
    state = storage.feed_state("world")
    assert state is not None
    assert state.moved_to == feed_server.url("new")

    before = feed_server.fetches["world"]
    feed_server.publish("new", hot("d", 0.3))
    outcome = await poll("world")
    assert feed_server.fetches["world"] == before, "the old URL is no longer asked"
    assert [a.item.key for a in outcome.alerts] == ["d"]  # identity stayed with the feed


async def test_a_gone_feed_is_not_polled_again_and_the_admins_are_told(
    feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.publish("world", hot("a"))
    await poll()
    feed_server.script("world", Reply(410, b"gone"))
    gone = await poll()
    assert gone.gone
    assert gone.report
    assert "gone" in gone.report
    assert "feeds.toml" in gone.report
    fetches = feed_server.fetches["world"]
    again = await poll()
    assert again.gone
    assert again.report is None
    assert feed_server.fetches["world"] == fetches


async def test_a_feed_failing_for_a_day_is_reported_once(
    feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.publish("world", hot("a"))
    await poll()
    feed_server.script("world", *[Reply(500, b"down")] * 4)
    assert (await poll(now=at(1))).report is None
    assert (await poll(now=at(20))).report is None
    late = await poll(now=at(25.5))
    assert late.report
    assert "HTTP 500" in late.report
    assert "3 polls" in late.report
    assert (await poll(now=at(30))).report is None  # once per failure streak
    feed_server.publish("world", hot("b", 31))
    assert (await poll(now=at(31))).error is None  # success resets the streak


async def test_throttling_reports_the_servers_retry_after(
    feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.script("world", Reply(429, b"slow down", headers={"Retry-After": "600"}))
    outcome = await poll()
    assert outcome.throttled
    assert outcome.retry_after == 600.0


async def test_a_flood_of_new_items_alerts_only_the_newest_few(
    feed_server: FeedServer, poll: Poll, storage: Storage
) -> None:
    feed_server.publish("world", hot("seed"))
    await poll()
    feed_server.publish("world", *[hot(f"n{i}", i / 10) for i in range(20)])
    outcome = await poll(now=at(3))
    assert outcome.new == 20
    assert outcome.suppressed == 15
    assert [a.item.key for a in outcome.alerts] == [f"n{i}" for i in range(15, 20)]
    assert len(storage.due_deliveries(now=1e12)) == 1  # one per chat at a time: order kept


async def test_a_busy_feed_is_not_a_flood(feed_server: FeedServer, poll: Poll) -> None:
    feed_server.publish(
        "world", *[Entry(f"old{i}", f"Weather {i}", published=T0) for i in range(40)]
    )
    await poll()
    feed_server.publish("world", *[hot(f"n{i}", i / 10) for i in range(8)])
    outcome = await poll(now=at(1))
    assert len(outcome.alerts) == 8
    assert outcome.suppressed == 0


async def test_items_older_than_the_cutoff_are_recorded_not_alerted(
    feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.publish("world", hot("seed"))
    await poll(now=at(100))
    feed_server.publish("world", hot("stale", 0), hot("fresh", 99))
    outcome = await poll(now=at(100))
    assert outcome.too_old == 1
    assert [a.item.key for a in outcome.alerts] == ["fresh"]
    again = await poll(now=at(101))
    assert again.new == 0  # the stale item is on record: it never alerts later either


async def test_alerts_of_one_poll_are_queued_oldest_first(
    feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.publish("world", hot("seed"))
    await poll()
    feed_server.publish("world", hot("first", 0.1), hot("second", 0.2), hot("third", 0.3))
    outcome = await poll(now=at(1))
    assert [a.item.key for a in outcome.alerts] == ["first", "second", "third"]


async def test_a_new_url_for_a_feed_starts_it_afresh(feed_server: FeedServer, poll: Poll) -> None:
    feed_server.publish("world", hot("a"))
    feed_server.publish("other", hot("x"), hot("y"))
    await poll("world")
    outcome = await poll("world", url=feed_server.url("other"))
    assert outcome.first_poll
    assert outcome.alerts == ()


async def test_pruning_forgets_only_items_gone_from_their_feed(
    feed_server: FeedServer, poll: Poll, storage: Storage
) -> None:
    feed_server.use_validators("world")
    feed_server.replace("world", hot("gone"), hot("kept"))
    await poll(now=T0)
    feed_server.replace("world", hot("kept"), hot("later", 1))
    await poll(now=at(24 * 100))
    assert storage.prune_seen(at(24 * 100) - timedelta(days=90)) == 1  # "gone" only
    for day in (200, 300, 400):  # the feed does not change for a year: 304s
        assert (await poll(now=at(24 * day))).not_modified
    assert storage.prune_seen(at(24 * 400) - timedelta(days=90)) == 0, "still in the feed"
    feed_server.replace("world", hot("kept"), hot("later", 1), hot("newest", 24 * 401))
    outcome = await poll(now=at(24 * 401))
    assert [a.item.key for a in outcome.alerts] == ["newest"]


async def test_an_item_whose_link_becomes_shared_is_not_alerted_again(
    feed_server: FeedServer, poll: Poll
) -> None:
    live = "https://news.example.org/live"
    feed_server.replace("world", hot("seed"))
    await poll()
    feed_server.replace(
        "world", hot("seed"), Entry("", "Kyiv: live updates", link=live, published=at(1))
    )
    first = await poll(now=at(1))
    assert [a.item.title for a in first.alerts] == ["Kyiv: live updates"]
    second_entry = Entry("", "Kyiv: more live updates", link=live, published=at(2))
    feed_server.replace(
        "world",
        hot("seed"),
        Entry("", "Kyiv: live updates", link=live, published=at(1)),
        second_entry,
    )
    shared = await poll(now=at(2))
    assert [a.item.title for a in shared.alerts] == ["Kyiv: more live updates"]
    feed_server.replace("world", hot("seed"), second_entry)  # the first drops off
    alone = await poll(now=at(3))
    assert alone.alerts == ()


def test_backoff_grows_with_jitter_is_capped_and_resets() -> None:
    rng = random.Random(1)
    delays = [next_delay(60, failures=n, rng=rng) for n in range(1, 10)]
    assert 60 <= delays[0] <= 72
    assert all(a < b * 1.6 for a, b in itertools.pairwise(delays))
    assert max(delays) <= 3600
    assert delays[-1] >= 3600 * 0.8
    assert next_delay(60, failures=0) == 60


@pytest.mark.parametrize(("retry_after", "expected"), [(5, 60), (600, 600), (10**9, 86400)])
def test_retry_after_is_believed_within_an_interval_and_a_day(
    retry_after: float | None, expected: float
) -> None:
    assert next_delay(60, retry_after=retry_after, throttled=True) == expected


async def test_changed_guids_on_known_links_and_titles_are_not_new(
    feed_server: FeedServer, poll: Poll
) -> None:
    links = [f"https://news.example.org/story/{n}?utm_source=rss" for n in range(3)]
    feed_server.replace("world", *[hot(f"g{n}", n / 10, link=links[n]) for n in range(3)])
    await poll()
    churned = [
        Entry(f"new-guid-{n}", f"Kyiv update g{n}", link=links[n], published=at(n / 10))
        for n in range(3)
    ]
    feed_server.replace("world", *churned)
    outcome = await poll(now=at(1))
    assert outcome.new == 0
    assert outcome.alerts == ()


async def test_a_feed_linking_every_item_to_its_home_page_still_alerts_new_items(
    feed_server: FeedServer, poll: Poll
) -> None:
    home = "https://news.example.org/"
    feed_server.replace("world", Entry("", "Kyiv: first story", link=home, published=T0))
    await poll()
    feed_server.replace("world", Entry("", "Kyiv: second story", link=home, published=at(1)))
    outcome = await poll(now=at(1))
    assert [a.item.title for a in outcome.alerts] == ["Kyiv: second story"]


async def test_an_item_edited_later_is_not_alerted_again(
    feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.replace("world", hot("seed"))
    await poll()
    feed_server.replace("world", hot("seed"), hot("story", 0.5))
    first = await poll(now=at(1))
    assert [a.item.key for a in first.alerts] == ["story"]
    edited = Entry(
        "story", "Kyiv update story (updated with new casualty figures)", published=at(0.5)
    )
    feed_server.replace("world", hot("seed"), edited)
    again = await poll(now=at(2))
    assert again.new == 0
    assert again.alerts == ()


async def test_duplicate_guids_in_one_document_do_not_hide_distinct_items(
    feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.replace("world", hot("seed"))
    await poll()
    feed_server.replace(
        "world",
        hot("seed"),
        Entry(
            "dup", "Kyiv: evacuation continues", link="https://news.example.org/a", published=at(1)
        ),
        Entry("dup", "Kyiv: talks resume", link="https://news.example.org/b", published=at(1.1)),
    )
    outcome = await poll(now=at(2))
    assert [a.item.title for a in outcome.alerts] == [
        "Kyiv: evacuation continues",
        "Kyiv: talks resume",
    ]


def test_throttling_without_a_retry_after_backs_off_like_a_failure() -> None:
    rng = random.Random(3)
    assert next_delay(60, failures=1, throttled=True, rng=rng) <= 72
    assert next_delay(60, failures=8, throttled=True, rng=rng) >= 2880
