"""Personal watches: phrase rules, one shared matcher, who gets a watch alert, button data, /test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.catalog import Catalog, Feed, load_catalog
from bot.fetch import new_session
from bot.match import Matcher
from bot.models import Item
from bot.pipeline import process_feed
from bot.storage import Storage
from bot.telegram.keyboards import Press, alert_keyboard, callback_data, parse
from bot.trial import trial_text
from bot.watches import (
    WATCH_LIMIT,
    WatchIndex,
    also_catches,
    compile_watches,
    decide,
    watch_matches,
    watch_problem,
)

from .conftest import CHAT
from .feed_server import Entry, FeedServer

WATCHER, OTHER = 501, 502


@pytest.fixture
def catalog(config_dir: Path) -> Catalog:
    return load_catalog(config_dir)


def item(title: str, summary: str = "", key: str = "k") -> Item:
    return Item("World", key, title, f"https://news.example.org/{key}", summary)


def fired(phrase: str, catalog: Catalog, title: str) -> bool:
    return bool(watch_matches(compile_watches([phrase], catalog), item(title)))


@pytest.mark.parametrize(
    ("phrase", "title", "expected"),
    [
        ("Putin", "Путина встретили в Пекине", True),  # alias of a known actor, inflected
        ("Putin", "Vladimir Putin speaks", True),
        ("putin", "Putin's envoy arrives", True),  # case of the phrase does not matter
        ("grain deal", "Grain deals collapse", True),  # inflection, phrase in order
        ("grain deal", "Deal on grain", False),
        ("Kremlin", "Kremlinology as a hobby", False),  # whole words only
        ("annex*", "Annexation vote", True),  # prefix
        ('"arms"', "Arm wrestling", False),  # quoted: that exact word
        ("EU", "The eu is a vowel pair", False),  # short capitals are case-sensitive
        ("EU", "EU leaders meet", True),
        ("NATO", "North Atlantic Treaty Organization summit", True),  # actor expansion
    ],
)
def test_a_watch_matches_with_the_term_rules_of_topics(
    catalog: Catalog, phrase: str, title: str, expected: bool
) -> None:
    assert fired(phrase, catalog, title) is expected


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("x" * 101, "at most 100"),
        ("a", "at least 2"),
        ("!!", "at least 2"),
        ("Putin, Xi", "never match as one phrase"),
        ("Putin", None),
        ("U.S.", None),
    ],
)
def test_phrases_that_cannot_work_are_refused_with_a_reason(
    phrase: str, problem: str | None
) -> None:
    found = watch_problem(phrase)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_a_watch_on_an_actor_says_what_else_it_catches(catalog: Catalog) -> None:
    assert list(also_catches("putin", catalog)) == ["Vladimir Putin", "Путин"]
    assert list(also_catches("grain", catalog)) == []


def watching(storage: Storage, chat: int, *phrases: str) -> None:
    storage.remember_chat(chat, "private", "Watcher")
    for phrase in phrases:
        assert storage.add_watch(chat, phrase, WATCH_LIMIT) == "added"


def queue(storage: Storage, catalog: Catalog, title: str, key: str, summary: str = "") -> int:
    news = item(title, summary, key)
    alert = decide(news, Matcher(catalog), WatchIndex(storage, lambda: catalog))
    return storage.record_poll("World", "https://e.org/f", [], [alert] if alert else [])


def owed(storage: Storage, chat: int) -> list[str]:
    return [d.title for d in storage.pending_for_chat(chat)]


def test_an_item_only_a_watch_wants_reaches_that_chat_and_no_other(
    storage: Storage, catalog: Catalog
) -> None:
    watching(storage, WATCHER, "Putin")
    watching(storage, OTHER, "grain deal")
    summary = "Путин toured the plant."
    assert queue(storage, catalog, "Putin visits a tractor factory", "a", summary) == 1
    assert owed(storage, WATCHER) == ["Putin visits a tractor factory"]
    assert owed(storage, OTHER) == []
    assert owed(storage, CHAT) == [], "the topic needs a keyword too: its followers get nothing"
    [delivery] = storage.pending_for_chat(WATCHER)
    assert "#watch" in delivery.text_html
    assert "<b>Путин</b> toured the plant." in delivery.text_html, "what matched is bold"


def test_a_chat_that_follows_the_topic_and_watches_gets_the_item_once(
    storage: Storage, catalog: Catalog
) -> None:
    watching(storage, CHAT, "troops", "Putin")
    assert queue(storage, catalog, "Putin sends troops", "b") == 1
    [delivery] = storage.pending_for_chat(CHAT)
    assert "#russia_ukraine" in delivery.text_html  # topic followers see the topic's alert
    reasons = storage.delivery_reasons(delivery.id)
    assert reasons is not None
    assert reasons.topics == ("russia-ukraine",)
    assert [phrase for phrase, _ in reasons.watches] == ["Putin", "troops"]


def test_reasons_never_show_another_chats_watches(storage: Storage, catalog: Catalog) -> None:
    watching(storage, WATCHER, "Putin")
    watching(storage, OTHER, "factory")
    queue(storage, catalog, "Putin visits a tractor factory", "c")
    [mine] = storage.pending_for_chat(WATCHER)
    reasons = storage.delivery_reasons(mine.id)
    assert reasons is not None
    assert [phrase for phrase, _ in reasons.watches] == ["Putin"]


def test_the_shared_matcher_is_rebuilt_when_watches_change(
    storage: Storage, catalog: Catalog
) -> None:
    index = WatchIndex(storage, lambda: catalog)
    news = item("Grain deal signed")
    assert index.match(news) == ()
    watching(storage, WATCHER, "grain deal")
    assert [w.phrase for w in index.match(news)] == ["grain deal"]
    storage.remove_watches(WATCHER, ["grain deal"])
    assert index.match(news) == ()


def test_unwatching_cancels_what_only_that_watch_brought_and_unsubscribing_spares_it(
    storage: Storage, catalog: Catalog
) -> None:
    watching(storage, CHAT, "factory")
    queue(storage, catalog, "A tractor factory opens", "d")
    storage.unsubscribe(CHAT, ["russia-ukraine"])
    assert owed(storage, CHAT) == ["A tractor factory opens"], "the watch still wants it"
    storage.remove_watches(CHAT, ["factory"])
    assert owed(storage, CHAT) == []


def test_limits_per_chat(storage: Storage) -> None:
    storage.remember_chat(WATCHER, "private", "W")
    for number in range(WATCH_LIMIT):
        assert storage.add_watch(WATCHER, f"word{number}", WATCH_LIMIT) == "added"
    assert storage.add_watch(WATCHER, "word0", WATCH_LIMIT) == "exists"
    assert storage.add_watch(WATCHER, "one more", WATCH_LIMIT) == "full"


def test_watches_follow_a_group_that_becomes_a_supergroup(storage: Storage) -> None:
    watching(storage, -5, "Putin")
    storage.move_chat(-5, -1005)
    assert storage.watches(-1005) == ["Putin"]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with new_session(timeout=5.0) as session:
        yield session


async def test_new_feed_and_flood_rules_apply_to_watch_alerts(
    feed_server: FeedServer, http: aiohttp.ClientSession, storage: Storage, catalog: Catalog
) -> None:
    watching(storage, WATCHER, "factory")
    feed = Feed("World", feed_server.url("world"), 60)
    index = WatchIndex(storage, lambda: catalog)
    matcher = Matcher(catalog)

    async def poll() -> int:
        outcome = await process_feed(
            feed, http=http, storage=storage, matcher=matcher, watches=index
        )
        return outcome.queued

    feed_server.publish("world", Entry("old", "An old factory story"))
    assert await poll() == 0, "a feed's first poll never alerts, watches included"
    feed_server.publish("world", Entry("new", "A new factory story"))
    assert await poll() == 1
    assert owed(storage, WATCHER) == ["A new factory story"]


@pytest.mark.parametrize(
    ("data", "press"),
    [
        ("v1:follow:energy", Press("follow", topic="energy")),
        ("v1:unfollow:russia-ukraine", Press("unfollow", topic="russia-ukraine")),
        ("v1:why:17", Press("why", delivery=17)),
        ("v1:mute:17:energy", Press("mute", topic="energy", delivery=17)),
        ("v1:undo:17:energy", Press("undo", topic="energy", delivery=17)),
        ("v1:unwatch:3", Press("unwatch", delivery=3)),
        ("v1:rewatch:3", Press("rewatch", delivery=3)),
        ("v2:why:17", None),  # another version
        ("v1:why:abc", None),
        ("v1:why:-1", None),
        ("v1:why:0", None),
        ("v1:why:17:extra", None),
        ("v1:mute:17", None),
        ("v1:follow:ENERGY", None),
        ("v1:follow:../../x", None),
        ("v1:delete:17", None),
        ("v1:follow:énergie", None),
        ("", None),
        (None, None),
        ("v1:why:" + "9" * 80, None),
    ],
)
def test_button_data_is_parsed_strictly(data: str | None, press: Press | None) -> None:
    assert parse(data) == press


def test_button_data_round_trips_and_never_exceeds_64_bytes() -> None:
    assert parse(callback_data("mute", 123456789, "russia-ukraine")) == Press(
        "mute", topic="russia-ukraine", delivery=123456789
    )
    assert callback_data("mute", 1, "x" * 60) is None


def test_alert_keyboard_offers_why_mute_and_unwatch(storage: Storage, catalog: Catalog) -> None:
    watching(storage, CHAT, "Putin")
    queue(storage, catalog, "Putin sends troops", "e")
    [delivery] = storage.pending_for_chat(CHAT)
    reasons = storage.delivery_reasons(delivery.id)
    assert reasons is not None
    labels = [
        b.text
        for row in alert_keyboard(reasons, {"russia-ukraine"}, {"Putin"}).inline_keyboard
        for b in row
    ]
    assert labels == ["❓ Why?", "🔕 Mute #russia_ukraine", "🔕 Unwatch “Putin”"]
    after_mute = alert_keyboard(reasons, set(), {"Putin"}, muted=["russia-ukraine"])
    assert after_mute.inline_keyboard[1][0].text == "↩️ Undo: follow #russia_ukraine"
    unwatched = alert_keyboard(reasons, set(), set())
    assert [row[0].text for row in unwatched.inline_keyboard] == [
        "❓ Why?",
        "↩️ Watch “Putin” again",
    ]


def test_trial_says_which_topics_and_watches_fire_and_why(catalog: Catalog) -> None:
    text = trial_text(
        "Путин sends troops <b>&", Matcher(catalog), catalog, ["Putin", "grain"], set()
    )
    assert "Russia–Ukraine crisis" in text
    assert "not followed: /subscribe russia-ukraine" in text
    assert "Keywords: troops (headline)" in text
    assert "Your watch</b> “Putin”" in text
    assert "Vladimir Putin (“Путин”, headline)" in text
    assert "grain" not in text
    assert "&lt;b&gt;&amp;" in text
    nothing = trial_text("Local weather is mild", Matcher(catalog), catalog, [], set())
    assert "Nothing would fire" in nothing


def test_trial_names_the_excluded_term_that_stops_a_topic(catalog: Catalog) -> None:
    text = trial_text("Dynamo Kyiv beat Ukraine's champions", Matcher(catalog), catalog, [], set())
    assert "would fire, but the text mentions “Dynamo Kyiv”, which the topic excludes" in text
    assert "Nothing would fire" in text, "and nothing does"
    plain = trial_text("Ukraine's champions win", Matcher(catalog), catalog, [], set())
    assert "excludes" not in plain
