"""Canonical links drop publishers' tracking parameters, and the upgrade that drops more of
them re-alerts nothing: items seen under the old spelling stay known (real HTTP and SQLite)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import urls
from bot.catalog import Feed, load_catalog
from bot.deliver import Deliverer
from bot.fetch import new_session
from bot.match import Matcher
from bot.models import FetchResult, Item
from bot.parse import parse_feed
from bot.pipeline import FeedOutcome, process_feed
from bot.storage import _MIGRATIONS, RECANONICALISE_LINKS, Storage, title_key
from bot.summarise import summarise
from bot.urls import TRACKING_PARAMETERS, canonical_link

from .conftest import CHAT
from .fake_bot_api import FakeBotAPI, check_telegram_html
from .feed_server import Entry, FeedServer, rss

T0 = datetime(2022, 2, 24, 4, 0, tzinfo=UTC)

# What canonical_link dropped before this upgrade (besides utm_*): the rules of the databases
# in use, which the tests below write with.
BEFORE_UPGRADE = frozenset(
    {
        *("gclid", "gbraid", "wbraid", "dclid", "msclkid", "yclid", "twclid", "ttclid"),
        *("fbclid", "igshid", "ref_src", "ref_url", "li_fat_id", "smid", "mc_cid", "mc_eid"),
        *("_hsenc", "_hsmi", "mkt_tok", "vero_id", "_ga", "_gl", "s_cid", "cmpid", "ocid"),
        *("at_medium", "at_campaign"),
    }
)


@contextmanager
def old_rules() -> Iterator[None]:
    """canonical_link as the previous release had it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(urls, "TRACKING_PARAMETERS", BEFORE_UPGRADE)
        yield


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# --- Which parameters go ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # the publishers that prompted the change
        (
            "https://www.reuters.com/world/europe/talks-2022-02-24/?taid=6217a3f2",
            "https://www.reuters.com/world/europe/talks-2022-02-24/",
        ),
        (
            "https://www.euronews.com/2022/02/24/talks?_ope=eyJndWlkIjoiMTIzIn0%3D",
            "https://www.euronews.com/2022/02/24/talks",
        ),
        (
            "https://www.lemonde.fr/international/article/2022/02/24/a_1.html?xtor=RSS-3208",
            "https://www.lemonde.fr/international/article/2022/02/24/a_1.html",
        ),
        (
            "https://www.theguardian.com/world/2022/feb/24/talks?CMP=share_btn_tw",
            "https://www.theguardian.com/world/2022/feb/24/talks",
        ),
        (
            "https://www.dailymail.co.uk/news/article-1/a.html?ITO=1490&ns_mchannel=rss&ns_campaign=1490",
            "https://www.dailymail.co.uk/news/article-1/a.html",
        ),
        (
            "https://www.bbc.co.uk/news/world-60505621?at_medium=RSS&at_campaign=KARANGA",
            "https://www.bbc.co.uk/news/world-60505621",
        ),
        (
            "https://www.bbc.co.uk/news/a?at_ptr_name=twitter&at_bbc_team=editorial&at_format=link",
            "https://www.bbc.co.uk/news/a",
        ),
        (
            "https://www.dw.com/en/talks/a-60905?maca=en-rss-en-all-1573-rdf",
            "https://www.dw.com/en/talks/a-60905",
        ),
        (
            "https://www.cbsnews.com/news/talks/?ftag=CNM-00-10aab7e",
            "https://www.cbsnews.com/news/talks/",
        ),
        (
            "https://news.yahoo.com/talks.html?soc_src=social-sh&soc_trk=tw&guccounter=1&ncid=x",
            "https://news.yahoo.com/talks.html",
        ),
        # widely used click and campaign trackers
        (
            "https://example.org/a?fbclid=F&gclid=G&mc_cid=1&mc_eid=2&ocid=3&cmpid=4&igshid=5",
            "https://example.org/a",
        ),
        (
            "https://example.org/a?ref_src=twsrc%5Etfw&spm=a2.b&dicbo=v2-x&mkt_tok=t",
            "https://example.org/a",
        ),
        ("https://example.org/a?ysclid=l1&_openstat=x&srsltid=A&tblci=T", "https://example.org/a"),
        (
            "https://example.org/a?pk_campaign=c&mtm_source=s&WT.mc_id=w&smid=tw",
            "https://example.org/a",
        ),
        # names compared ignoring case, and as written after percent-decoding
        ("https://example.org/a?Taid=1&XTOR=RSS&cmp=x&ito=1&NS_SOURCE=y", "https://example.org/a"),
        ("https://example.org/a?%5Fope=x&id=7", "https://example.org/a?id=7"),
        # only whole names: a longer name may be the site's own
        ("https://example.org/a?taid_page=2&xtor2=1", "https://example.org/a?taid_page=2&xtor2=1"),
        # parameters that select content are kept, byte for byte and in order
        (
            "https://www.facebook.com/permalink.php?story_fbid=123&id=456&fbclid=F",
            "https://www.facebook.com/permalink.php?story_fbid=123&id=456",
        ),
        ("https://example.org/?p=42&CMP=x", "https://example.org/?p=42"),
        (
            "https://www.youtube.com/watch?v=abc&si=S&feature=share",
            "https://www.youtube.com/watch?v=abc&si=S&feature=share",
        ),
        (
            "https://forum.example.org/forum.php?mod=viewthread&tid=7",
            "https://forum.example.org/forum.php?mod=viewthread&tid=7",
        ),
        (
            "https://news.example.org/article.pl?sid=22/02/24/1&cid=9",
            "https://news.example.org/article.pl?sid=22/02/24/1&cid=9",
        ),
        (
            "https://www.nytimes.com/2022/02/24/world/talks.html?partner=rss&emc=rss&smid=tw-share",
            "https://www.nytimes.com/2022/02/24/world/talks.html?partner=rss",
        ),
        (
            "https://www.nzherald.co.nz/article.cfm?c_id=2&objectid=12345&ref=rss",
            "https://www.nzherald.co.nz/article.cfm?c_id=2&objectid=12345&ref=rss",
        ),
    ],
)
def test_tracking_parameters_go_and_content_parameters_stay(url: str, canonical: str) -> None:
    assert canonical_link(url) == canonical


NAMES = sorted({*TRACKING_PARAMETERS, "utm_source", "id", "p", "v", "story_fbid", "ref", "q"})
FIELD = st.builds(
    lambda name, upper, value: f"{name.upper() if upper else name}={value}",
    st.sampled_from(NAMES),
    st.booleans(),
    st.text("abc123%-_", max_size=4),
)
LINK = st.builds(
    lambda host, path, fields, fragment: f"https://{host}/{path}?{'&'.join(fields)}{fragment}",
    st.sampled_from(["example.org", "News.Example.ORG:443", "example.org:8080"]),
    st.text("abcXYZ/-_.", max_size=8),
    st.lists(FIELD, max_size=6),
    st.sampled_from(["", "#comments"]),
)


@given(LINK)
def test_the_old_canonical_form_canonicalises_to_the_new_one(link: str) -> None:
    """What the upgrade relies on: stored old keys reach the new keys without the raw link."""
    with old_rules():
        stored = canonical_link(link)
    assert canonical_link(stored) == canonical_link(link)
    assert canonical_link(canonical_link(link)) == canonical_link(link)


def test_changing_the_rules_comes_with_a_rekeying_migration() -> None:
    """A tripwire. Stored identities are canonical links: whoever changes what canonical_link
    drops must append RECANONICALISE_LINKS to _MIGRATIONS again (see bot/storage/schema.py),
    then update the digest and the count here."""
    digest = hashlib.sha256("\n".join(sorted(TRACKING_PARAMETERS)).encode()).hexdigest()[:12]
    assert (digest, _MIGRATIONS.count(RECANONICALISE_LINKS)) == ("dfbef14f6b07", 1)


# --- The upgrade, through the real poll path -------------------------------------------------

Poll = Callable[..., Awaitable[FeedOutcome]]


@pytest.fixture
async def poll(feed_server: FeedServer, config_dir: Path) -> AsyncIterator[Poll]:
    """Poll a feed of the local server once into `storage`, as the scheduler would."""
    matcher = Matcher(load_catalog(config_dir))
    async with new_session(timeout=5.0) as http:

        async def run(storage: Storage, name: str, now: datetime) -> FeedOutcome:
            feed = Feed(name, feed_server.url(name), 60)
            return await process_feed(feed, http=http, storage=storage, matcher=matcher, now=now)

        yield run


def database_of_the_previous_release(path: Path, feed: str, url: str, entries: list[Entry]) -> None:
    """A database as the release before this one left it after polling `entries` from `feed`:
    its schema, and seen items keyed by its canonical links (parsed with its rules)."""
    with old_rules():
        items = parse_feed(feed, FetchResult(url, rss(entries)))
    stamp = T0.isoformat(timespec="seconds")
    old = sqlite3.connect(path)
    for number, script in enumerate(_MIGRATIONS[: _MIGRATIONS.index(RECANONICALISE_LINKS)], 1):
        old.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    old.execute(
        """INSERT INTO feeds (name, url, first_success_at, last_success_at, last_changed_at)
           VALUES (?, ?, ?, ?, ?)""",
        (feed, url, stamp, stamp, stamp),
    )
    old.executemany(
        """INSERT INTO seen_items (feed, key, first_seen_at, last_seen_at, link_key, title_key)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [(feed, i.key, stamp, stamp, i.link_key, title_key(i.title)) for i in items],
    )
    old.commit()
    old.close()


# Items without a guid are known by their link; their raw links differ from the stored key
# (host case, utm_*), so only the re-keyed link can recognise them.
TALKS = "https://Wire.example.org/world/talks?taid=5f1&utm_source=rss"
BORDER = "https://www.Euronews.example/2022/02/24/border?_ope=eyJndWlk&utm_medium=rss"
# A guid that reads as the item's link, tracking parameter and all: its key is the guid.
CORRIDOR = "https://news.example.fr/monde/corridor.html?xtor=RSS-3208"


def seen_before() -> list[Entry]:
    return [
        Entry("", "Kyiv: talks resume", link=TALKS, published=T0),
        Entry("", "Ukraine border crossings reopen", link=BORDER, published=T0),
        Entry(CORRIDOR, "Kyiv: humanitarian corridor opens", link=CORRIDOR, published=T0),
    ]


def edited_since() -> list[Entry]:
    """The same items a poll later: Reuters rotated taid and edited its headline, the item
    whose guid is its link was retitled, one item is unchanged."""
    return [
        Entry("", "Kyiv: talks resume in Geneva", link=TALKS.replace("5f1", "9c2"), published=T0),
        Entry("", "Ukraine border crossings reopen", link=BORDER, published=T0),
        Entry(CORRIDOR, "Kyiv: corridor opens for civilians", link=CORRIDOR, published=T0),
    ]


@pytest.mark.parametrize("document", [seen_before, edited_since], ids=["unchanged", "edited"])
async def test_items_seen_before_the_upgrade_are_not_alerted_again(
    tmp_path: Path, feed_server: FeedServer, poll: Poll, document: Callable[[], list[Entry]]
) -> None:
    path = tmp_path / "upgraded.sqlite3"
    database_of_the_previous_release(path, "world", feed_server.url("world"), seen_before())
    curfew = "https://wire.example.org/curfew?taid=1"
    feed_server.replace(
        "world", *document(), Entry("", "Kyiv: curfew lifted", link=curfew, published=at(1))
    )
    storage = Storage.open(path)  # the upgrade
    try:
        storage.remember_chat(CHAT, "private", "Reader")
        storage.subscribe(CHAT, ["russia-ukraine"])
        first = await poll(storage, "world", at(1))
        assert [a.item.title for a in first.alerts] == ["Kyiv: curfew lifted"], "only the new"
        assert first.alerts[0].item.key == "https://wire.example.org/curfew"
        again = await poll(storage, "world", at(2))
        assert (again.new, again.alerts) == (0, ())
        # The spellings no poll computes any more are refreshed by none: pruning takes them.
        assert storage.prune_seen(at(0.5)) == 3
        pruned = await poll(storage, "world", at(3))
        assert (pruned.new, pruned.alerts) == (0, ())
    finally:
        storage.close()


async def test_the_upgrade_rewrites_link_keys_and_keeps_guid_keys(tmp_path: Path) -> None:
    path = tmp_path / "upgraded.sqlite3"
    database_of_the_previous_release(path, "world", "https://e.org/feed", seen_before())
    Storage.open(path).close()
    with sqlite3.connect(path) as db:
        rows = set(db.execute("SELECT key, link_key FROM seen_items"))
    talks, border = (
        "https://wire.example.org/world/talks",
        "https://www.euronews.example/2022/02/24/border",
    )
    corridor = "https://news.example.fr/monde/corridor.html"
    assert {(talks, talks), (border, border), (CORRIDOR, corridor), (corridor, corridor)} <= rows
    assert (f"{talks}?taid=5f1", talks) in rows, "the old key stays until pruned"
    assert all(link_key == canonical_link(link_key) for _, link_key in rows)


async def test_a_feed_rotating_a_tracking_parameter_does_not_alert_again(
    storage: Storage, feed_server: FeedServer, poll: Poll
) -> None:
    feed_server.replace("world", Entry("seed", "Weather", published=T0))
    await poll(storage, "world", T0)
    link = "https://www.euronews.com/2022/02/24/kyiv-talks?_ope={}"
    feed_server.replace(
        "world", Entry("", "Kyiv: talks resume", link=link.format("a1"), published=at(1))
    )
    first = await poll(storage, "world", at(1))
    assert [a.item.title for a in first.alerts] == ["Kyiv: talks resume"]
    feed_server.replace(
        "world", Entry("", "Kyiv: talks resume", link=link.format("b2"), published=at(1))
    )
    again = await poll(storage, "world", at(2))
    assert (again.new, again.alerts) == (0, ())


async def test_two_feeds_with_one_article_tracked_differently_send_one_alert(
    storage: Storage,
    feed_server: FeedServer,
    poll: Poll,
    bot_api: FakeBotAPI,
    deliverer: Deliverer,
) -> None:
    """Headlines that share nothing but the article: only link identity makes them one story,
    so the second feed names itself in the first alert instead of pinging again."""
    for name in ("reuters", "aggregator"):
        feed_server.replace(name, Entry("seed", "Weather", published=T0))
        await poll(storage, name, T0)
    article = "https://www.reuters.com/world/europe/kyiv-2022-02-24/"
    feed_server.replace(
        "reuters", Entry("", "Kyiv: talks resume", link=f"{article}?taid=6217a", published=at(1))
    )
    feed_server.replace(
        "aggregator",
        Entry(
            "",
            "Negotiators meet again over Ukraine",
            link=f"{article}?xtor=RSS-1&CMP=feed",
            published=at(1),
        ),
    )
    await poll(storage, "reuters", at(1))
    await deliverer.drain()
    second = await poll(storage, "aggregator", at(1.5))
    assert len(second.alerts) == 1, "a new item of its feed"
    await deliverer.drain()

    [message] = bot_api.messages_to(CHAT)
    assert "Kyiv: talks resume" in message.text
    [edit] = bot_api.edits_to(CHAT)
    assert check_telegram_html(edit.text).endswith("\nAlso reported by: aggregator")


async def test_the_same_headlines_on_two_articles_are_two_alerts(
    storage: Storage,
    feed_server: FeedServer,
    poll: Poll,
    bot_api: FakeBotAPI,
    deliverer: Deliverer,
) -> None:
    """The control for the test above: without one link, these reports stay apart."""
    for name in ("reuters", "aggregator"):
        feed_server.replace(name, Entry("seed", "Weather", published=T0))
        await poll(storage, name, T0)
    feed_server.replace(
        "reuters",
        Entry("", "Kyiv: talks resume", link="https://wire.example.org/a?taid=1", published=at(1)),
    )
    feed_server.replace(
        "aggregator",
        Entry(
            "",
            "Negotiators meet again over Ukraine",
            link="https://wire.example.org/b?taid=1",
            published=at(1),
        ),
    )
    await poll(storage, "reuters", at(1))
    await poll(storage, "aggregator", at(1.5))
    await deliverer.drain()
    assert len(bot_api.messages_to(CHAT)) == 2
    assert bot_api.edits == []


async def test_an_outlets_update_of_an_article_filed_before_the_upgrade_still_alerts(
    storage: Storage, bot_api: FakeBotAPI, deliverer: Deliverer, config_dir: Path
) -> None:
    """A stored report keeps the link_key of its day; stories compare links by today's rules,
    so the outlet's new headline on its own article is still news, not a second source."""
    link = "https://www.lemonde.fr/international/article/2022/02/24/kyiv.html?xtor=RSS-3208"
    matcher = Matcher(load_catalog(config_dir))
    with old_rules():
        old_key = canonical_link(link)
    first = Item("Le Monde", old_key, "Kyiv: talks resume", link, published=T0, link_key=old_key)
    storage.record_poll(
        "Le Monde",
        "https://lemonde.example/rss",
        [first],
        [summarise(first, matcher.match(first))],
        now=T0,
    )
    await deliverer.drain()
    update = Item(
        "Le Monde",
        "k2",
        "Kyiv: talks resume, delegations arrive",
        link,
        published=at(1),
        link_key=canonical_link(link),
    )
    storage.record_poll(
        "Le Monde",
        "https://lemonde.example/rss",
        [update],
        [summarise(update, matcher.match(update))],
        now=at(1),
    )
    await deliverer.drain()
    assert len(bot_api.messages_to(CHAT)) == 2, "the outlet's new headline is news"
    assert bot_api.edits == [], "not a second source of its own story"
