"""Each HTTP behaviour of the poller, against the local feed server: real requests, real bytes."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.errors import FeedGone, FetchError, Throttled
from bot.fetch import fetch_feed, new_session, retry_after_seconds
from bot.models import FetchResult, NotModified, Validators

from .feed_server import Entry, FeedServer, Reply, rss

BODY = rss([Entry("a", "Putin sends troops")])


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with new_session(timeout=5.0) as session:
        yield session


async def test_conditional_get_sends_the_validators_back_verbatim_and_304_skips_parsing(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.publish("f", Entry("a", "Putin sends troops"))
    feed_server.use_validators("f")
    first = await fetch_feed(http, feed_server.url("f"))
    assert isinstance(first, FetchResult)
    assert first.validators.etag
    assert first.validators.last_modified
    assert "If-None-Match" not in feed_server.requests["f"][0]

    second = await fetch_feed(http, feed_server.url("f"), first.validators)
    sent = feed_server.requests["f"][1]
    assert sent["If-None-Match"] == first.validators.etag
    assert sent["If-Modified-Since"] == first.validators.last_modified
    assert isinstance(second, NotModified)
    assert second.reason == "304"
    assert second.validators.etag == first.validators.etag


async def test_a_304_updates_only_the_validators_it_sends(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.script("f", Reply(304, headers={"ETag": '"v2"'}))
    known = Validators(etag='"v1"', last_modified="Tue, 01 Feb 2022 10:00:00 GMT", body_hash="h")
    result = await fetch_feed(http, feed_server.url("f"), known)
    assert isinstance(result, NotModified)
    assert result.validators == Validators('"v2"', known.last_modified, "h")


async def test_a_200_without_validators_drops_the_old_ones_and_never_invents_a_date(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.script("f", Reply(200, BODY, headers={"Date": "Tue, 01 Feb 2022 10:00:00 GMT"}))
    result = await fetch_feed(http, feed_server.url("f"), Validators('"old"', "Mon, 31 Jan 2022"))
    assert isinstance(result, FetchResult)
    assert result.validators.etag is None
    assert result.validators.last_modified is None  # the Date header is not a Last-Modified
    assert result.validators.body_hash


async def test_an_unchanged_body_is_not_parsed_again_when_the_server_ignores_validators(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.publish("f", Entry("a", "Putin sends troops"))
    first = await fetch_feed(http, feed_server.url("f"))
    assert isinstance(first, FetchResult)
    again = await fetch_feed(http, feed_server.url("f"), first.validators)
    assert isinstance(again, NotModified)
    assert again.reason == "unchanged body"
    feed_server.publish("f", Entry("b", "Kyiv talks"))
    changed = await fetch_feed(http, feed_server.url("f"), first.validators)
    assert isinstance(changed, FetchResult)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_compressed_feeds_are_decoded(
    feed_server: FeedServer, http: aiohttp.ClientSession, encoding: str
) -> None:
    feed_server.script("f", Reply(200, BODY, encoding=encoding))
    result = await fetch_feed(http, feed_server.url("f"))
    assert isinstance(result, FetchResult)
    assert result.content == BODY


async def test_a_gzip_bomb_is_stopped_at_the_decoded_size_cap(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    bomb = b"<rss>" + b" " * (4 * 1024 * 1024)
    assert len(gzip.compress(bomb)) < 64 * 1024  # small on the wire
    feed_server.script("f", Reply(200, bomb, encoding="gzip"))
    with pytest.raises(FetchError, match="larger than 1048576 bytes"):
        await fetch_feed(http, feed_server.url("f"), max_bytes=1024 * 1024)


async def test_a_declared_oversized_body_is_refused_before_reading(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.script("f", Reply(200, b"x" * 2048))
    with pytest.raises(FetchError, match="response of 2048 bytes is too large"):
        await fetch_feed(http, feed_server.url("f"), max_bytes=1024)


async def test_a_server_that_trickles_forever_is_cut_off_by_the_total_timeout(
    feed_server: FeedServer,
) -> None:
    feed_server.script("f", Reply(trickle=True))
    async with new_session(timeout=0.5) as http:
        with pytest.raises(FetchError, match="timed out"):
            await fetch_feed(http, feed_server.url("f"))


async def test_permanent_redirects_are_reported_as_a_move(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.publish("new", Entry("a", "Putin sends troops"))
    feed_server.script("old", Reply(301, headers={"Location": "/mid.xml"}))
    feed_server.script("mid", Reply(308, headers={"Location": feed_server.url("new")}))
    result = await fetch_feed(http, feed_server.url("old"))
    assert isinstance(result, FetchResult)
    assert result.moved_to == feed_server.url("new")
    assert result.url == feed_server.url("new")


async def test_temporary_redirects_are_followed_without_a_move(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.publish("new", Entry("a", "Putin sends troops"))
    feed_server.script("old", Reply(302, headers={"Location": feed_server.url("mid")}))
    feed_server.script("mid", Reply(301, headers={"Location": feed_server.url("new")}))
    result = await fetch_feed(http, feed_server.url("old"))
    assert isinstance(result, FetchResult)
    assert result.moved_to is None  # only a chain of permanent hops from the start is a move


async def test_redirect_loops_and_long_chains_are_refused(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.script("a", Reply(302, headers={"Location": feed_server.url("b")}))
    feed_server.script("b", Reply(302, headers={"Location": feed_server.url("a")}))
    with pytest.raises(FetchError, match="redirect loop"):
        await fetch_feed(http, feed_server.url("a"))
    for hop in range(7):
        feed_server.script(
            f"h{hop}", Reply(307, headers={"Location": feed_server.url(f"h{hop + 1}")})
        )
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await fetch_feed(http, feed_server.url("h0"))


async def test_410_means_gone(feed_server: FeedServer, http: aiohttp.ClientSession) -> None:
    feed_server.script("f", Reply(410, b"gone"))
    with pytest.raises(FeedGone, match="410"):
        await fetch_feed(http, feed_server.url("f"))


@pytest.mark.parametrize(
    ("status", "header", "expected"),
    [(429, "120", 120.0), (503, "0", 0.0), (503, None, None), (429, "soon", None)],
)
async def test_429_and_503_carry_the_retry_after(
    feed_server: FeedServer,
    http: aiohttp.ClientSession,
    status: int,
    header: str | None,
    expected: float | None,
) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    feed_server.script("f", Reply(status, b"busy", headers=headers))
    with pytest.raises(Throttled) as caught:
        await fetch_feed(http, feed_server.url("f"))
    assert caught.value.retry_after == expected


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2022, 2, 24, 4, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 24 Feb 2022 04:10:00 GMT", now) == 600.0
    assert retry_after_seconds("Thu, 24 Feb 2022 03:00:00 GMT", now) == 0.0  # in the past


async def test_other_failures_name_their_cause(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.script("f", Reply(500, b"oops"))
    with pytest.raises(FetchError, match="HTTP 500"):
        await fetch_feed(http, feed_server.url("f"))
    with pytest.raises(FetchError, match="ClientConnectorError"):
        await fetch_feed(http, "http://127.0.0.1:9/feed.xml")


async def test_requests_say_who_we_are(
    feed_server: FeedServer, http: aiohttp.ClientSession
) -> None:
    feed_server.publish("f", Entry("a", "x"))
    await fetch_feed(http, feed_server.url("f"))
    agent = feed_server.requests["f"][0]["User-Agent"]
    assert agent.startswith("newsbot/")
    assert "Telegram" in agent
    assert "gzip" in feed_server.requests["f"][0]["Accept-Encoding"]
