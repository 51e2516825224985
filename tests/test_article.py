"""Article pages for feeds that send only titles (`fetch_article = true`), against the local
feed server: what is fetched, what the alert says, and how every failure falls back to the
title. The article pages below are written for these tests (fictional events)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.article import (
    ARTICLE_TEXT_LIMIT,
    HTML_TYPES,
    extract_text,
    fetch_article_text,
    with_article,
)
from bot.catalog import Feed, load_catalog
from bot.errors import ConfigError, FetchError
from bot.fetch import fetch_page, new_session
from bot.match import Matcher
from bot.models import FetchResult, Item
from bot.pipeline import FeedOutcome, process_feed
from bot.polling import PollPolicy
from bot.settings import Settings
from bot.storage import Storage

from .conftest import feeds_toml, running
from .fake_bot_api import FakeBotAPI
from .feed_server import Entry, FeedServer, Page
from .test_cli import run

LEAD = (
    "Negotiators from both delegations left the conference centre in Kyiv late on Tuesday "
    "without signing the draft agreement on river shipping that had been expected all week."
)
SECOND = (
    "A spokesperson for the hosts said the talks would resume next month, and that the "
    "remaining differences concerned the inspection of barges rather than the routes."
)
THIRD = (
    "Observers had cautioned beforehand that a single round of meetings was unlikely to "
    "settle questions that had stayed open for more than a year."
)
BOILERPLATE = ("We use cookies to improve your experience", "Most read", "All rights reserved")
PROBES = ("canonical-probe", "script-probe", "image-probe", "iframe-probe", "style-probe")


def article_html(base: str, title: str, *paragraphs: str) -> bytes:
    """A news page as sites serve them: navigation, a cookie banner, side links, a footer, and
    references to other resources on the same server that an extractor must never fetch."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Example News</title>
<link rel="canonical" href="{base}/pages/canonical-probe">
<link rel="stylesheet" href="{base}/pages/style-probe">
<script src="{base}/pages/script-probe"></script></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all?</div></header>
<main><article><h1>{title}</h1><p class="byline">By A. Writer, 12 March</p>
<figure><img src="{base}/pages/image-probe" alt=""></figure>{body}</article>
<aside><h2>Most read</h2><ul><li><a href="/a">A baker in Ostrava wins a prize</a></li>
<li><a href="/b">Snow closes a mountain pass</a></li></ul></aside></main>
<iframe src="{base}/pages/iframe-probe"></iframe>
<footer>© Example News. All rights reserved.</footer></body></html>""".encode()


@pytest.fixture
def matcher(config_dir: Path) -> Matcher:
    return Matcher(load_catalog(config_dir))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # Much longer than any article budget below: the budget, not the session, must end waits.
    async with new_session(timeout=60.0) as session:
        yield session


Poll = Callable[..., Awaitable[FeedOutcome]]


@pytest.fixture
def poll(
    feed_server: FeedServer, http: aiohttp.ClientSession, storage: Storage, matcher: Matcher
) -> Poll:
    async def run(*, fetch_article: bool = True, policy: PollPolicy | None = None) -> FeedOutcome:
        feed = Feed("World", feed_server.url("world"), 60, fetch_article=fetch_article)
        return await process_feed(
            feed, http=http, storage=storage, matcher=matcher, policy=policy or PollPolicy()
        )

    return run


async def seeded(feed_server: FeedServer, poll: Poll) -> None:
    """The feed's first poll is behind us: from now on its new items may alert."""
    feed_server.publish("world", Entry("seed", "Weather"))
    first = await poll()
    assert first.first_poll


async def test_the_article_text_is_matched_and_summarised(
    feed_server: FeedServer, poll: Poll
) -> None:
    await seeded(feed_server, poll)
    title = "Talks end without agreement"  # matches no topic: only the body names Kyiv
    page = article_html(feed_server.base_url, title, LEAD, SECOND, THIRD)
    feed_server.serve_page("talks", Page(page))
    feed_server.publish("world", Entry("talks", title, link=feed_server.page_url("talks")))

    outcome = await poll()

    assert [a.topics for a in outcome.alerts] == [("russia-ukraine",)]
    alert = outcome.alerts[0]
    assert "Negotiators from both delegations" in alert.plain
    assert "<b>Kyiv</b>" in alert.html
    assert not any(text in alert.plain for text in BOILERPLATE)
    assert [hit.field for hit in alert.matches[0].hits] == ["summary"]
    # The page was read once, and nothing it refers to was fetched by the extractor.
    assert feed_server.page_requests == {"talks": 1}


async def test_a_hanging_article_page_costs_at_most_the_budget(
    feed_server: FeedServer, poll: Poll
) -> None:
    await seeded(feed_server, poll)
    feed_server.serve_page("slow", Page(hang=True))
    link = feed_server.page_url("slow")
    feed_server.publish("world", Entry("slow", "Kyiv talks end without agreement", link=link))

    started = time.monotonic()
    outcome = await poll(policy=PollPolicy(article_timeout=0.3))
    elapsed = time.monotonic() - started

    assert feed_server.page_requests["slow"] == 1
    assert [a.item.title for a in outcome.alerts] == ["Kyiv talks end without agreement"]
    assert outcome.alerts[0].item.summary == ""
    # Generous for a loaded machine; without the budget the session would wait 60 s.
    assert elapsed < 5.0


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(Page(b"<html><body>" + b"<p>word </p>" * 300_000), id="too-large"),
        pytest.param(
            Page(b"<html><body>" + b"<p>word </p>" * 300_000, chunked=True),
            id="too-large-without-length",
        ),
        pytest.param(Page(b"%PDF-1.7 " + LEAD.encode(), content_type="application/pdf"), id="pdf"),
        pytest.param(Page(b'{"text": "Kyiv"}', content_type="application/json"), id="json"),
        pytest.param(Page(b"<html>oops</html>", status=500), id="server-error"),
        pytest.param(Page(b"<html><body><nav>Home</nav></body></html>"), id="no-text"),
        pytest.param(Page(b"\x00\xff\xfe garbage \x89PNG"), id="garbage"),
    ],
)
async def test_a_page_that_cannot_be_read_leaves_the_title_alone(
    feed_server: FeedServer, poll: Poll, page: Page
) -> None:
    await seeded(feed_server, poll)
    feed_server.serve_page("bad", page)
    link = feed_server.page_url("bad")
    feed_server.publish("world", Entry("bad", "Kyiv talks end without agreement", link=link))

    outcome = await poll()

    assert feed_server.page_requests["bad"] == 1
    assert [a.item.summary for a in outcome.alerts] == [""]
    assert "Kyiv talks end without agreement" in outcome.alerts[0].plain


async def test_a_redirect_to_the_article_is_followed(feed_server: FeedServer, poll: Poll) -> None:
    await seeded(feed_server, poll)
    page = article_html(feed_server.base_url, "Talks end", LEAD, SECOND)
    feed_server.serve_page("real", Page(page))
    feed_server.serve_page("short", Page(status=302, headers={"Location": "/pages/real"}))
    feed_server.publish("world", Entry("t", "Talks end", link=feed_server.page_url("short")))

    outcome = await poll()

    assert "Negotiators" in outcome.alerts[0].plain
    assert feed_server.page_requests == {"short": 1, "real": 1}


async def test_the_first_poll_fetches_no_article(feed_server: FeedServer, poll: Poll) -> None:
    for name in ("one", "two"):
        feed_server.serve_page(name, Page(article_html(feed_server.base_url, name, LEAD)))
        feed_server.publish("world", Entry(name, f"Talks {name}", link=feed_server.page_url(name)))

    outcome = await poll()

    assert outcome.first_poll
    assert feed_server.page_requests == {}


async def test_only_new_title_only_items_of_an_article_feed_are_fetched(
    feed_server: FeedServer, poll: Poll
) -> None:
    base = feed_server.base_url
    for name in ("old", "described", "bare"):
        feed_server.serve_page(name, Page(article_html(base, name, LEAD, SECOND)))
    feed_server.publish("world", Entry("old", "Talks begin", link=feed_server.page_url("old")))
    await poll()
    feed_server.publish(
        "world",
        Entry("described", "Talks", "Kyiv hosts a round.", link=feed_server.page_url("described")),
        Entry("echo", "Talks resume", "Talks resume", link=feed_server.page_url("echo")),
        Entry("bare", "Talks end", link=feed_server.page_url("bare")),
    )

    outcome = await poll()

    # "echo" repeats its title as its description: that is no description, so it is fetched
    # (and is a 404 here, so it stays title-only and matches nothing).
    assert feed_server.page_requests == {"bare": 1, "echo": 1}
    assert sorted(a.item.key for a in outcome.alerts) == ["bare", "described"]
    again = await poll()
    assert again.new == 0
    assert feed_server.page_requests == {"bare": 1, "echo": 1}


async def test_a_feed_without_the_option_never_fetches_articles(
    feed_server: FeedServer, poll: Poll
) -> None:
    await seeded(feed_server, poll)
    feed_server.serve_page("t", Page(article_html(feed_server.base_url, "Talks end", LEAD)))
    feed_server.publish("world", Entry("t", "Talks end", link=feed_server.page_url("t")))

    outcome = await poll(fetch_article=False)

    assert outcome.new == 1
    assert outcome.alerts == ()
    assert feed_server.page_requests == {}


async def test_a_flood_fetches_no_more_pages_than_it_may_alert(
    feed_server: FeedServer, poll: Poll
) -> None:
    await seeded(feed_server, poll)
    entries = []
    for number in range(20):
        name = f"p{number:02d}"
        page = article_html(feed_server.base_url, f"Talks, day {number}", LEAD, SECOND)
        feed_server.serve_page(name, Page(page))
        entries.append(Entry(name, f"Talks, day {number}", link=feed_server.page_url(name)))
    feed_server.replace("world", *entries)  # every guid new at once: a flood

    outcome = await poll(policy=PollPolicy(flood_limit=3))

    assert sorted(feed_server.page_requests) == ["p17", "p18", "p19"]  # the newest three
    assert sorted(a.item.key for a in outcome.alerts) == ["p17", "p18", "p19"]
    assert outcome.suppressed == 0


def test_the_summary_keeps_the_lead_escaped() -> None:
    item = Item("World", "k", "Title", "https://news.example.org/k")
    long_paragraph = "word " * (ARTICLE_TEXT_LIMIT // 5)
    text = "\n".join(["Profits < costs & more", "Second paragraph.", long_paragraph, "Never."])

    summary = with_article(item, text).summary

    assert summary == "<p>Profits &lt; costs &amp; more</p><p>Second paragraph.</p>"
    assert len(with_article(item, long_paragraph * 3).summary) <= ARTICLE_TEXT_LIMIT + 7
    assert replace(item, summary="") == item


FEED = '[[feeds]]\nname = "Wire"\nurl = "https://wire.example.org/rss"\n'


@pytest.mark.parametrize(
    ("line", "expected"),
    [("", False), ("fetch_article = true\n", True), ("fetch_article = false\n", False)],
)
def test_fetch_article_is_read_from_feeds_toml(config_dir: Path, line: str, expected: bool) -> None:
    (config_dir / "feeds.toml").write_text(FEED + line, encoding="utf-8")
    assert [f.fetch_article for f in load_catalog(config_dir).feeds] == [expected]


@pytest.mark.parametrize("value", ['"yes"', "1", '"true"'])
def test_fetch_article_must_be_a_boolean(config_dir: Path, value: str) -> None:
    (config_dir / "feeds.toml").write_text(FEED + f"fetch_article = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_catalog(config_dir)
    message = str(raised.value)
    assert 'feeds.toml: feeds[0] (name = "Wire").fetch_article: must be true or false' in message


def test_check_config_and_feeds_name_the_feeds_that_fetch_articles(tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text('[topics.t]\ntitle = "T"\nmatch_any = ["Kyiv"]\n')
    (tmp_path / "feeds.toml").write_text(
        FEED
        + "fetch_article = true\n\n"
        + '[[feeds]]\nname = "Full"\nurl = "https://full.example.org/rss"\n',
        encoding="utf-8",
    )
    env = {"BOT_CONFIG_DIR": str(tmp_path), "BOT_DB": str(tmp_path / "none.sqlite3")}
    for command in ("check-config", "feeds"):
        result = run(command, **env, BOT_ARTICLE_TIMEOUT="2.5")
        assert result.returncode == 0, result.stderr
        note = "Article pages of title-only items are fetched for 1 feed(s), 2.5 s per poll at most: Wire"
        assert note in result.stdout


@pytest.mark.slow
async def test_the_running_bot_sends_the_article_lead(
    feed_server: FeedServer,
    bot_api: FakeBotAPI,
    config_dir: Path,
    make_settings: Callable[..., Settings],
) -> None:
    toml = feeds_toml({"World": feed_server.url("world")}) + "fetch_article = true\n"
    (config_dir / "feeds.toml").write_text(toml, encoding="utf-8")
    feed_server.publish("world", Entry("seed", "Weather"))
    page = article_html(feed_server.base_url, "Talks end without agreement", LEAD, SECOND)
    feed_server.serve_page("talks", Page(page))

    async with running(make_settings(article_timeout=10)):
        await bot_api.user_says(1001, "/subscribe russia-ukraine")
        await bot_api.wait_for_messages(1001, 1)
        await feed_server.wait_for_fetches("world", 2)  # the first poll is done
        link = feed_server.page_url("talks")
        feed_server.publish("world", Entry("talks", "Talks end without agreement", link=link))
        alert = (await bot_api.wait_for_messages(1001, 2))[1]

    assert "Talks end without agreement" in alert.text
    assert "Negotiators from both delegations" in alert.text
    assert feed_server.page_requests == {"talks": 1}


CYRILLIC_LEAD = (
    "В Киеве завершились переговоры делегаций о речном судоходстве без подписания "
    "соглашения, сообщили организаторы встречи во вторник вечером."
)


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=windows-1251", "text/html", "text/html; charset=utf-8"],
    ids=["labelled", "meta-only", "mislabelled"],
)
def test_the_page_charset_is_honoured_or_found(content_type: str) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        f"</head><body><nav>Главная</nav><article><h1>Переговоры</h1><p>{CYRILLIC_LEAD}</p>"
        "<p>Следующий раунд встреч намечен на будущий месяц.</p></article></body></html>"
    ).encode("cp1251")
    text = extract_text(
        FetchResult("https://news.example.org/a", page, {"Content-Type": content_type})
    )
    assert text is not None
    assert CYRILLIC_LEAD in text


async def test_three_pages_at_a_time_and_none_started_after_the_budget(
    feed_server: FeedServer, poll: Poll
) -> None:
    await seeded(feed_server, poll)
    names = [f"slow{number}" for number in range(5)]
    for name in names:
        feed_server.serve_page(name, Page(hang=True))
    feed_server.publish(
        "world", *(Entry(n, f"Kyiv talks, part {n}", link=feed_server.page_url(n)) for n in names)
    )

    outcome = await poll(policy=PollPolicy(article_timeout=1.0))

    assert sum(feed_server.page_requests.values()) == 3
    assert len(outcome.alerts) == 5  # every one with its title alone
    assert {a.item.summary for a in outcome.alerts} == {""}


async def test_items_too_old_to_alert_are_not_fetched(feed_server: FeedServer, poll: Poll) -> None:
    await seeded(feed_server, poll)
    feed_server.serve_page("old", Page(article_html(feed_server.base_url, "Talks", LEAD)))
    last_week = datetime.now(UTC) - timedelta(days=7)
    link = feed_server.page_url("old")
    feed_server.publish("world", Entry("old", "Talks", link=link, published=last_week))

    outcome = await poll()

    assert outcome.too_old == 1
    assert feed_server.page_requests == {}


@pytest.mark.parametrize(
    "page",
    [
        Page(status=302, headers={"Location": "/pages/loop"}),
        Page(status=302, headers={"Location": "file:///etc/passwd"}),
        Page(status=302),
    ],
    ids=["loop", "to-a-file", "no-location"],
)
async def test_a_bad_redirect_is_refused(
    feed_server: FeedServer, http: aiohttp.ClientSession, page: Page
) -> None:
    feed_server.serve_page("loop", page)
    with pytest.raises(FetchError):
        await fetch_page(http, feed_server.page_url("loop"), max_bytes=1024, media_types=HTML_TYPES)
    assert feed_server.page_requests["loop"] == 1


@pytest.mark.parametrize("link", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x/y"])
async def test_only_web_pages_are_fetched(http: aiohttp.ClientSession, link: str) -> None:
    with pytest.raises(FetchError, match="not a web address"):
        await fetch_page(http, link, max_bytes=1024, media_types=HTML_TYPES)
    assert await fetch_article_text(http, link, feed="World", budget=1.0) is None
