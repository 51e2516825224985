"""A forum topic thread an admin closed: its alerts reach the General topic instead, with a
notice at most once a day per thread, and go back to the thread once it is reopened.

Telegram answers a send to a closed thread with 400 "Bad Request: TOPIC_CLOSED" (the local
Bot API does the same after `close_thread`); the tests read what the chat shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time
from itertools import count
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat_settings import ChatSettings
from bot.deliver import Deliverer
from bot.models import Item, TopicMatch
from bot.ratelimit import AlertBudget
from bot.storage import Delivery, Storage
from bot.summarise import summarise
from bot.telegram.admin import render_stats

from .clock import FrozenClock as Clock
from .conftest import TEST_TOPICS
from .fake_bot_api import Failure, FakeBotAPI, SentMessage, check_telegram_html
from .feed_server import Entry, FeedServer
from .rules import matcher_from

FORUM = -100900
WAR, GAS = 5, 9  # the threads russia-ukraine and energy were subscribed in
DAY = 24 * 3600.0
CLOSED = "Bad Request: TOPIC_CLOSED"
MATCHER = matcher_from(TEST_TOPICS)
_keys = count()


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage.open(tmp_path / "db.sqlite3")
    db.remember_chat(FORUM, "supergroup", "Forum")
    db.subscribe(FORUM, ["russia-ukraine"], thread_id=WAR)
    db.subscribe(FORUM, ["energy"], thread_id=GAS)
    yield db
    db.close()


def queue(storage: Storage, title: str, topic: str = "russia-ukraine") -> None:
    item = Item("Wire", f"k{next(_keys)}", title, f"https://e.org/{next(_keys)}", "Summary.")
    storage.record_poll(
        "Wire", "https://e.org/feed", [item], [summarise(item, [TopicMatch(topic)])]
    )


def seen(api: FakeBotAPI) -> list[tuple[int | None, str]]:
    """(thread, first line) of each message the forum got, in order."""
    return [(m.thread_id, _headline(m)) for m in api.messages_to(FORUM)]


def _headline(message: SentMessage) -> str:
    """The notice, or the alert's title as the reader sees it."""
    line = check_telegram_html(message.text).splitlines()[0]
    return "notice" if line.startswith("📌") else line


async def test_a_closed_threads_alerts_go_to_general_with_one_notice_until_it_reopens(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    bot_api.close_thread(FORUM, WAR)
    queue(storage, "Troops mass near Kyiv")
    assert await deliverer.drain() == 1
    queue(storage, "Ukraine talks stall")
    assert await deliverer.drain() == 1

    shown = bot_api.messages_to(FORUM)
    assert [(m.thread_id, "Kyiv" in m.text or "talks" in m.text) for m in shown] == [
        (None, False),  # the notice, before the first alert it explains
        (None, True),
        (None, True),  # the same day: no second notice
    ]
    notice = shown[0].text
    assert "thread 5 is closed" in notice
    assert "<code>russia-ukraine</code>" in notice, "it names the thread's topics"
    assert "/subscribe russia-ukraine" in notice, "and says how to move them for good"
    assert bot_api.rejected == [(FORUM, CLOSED)] * 2, "one refused try per alert, no retries"
    assert storage.subscription_threads(FORUM)["russia-ukraine"] == WAR, "the route is kept"
    assert storage.delivery_stats().queue_depth == 0
    assert storage.delivery_stats().failures_last_day == {"topic_closed": 2}
    assert "2 forum thread closed (sent to General)" in render_stats(storage.delivery_stats())

    bot_api.reopen_thread(FORUM, WAR)
    queue(storage, "Kyiv reopens its airport")
    assert await deliverer.drain() == 1
    assert bot_api.messages_to(FORUM)[-1].thread_id == WAR, "back in its thread"
    assert "Kyiv reopens" in bot_api.messages_to(FORUM)[-1].text


async def test_the_notice_comes_at_most_once_a_day_per_thread(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    bot_api.close_thread(FORUM, WAR)
    bot_api.close_thread(FORUM, GAS)
    queue(storage, "War 1")
    queue(storage, "Gas 1", "energy")
    await deliverer.drain()
    clock.advance(DAY - 60)
    queue(storage, "War 2")
    queue(storage, "Gas 2", "energy")
    await deliverer.drain()
    clock.advance(60)
    queue(storage, "War 3")
    await deliverer.drain()

    notices = [m.text for m in bot_api.messages_to(FORUM) if m.text.startswith("📌")]
    assert [n.split(" is closed")[0] for n in notices] == [
        "📌 Topic thread 5",
        "📌 Topic thread 9",  # another thread gets its own notice
        "📌 Topic thread 5",  # a day after the first, a reminder
    ]
    assert "<code>energy</code>" in notices[1]
    assert sorted(line for thread, line in seen(bot_api) if line != "notice") == sorted(
        f"{title}" for title in ("War 1", "Gas 1", "War 2", "War 3", "Gas 2")
    )
    assert {thread for thread, _ in seen(bot_api)} == {None}, "everything in General"


async def test_a_closed_thread_does_not_hold_up_the_open_ones(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    bot_api.close_thread(FORUM, WAR)
    queue(storage, "War news")
    queue(storage, "Gas news", "energy")
    await deliverer.drain()
    assert sorted((thread or 0, line) for thread, line in seen(bot_api) if line != "notice") == [
        (0, "War news"),
        (GAS, "Gas news"),
    ]


async def test_a_redirected_alert_keeps_its_buttons(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot, clock: Clock
) -> None:
    def keyboard(delivery: Delivery) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("❓ Why?", callback_data="why")]])

    deliverer = Deliverer(telegram_bot, storage, clock=clock, keyboard=keyboard)
    bot_api.close_thread(FORUM, WAR)
    queue(storage, "War news")
    await deliverer.drain()
    notice, alert = bot_api.messages_to(FORUM)
    assert bot_api.buttons(alert) == [("❓ Why?", "why")]
    assert bot_api.buttons(notice) == []


async def test_a_merged_message_for_a_closed_thread_goes_to_general(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot, clock: Clock
) -> None:
    deliverer = Deliverer(telegram_bot, storage, clock=clock, budget=AlertBudget(clock, 1, 600))
    bot_api.close_thread(FORUM, WAR)
    for n in range(3):
        queue(storage, f"War {n}")
    await deliverer.drain()  # the first alone: within the budget
    clock.advance(601)
    await deliverer.drain()  # the other two, merged
    shown = seen(bot_api)
    assert [thread for thread, _ in shown] == [None, None, None]
    assert [line for _, line in shown][:2] == ["notice", "War 0"]
    assert "Several alerts" in shown[2][1]
    assert storage.delivery_stats().queue_depth == 0


async def test_a_digest_for_a_closed_thread_goes_to_general(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    storage.save_chat_settings(FORUM, ChatSettings(digest="daily", digest_time=time(8)))
    bot_api.close_thread(FORUM, WAR)
    queue(storage, "War 1")
    queue(storage, "War 2")
    await deliverer.drain()
    assert bot_api.messages_to(FORUM) == [], "kept for the digest"
    clock.advance(DAY)
    await deliverer.drain()
    assert seen(bot_api) == [(None, "notice"), (None, "🗞 Your daily digest: 2 stories")]
    assert storage.delivery_stats().queue_depth == 0


async def test_with_general_closed_too_the_alert_is_given_up_not_retried(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    bot_api.close_thread(FORUM, WAR)
    bot_api.close_thread(FORUM, None)
    queue(storage, "War news")
    queue(storage, "Gas news", "energy")
    await deliverer.drain()
    assert seen(bot_api) == [(GAS, "Gas news")], "the open thread still gets its alerts"
    assert storage.delivery_stats().queue_depth == 0
    assert storage.delivery_stats().failures_last_day == {"topic_closed": 1, "general_closed": 1}

    calls = len(bot_api.calls)
    clock.advance(3600)
    await deliverer.drain()
    assert bot_api.calls[calls:] == [], "nothing is retried"

    bot_api.reopen_thread(FORUM, None)  # General reopens first: the notice has not been seen
    queue(storage, "More war news")
    await deliverer.drain()
    assert seen(bot_api)[1:] == [(None, "notice"), (None, "More war news")]


async def test_an_alert_for_general_itself_while_it_is_closed_is_given_up(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    storage.move_to_thread(FORUM, ["russia-ukraine"], None)
    bot_api.close_thread(FORUM, None)
    queue(storage, "War news")
    assert await deliverer.drain() == 0
    assert bot_api.messages_to(FORUM) == []
    assert bot_api.rejected == [(FORUM, CLOSED)]
    assert storage.delivery_stats().failures_last_day == {"general_closed": 1}
    assert storage.delivery_stats().queue_depth == 0


async def test_a_deleted_thread_still_moves_its_topics_to_general_with_their_buttons(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot, clock: Clock
) -> None:
    def keyboard(delivery: Delivery) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("❓ Why?", callback_data="why")]])

    deliverer = Deliverer(telegram_bot, storage, clock=clock, keyboard=keyboard)
    bot_api.delete_thread(FORUM, WAR)
    queue(storage, "War news")
    await deliverer.drain()
    [alert] = bot_api.messages_to(FORUM)  # no notice: the thread is not coming back
    assert alert.thread_id is None
    assert bot_api.buttons(alert) == [("❓ Why?", "why")]
    assert storage.subscription_threads(FORUM)["russia-ukraine"] is None


async def test_an_edit_refused_in_a_closed_thread_is_given_up_and_blocks_nothing(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    """Whether Telegram refuses edits in a closed topic is not documented: if it does, the
    "Also reported by" edit is dropped after one try and the chat's next alert still goes."""
    report(storage, "BBC", "Putin orders troops back from the Ukraine border")
    await deliverer.drain()
    [alert] = bot_api.messages_to(FORUM)
    assert alert.thread_id == WAR
    bot_api.close_thread(FORUM, WAR)
    bot_api.fail_next_edit(FORUM, Failure(400, CLOSED), times=5)

    report(storage, "Reuters", "Putin orders troops to return to bases from Ukraine border")
    report(storage, "BBC", "Putin announces new sanctions on Western banks")
    await deliverer.drain()
    assert bot_api.calls.count("editMessageText") == 1, "no plain-text retry, no backoff"
    assert bot_api.edits_to(FORUM) == []
    assert "sanctions" in bot_api.messages_to(FORUM)[-1].text, "the next alert was not held up"
    assert bot_api.messages_to(FORUM)[-1].thread_id is None
    clock.advance(3600)
    await deliverer.drain()
    assert bot_api.calls.count("editMessageText") == 1, "the edit is never retried"
    assert storage.delivery_stats().failures_last_day["edit_failed"] == 1


def report(storage: Storage, feed: str, title: str) -> None:
    """`feed` publishes an item the matcher finds relevant (stories need real matches)."""
    key = f"item-{next(_keys)}"
    item = Item(feed, key, title, f"https://{key}.example.org/", "The Kremlin said.")
    matches = MATCHER.match(item)
    assert matches
    storage.record_poll(
        feed, f"https://{feed}.example.org/feed", [item], [summarise(item, matches)]
    )


@pytest.mark.slow
async def test_the_running_bot_sends_a_closed_threads_alerts_to_general_until_it_reopens(
    feed_server: FeedServer, bot_api: FakeBotAPI, bot: object
) -> None:
    """End to end, as `python -m bot` runs: an admin subscribes in a thread, closes it, then
    reopens it; the forum shows where each alert arrived."""
    feed_server.publish("world", Entry("seed", "Nothing to see"))
    bot_api.add_chat(FORUM, "supergroup", "Desk", forum=True)
    await bot_api.says_in_group(FORUM, "/subscribe russia-ukraine", thread_id=WAR)
    [reply] = await bot_api.wait_for_messages(FORUM, 1)
    assert "arrive in this topic thread" in reply.text
    await feed_server.wait_for_fetches("world", 2)  # the first poll only records what is there

    bot_api.close_thread(FORUM, WAR)
    feed_server.publish("world", Entry("war", "Troops leave Kyiv suburbs"))
    notice, alert = (await bot_api.wait_for_messages(FORUM, 3, within=40.0))[1:]
    assert (notice.thread_id, alert.thread_id) == (None, None)
    assert "thread 5 is closed" in notice.text
    assert "Troops leave Kyiv suburbs" in alert.text

    bot_api.reopen_thread(FORUM, WAR)
    feed_server.publish("world", Entry("talks", "Ukraine talks resume"))
    back = (await bot_api.wait_for_messages(FORUM, 4, within=40.0))[3]
    assert back.thread_id == WAR
    assert "Ukraine talks resume" in back.text
