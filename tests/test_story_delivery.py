"""One alert per development: later reports of a story edit the message a chat already has
("Also reported by: …") instead of pinging it again. Real SQLite, the local Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from telegram import Bot

from bot.deliver import Deliverer
from bot.models import Item
from bot.ratelimit import Limits, RateLimiter
from bot.settings import Settings
from bot.storage import Storage
from bot.story_edit_outbox import EDIT_SPACING, EDITS_PER_MESSAGE
from bot.summarise import TELEGRAM_LIMIT, summarise, utf16_length, with_sources

from .clock import FrozenClock as Clock
from .conftest import TEST_TOPICS, feeds_toml, running
from .fake_bot_api import Failure, FakeBotAPI, check_telegram_html
from .feed_server import Entry, FeedServer
from .rules import matcher_from

A, B, GAS = 11, 22, 33  # A and B follow the crisis; GAS follows energy only
MATCHER = matcher_from(TEST_TOPICS)
_keys = count()


def shown(text: str) -> str:
    """What a reader sees of a message sent as Telegram HTML."""
    return check_telegram_html(text)


# One development in the words of several outlets (which bot.stories merges), and another
# development about the same actor (which it keeps apart).
FIRST = (
    "Putin orders troops back from the Ukraine border",
    "Units will return to their bases after the exercises, the Kremlin said.",
)
SAME = {
    "Al Jazeera": (
        "Putin pulls troops back from Ukraine border as exercises end",
        "The Kremlin says units are returning to their bases.",
    ),
    "Reuters": (
        "Putin orders troops to return to bases from Ukraine border",
        "Exercises are over, the Kremlin said.",
    ),
    "AP": (
        "Troops pull back from Ukraine border on Putin's orders",
        "Units head to their bases after exercises.",
    ),
    "DW": (
        "Ukraine border: Putin orders troops back to bases",
        "The Kremlin said exercises had ended.",
    ),
    "France 24": (
        "Putin sends troops back to bases from Ukraine border",
        "Exercises ended, the Kremlin said.",
    ),
}
OTHER = ("Putin announces new sanctions on Western banks", "The measures target lenders.")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
def storage(db_path: Path) -> Iterator[Storage]:
    db = Storage.open(db_path)
    for chat, topic in ((A, "russia-ukraine"), (B, "russia-ukraine"), (GAS, "energy")):
        db.remember_chat(chat, "private", f"chat {chat}")
        db.subscribe(chat, [topic])
    yield db
    db.close()


def report(
    storage: Storage,
    feed: str,
    text: tuple[str, str],
    link: str = "",
    when: datetime | None = None,
) -> int:
    """`feed` publishes an item, as a poll would queue it; returns the messages it queued."""
    key = f"item-{next(_keys)}"
    item = Item(feed, key, text[0], link or f"https://{key}.example.org/", text[1], when)
    matches = MATCHER.match(item)
    assert matches, "every report in these tests is relevant"
    return storage.record_poll(
        feed, f"https://{feed}.example.org/feed", [item], [summarise(item, matches)], now=when
    )


async def test_a_second_outlet_edits_the_alert_instead_of_pinging_again(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    report(storage, "BBC", FIRST)
    assert await deliverer.drain() == 2
    [original] = bot_api.messages_to(A)

    their_report = "https://www.aljazeera.example/news/putin-pulls-troops-back"
    assert report(storage, "Al Jazeera", SAME["Al Jazeera"], their_report) == 0, "no new message"
    await deliverer.drain()

    assert len(bot_api.sent) == 2, "no new sendMessage"
    [edit] = bot_api.edits_to(A)
    assert edit.message_id == original.message_id
    assert edit.text == (
        f'{original.text}\n<i>Also reported by: <a href="{their_report}">Al Jazeera</a></i>'
    ), "the other outlet's name links to its report"
    assert shown(edit.text) == f"{shown(original.text)}\nAlso reported by: Al Jazeera"
    assert "BBC" in edit.text, "the byline names the first source"
    assert edit.parse_mode == "HTML"
    assert edit.params["link_preview_options"] == {"is_disabled": True}
    assert len(bot_api.edits_to(B)) == 1
    assert bot_api.edits_to(GAS) == []
    await deliverer.drain()
    assert len(bot_api.edits) == 2, "an edit is made once"


async def test_an_alert_still_queued_is_sent_once_naming_both_sources(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    report(storage, "BBC", FIRST)
    report(storage, "Al Jazeera", SAME["Al Jazeera"])
    await deliverer.drain()
    [message] = bot_api.messages_to(A)
    assert "Putin orders troops back" in message.text
    assert shown(message.text).endswith("\nAlso reported by: Al Jazeera")
    assert len(bot_api.messages_to(B)) == 1
    assert bot_api.edits == []


async def test_another_development_about_the_same_actor_is_a_new_alert(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    report(storage, "Al Jazeera", OTHER)
    await deliverer.drain()
    first, second = bot_api.messages_to(A)
    assert "sanctions on Western banks" in second.text
    assert "Also reported by" not in first.text + second.text
    assert bot_api.edits == []


# A later report of a story that also carries the next development ("… orders troops in"),
# and then that next development: it resembles the later report, not the story's first.
RECOGNITION = (
    "Putin recognises independence of Donetsk and Luhansk",
    "The Kremlin said Putin signed decrees recognising the two separatist regions of Ukraine.",
)
RECOGNITION_AND_TROOPS = (
    "Putin signs decrees on Donetsk and Luhansk, orders troops in",
    "Putin recognised the separatist regions of Ukraine and ordered Russian troops in as "
    "peacekeepers.",
)
TROOPS_ORDERED_IN = (
    "Russian troops ordered into Donetsk and Luhansk as peacekeepers",
    "Putin ordered the troops into the separatist regions of Ukraine.",
)


async def test_a_development_that_resembles_only_a_later_report_of_a_story_alerts(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    report(storage, "BBC", RECOGNITION)
    report(storage, "Reuters", RECOGNITION_AND_TROOPS)
    report(storage, "AP", TROOPS_ORDERED_IN)
    await deliverer.drain()
    first, second = (shown(message.text) for message in bot_api.messages_to(A))
    assert first.startswith(RECOGNITION[0])
    assert first.endswith("Also reported by: Reuters"), "the same development joins the story"
    assert second.startswith(TROOPS_ORDERED_IN[0]), "the troops order is news of its own"
    assert "Also reported by" not in second


# Two reports of shelling in one city: one story on a quiet day, two alerts on a day when the
# city is in every other story (its name is then no evidence that they are one development).
SHELLING = (
    "Shelling hits the river port of Kharkiv",
    "Officials in Ukraine said the port of Kharkiv was hit overnight.",
)
SHELLING_AGAIN = (
    "Kharkiv governor reports shelling of the city",
    "Shelling of Kharkiv in north-east Ukraine continued on Sunday, the governor said.",
)
KHARKIV_TODAY = [
    ("Ukraine: power restored in parts of Kharkiv", ""),
    ("Ukraine says troops retake villages near Kharkiv", ""),
    ("Residents leave Kharkiv by train as Ukraine evacuates", ""),
    ("Ukraine opens an inquiry into a school fire in Kharkiv", ""),
]


async def test_two_reports_sharing_a_city_are_one_story_on_a_quiet_day(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    report(storage, "BBC", SHELLING)
    await deliverer.drain()
    report(storage, "Reuters", SHELLING_AGAIN)
    await deliverer.drain()
    [message] = bot_api.messages_to(A)
    [edit] = bot_api.edits_to(A)
    assert edit.message_id == message.message_id
    assert shown(edit.text).endswith("Also reported by: Reuters")


async def test_a_city_in_every_other_story_is_no_evidence_of_one_development(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    for index, text in enumerate(KHARKIV_TODAY):
        report(storage, f"Outlet {index}", text)
    report(storage, "BBC", SHELLING)
    report(storage, "Reuters", SHELLING_AGAIN)
    await deliverer.drain()
    texts = [message.text for message in bot_api.messages_to(A)]
    assert len(texts) == len(KHARKIV_TODAY) + 2, "every development alerts"
    assert "Also reported by" not in "".join(texts)


async def test_reports_further_apart_than_the_window_are_two_alerts(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    morning = datetime(2026, 3, 1, 6, tzinfo=UTC)
    report(storage, "BBC", FIRST, when=morning)
    report(storage, "Al Jazeera", SAME["Al Jazeera"], when=morning + timedelta(hours=7))
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 2


async def test_a_story_lasts_the_window_from_its_first_report(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    morning = datetime(2026, 3, 1, 6, tzinfo=UTC)
    report(storage, "BBC", FIRST, when=morning)
    report(storage, "Reuters", SAME["Reuters"], when=morning + timedelta(hours=4))
    report(storage, "AP", SAME["AP"], when=morning + timedelta(hours=6, minutes=30))
    await deliverer.drain()
    first, late = (shown(message.text) for message in bot_api.messages_to(A))
    assert first.endswith("Also reported by: Reuters")
    assert late.startswith(SAME["AP"][0]), "six hours on, the development alerts again"


async def test_a_chat_that_follows_only_the_later_reports_topic_gets_an_alert(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    gas_too = (
        "Putin pulls troops back from Ukraine border, Nord Stream gas flows resume",
        "Units return to their bases after the exercises.",
    )
    report(storage, "Reuters", gas_too)
    await deliverer.drain()
    [alert] = bot_api.messages_to(GAS)
    assert "Nord Stream" in alert.text
    assert "Also reported by" not in alert.text, "nothing else reached this chat"
    assert len(bot_api.messages_to(A)) == 1
    assert "Also reported by: Reuters" in shown(bot_api.edits_to(A)[0].text)


async def test_edits_are_capped_and_later_sources_wait_for_the_next_one(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    [original] = bot_api.messages_to(A)
    outlets = list(SAME)  # five more outlets

    report(storage, outlets[0], SAME[outlets[0]])
    await deliverer.drain()
    report(storage, outlets[1], SAME[outlets[1]])
    report(storage, outlets[2], SAME[outlets[2]])
    await deliverer.drain()
    assert len(bot_api.edits_to(A)) == 1, "edits of one message are spaced out"
    clock.now += EDIT_SPACING
    await deliverer.drain()
    second = bot_api.edits_to(A)[1].text
    assert shown(second).endswith("Also reported by: Al Jazeera, Reuters, AP"), "one edit, two"

    clock.now += EDIT_SPACING
    report(storage, outlets[3], SAME[outlets[3]])
    await deliverer.drain()
    clock.now += EDIT_SPACING
    report(storage, outlets[4], SAME[outlets[4]])
    await deliverer.drain()
    clock.now += EDIT_SPACING
    await deliverer.drain()

    assert len(bot_api.edits_to(A)) == EDITS_PER_MESSAGE == 3
    assert shown(bot_api.current_text(A, original.message_id)).endswith(
        "Also reported by: Al Jazeera, Reuters, AP, DW"
    )
    assert len(bot_api.sent) == 2, "never a new message"


@pytest.mark.parametrize("why", ["deleted by the reader", "older than 48 h"])
async def test_a_message_that_cannot_be_edited_gives_up_its_edit_and_blocks_nothing(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock, why: str
) -> None:
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    [original] = bot_api.messages_to(A)
    if why == "deleted by the reader":
        bot_api.delete_message(A, original.message_id)
    else:
        bot_api.fail_next_edit(A, Failure(400, "Bad Request: message can't be edited"))

    report(storage, "Al Jazeera", SAME["Al Jazeera"])
    report(storage, "BBC", OTHER)
    await deliverer.drain()
    assert "sanctions" in bot_api.messages_to(A)[1].text, "the next alert was not held up"
    assert len(bot_api.edits_to(B)) == 1
    assert bot_api.edits_to(A) == []
    assert storage.delivery_stats().failures_last_day == {"edit_failed": 1}

    calls = len(bot_api.calls)
    clock.now += 3600
    report(storage, "Reuters", SAME["Reuters"])
    await deliverer.drain()
    assert bot_api.calls[calls:] == ["editMessageText"], "B's edit; A's is never retried"


async def test_unchanged_is_done_and_429_waits_its_retry_after(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    bot_api.fail_next_edit(
        A, Failure(429, "Too Many Requests: retry after 20", {"retry_after": 20})
    )
    bot_api.fail_next_edit(B, Failure(400, "Bad Request: message is not modified: same"))
    report(storage, "Al Jazeera", SAME["Al Jazeera"])
    await deliverer.drain()
    assert bot_api.edits == []
    clock.now += 19
    await deliverer.drain()
    assert bot_api.edits == []
    clock.now += 2
    await deliverer.drain()
    assert [edit.chat_id for edit in bot_api.edits] == [A], "B's message already read so"
    assert storage.delivery_stats().failures_last_day == {"rate_limited": 1}


async def test_an_edit_that_meets_a_server_error_is_retried_with_backoff(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    bot_api.fail_next_edit(A, Failure(502, "Bad Gateway"), times=2)
    report(storage, "Al Jazeera", SAME["Al Jazeera"])
    for _ in range(3):
        await deliverer.drain()
        clock.now += 10
    assert [edit.chat_id for edit in bot_api.edits_to(A)] == [A]
    assert storage.delivery_stats().failures_last_day == {"server_error": 2}


async def test_an_edit_telegram_cannot_parse_goes_as_plain_text_like_its_alert(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    bot_api.fail_next(A, Failure(400, "Bad Request: can't parse entities: unsupported tag"))
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    assert bot_api.messages_to(A)[0].parse_mode is None
    bot_api.fail_next_edit(A, Failure(400, "Bad Request: can't parse entities: unsupported tag"))
    report(storage, "Al Jazeera", SAME["Al Jazeera"])
    await deliverer.drain()
    [edit] = bot_api.edits_to(A)
    assert edit.parse_mode is None
    assert edit.text.endswith("\nAlso reported by: Al Jazeera")
    assert "<" not in edit.text


async def test_an_outlet_updating_its_article_alerts_and_republishing_does_not(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    link = "https://bbc.example.org/news/troops"
    report(storage, "BBC", FIRST, link=link)
    await deliverer.drain()
    report(storage, "BBC", (FIRST[0] + " after talks", FIRST[1]), link="https://bbc.example.org/2")
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 1, "the same development under another link"
    assert bot_api.edits == [], "no other outlet to name"
    report(storage, "BBC", ("Putin orders troops back: first units leave", FIRST[1]), link=link)
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 2, "a new headline on the same article is news"


def test_the_sources_line_is_escaped_and_always_fits() -> None:
    html_text, plain = with_sources("<b>Alert</b>", "Alert", ["Tom & Jerry <News>", "DW"])
    assert html_text == "<b>Alert</b>\n<i>Also reported by: Tom &amp; Jerry &lt;News&gt;, DW</i>"
    assert plain == "Alert\nAlso reported by: Tom & Jerry <News>, DW"

    long = "x" * (TELEGRAM_LIMIT - 60)
    html_text, plain = with_sources(long, long, [f"Outlet number {n}" for n in range(9)])
    assert html_text.endswith("Also reported by: Outlet number 0 and 8 more</i>")
    assert plain.endswith("Also reported by: Outlet number 0 and 8 more")
    assert utf16_length(html_text) <= TELEGRAM_LIMIT
    full = "🗞" * (TELEGRAM_LIMIT // 2 - 5)  # emoji count two units each
    assert with_sources(full, full, ["BBC"]) == (full, full), "no room: the alert as it was"
    assert with_sources("<b>A</b>", "A", []) == ("<b>A</b>", "A")


def test_source_names_link_to_their_reports_when_the_link_is_a_safe_web_link() -> None:
    links = {
        "BBC": 'https://bbc.example/news/1?a=1&b="2"',
        "Odd": "javascript:alert(1)",
        "Huge": "https://huge.example/" + "x" * 600,
    }
    html_text, plain = with_sources("<b>A</b>", "A", ["BBC", "Odd", "Huge", "DW"], links)
    assert html_text == (
        '<b>A</b>\n<i>Also reported by: <a href="https://bbc.example/news/1?a=1&amp;b=&quot;2'
        '&quot;">BBC</a>, Odd, Huge, DW</i>'
    )
    assert plain == "A\nAlso reported by: BBC, Odd, Huge, DW"
    assert shown(html_text) == plain


async def test_an_unreadable_stored_report_is_left_out_and_alerts_go_on(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot, clock: Clock, db_path: Path
) -> None:
    report(storage, "BBC", FIRST)
    await Deliverer(telegram_bot, storage, clock=clock).drain()
    storage.close()
    with sqlite3.connect(db_path) as other:  # e.g. written by another version of the bot
        other.execute("UPDATE alerts SET story_input = '{\"item\": {}}'")

    reopened = Storage.open(db_path)
    try:
        report(reopened, "Al Jazeera", SAME["Al Jazeera"])
        await Deliverer(telegram_bot, reopened, clock=clock).drain()
    finally:
        reopened.close()
    assert len(bot_api.messages_to(A)) == 2, "a second alert rather than none"


async def test_the_story_survives_a_restart(
    bot_api: FakeBotAPI,
    storage: Storage,
    telegram_bot: Bot,
    clock: Clock,
    db_path: Path,
) -> None:
    clock.now = time.time()  # /stats counts the last 24 h of real time
    report(storage, "BBC", FIRST)
    await Deliverer(telegram_bot, storage, clock=clock).drain()
    storage.close()

    reopened = Storage.open(db_path)
    try:
        report(reopened, "Al Jazeera", SAME["Al Jazeera"])
        await Deliverer(telegram_bot, reopened, clock=clock).drain()
        assert len(bot_api.sent) == 2
        assert [e.chat_id for e in bot_api.edits] == [A, B]
        stats = reopened.delivery_stats()
        assert (stats.stories_merged_last_day, stats.messages_edited_last_day) == (1, 2)
    finally:
        reopened.close()


@pytest.mark.slow
async def test_an_edit_waits_its_turn_under_the_group_limit(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot
) -> None:
    """Real clock, real pacing: an edit counts against Telegram's 20 a minute to a group."""
    group = -5001
    storage.remember_chat(group, "group", "Newsroom")
    storage.subscribe(group, ["russia-ukraine"])
    deliverer = Deliverer(telegram_bot, storage, limiter=RateLimiter(time.time))
    runner = asyncio.create_task(deliverer.run())
    try:
        report(storage, "BBC", FIRST)
        deliverer.wake()
        [alert] = await bot_api.wait_for_messages(group, 1)
        report(storage, "Al Jazeera", SAME["Al Jazeera"])
        deliverer.wake()
        await bot_api.wait_for_edits(group, 1)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    [edit] = bot_api.edits_to(group)
    assert edit.at - alert.at >= 60 / Limits().group_per_minute - 0.1


@pytest.mark.slow
async def test_two_feeds_one_development_one_alert_then_one_edit(
    feed_server: FeedServer,
    bot_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    config_dir: Path,
) -> None:
    """The whole bot, as `python -m bot` runs it: the same development in two feeds, in
    other words, pings once; the second feed's report edits the alert to name it."""
    reader = 1001
    feeds = {"BBC": feed_server.url("bbc"), "Al Jazeera": feed_server.url("aljazeera")}
    (config_dir / "feeds.toml").write_text(feeds_toml(feeds))
    feed_server.publish("bbc", Entry("seed", "Weather"))
    feed_server.publish("aljazeera", Entry("seed", "Sport"))

    async with running(make_settings(admins=frozenset({reader}))):
        await bot_api.user_says(reader, "/subscribe russia-ukraine")
        await bot_api.wait_for_messages(reader, 1)
        await feed_server.wait_for_fetches("bbc", 2)  # first polls: recorded, not alerted
        await feed_server.wait_for_fetches("aljazeera", 2)

        feed_server.publish("bbc", Entry("troops", *FIRST))
        alert = (await bot_api.wait_for_messages(reader, 2))[1]
        feed_server.publish("aljazeera", Entry("pullback", *SAME["Al Jazeera"]))
        await bot_api.wait_for_edits(reader, 1)
        # Two more polls of each feed: nothing else is on its way.
        await feed_server.wait_for_fetches("aljazeera", feed_server.fetches["aljazeera"] + 2)
        assert len(bot_api.messages_to(reader)) == 2, "one alert for one development"
        await bot_api.user_says(reader, "/stats")
        stats = (await bot_api.wait_for_messages(reader, 3))[2]

    assert "Stories told by several feeds, last 24 h: 1; alerts edited" in stats.text
    assert "the other sources: 1" in stats.text
    [edit] = bot_api.edits_to(reader)
    assert edit.message_id == alert.message_id
    assert "BBC" in edit.text
    assert shown(edit.text).endswith("\nAlso reported by: Al Jazeera")
    assert edit.parse_mode == "HTML"


async def test_an_edit_keeps_the_alerts_buttons(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot, clock: Clock
) -> None:
    """Telegram drops inline buttons from a message edited without them: the edit that names
    another outlet must carry the alert's Why?/Mute buttons again."""
    from bot.telegram.keyboards import delivery_keyboard

    deliverer = Deliverer(
        telegram_bot, storage, clock=clock, keyboard=lambda d: delivery_keyboard(storage, d.id)
    )
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    [original] = bot_api.messages_to(A)
    labels = [label for label, _ in bot_api.buttons(original)]
    assert any("Why" in label for label in labels)

    report(storage, "Al Jazeera", SAME["Al Jazeera"])
    await deliverer.drain()

    assert len(bot_api.edits_to(A)) == 1
    shown = bot_api.message(original.message_id)
    assert "Also reported by: Al Jazeera" in check_telegram_html(shown.text)
    assert [label for label, _ in bot_api.buttons(shown)] == labels


async def test_edit_bookkeeping_of_old_stories_is_pruned(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    report(storage, "Al Jazeera", SAME["Al Jazeera"])
    await deliverer.drain()
    assert len(bot_api.edits_to(A)) == 1

    assert storage.stories.prune_edits(datetime.now(UTC) - timedelta(days=7)) == 0, "recent"
    assert storage.stories.prune_edits(datetime.now(UTC) + timedelta(minutes=1)) == 2  # A, B
    report(storage, "Reuters", SAME["Reuters"])
    await deliverer.drain()
    assert len(bot_api.sent) == 2, "a pruned story still sends nothing new"
