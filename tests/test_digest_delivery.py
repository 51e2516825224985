"""Digests, quiet hours, pauses and time zones, delivered to the local Bot API with a
controllable clock: what a chat receives, when, and that nothing is lost across a restart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time
from itertools import count
from pathlib import Path

import pytest
from telegram import Bot

from bot.chat_settings import ChatSettings, release_at
from bot.deliver import Deliverer
from bot.digest import merged_alerts, story_key
from bot.models import Item, TopicMatch
from bot.storage import HeldAlert, Storage
from bot.summarise import summarise

from .clock import FrozenClock as Clock
from .clock import at
from .fake_bot_api import FakeBotAPI, SentMessage, check_telegram_html

A, B = 11, 22  # A changes its settings; B keeps the defaults
BERLIN = "Europe/Berlin"
_keys = count()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
def storage(db_path: Path) -> Iterator[Storage]:
    db = Storage.open(db_path)
    for chat in (A, B):
        db.remember_chat(chat, "private", f"chat {chat}")
        db.subscribe(chat, ["crisis", "energy"])
    yield db
    db.close()


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-01-10T10:00")  # 11:00 in Berlin


def queue(
    storage: Storage,
    title: str,
    topic: str = "crisis",
    *,
    feed: str = "Wire",
    link: str | None = None,
    published: datetime | None = None,
) -> None:
    key = f"k{next(_keys)}"
    item = Item(feed, key, title, link or f"https://e.org/{key}", "Summary.", published)
    storage.record_poll(feed, "https://e.org/feed", [item], [summarise(item, [TopicMatch(topic)])])


def configure(storage: Storage, clock: Clock, settings: ChatSettings, chat: int = A) -> None:
    """What a settings command does: save, and re-plan what the chat holds."""
    storage.save_chat_settings(chat, settings)
    now = datetime.fromtimestamp(clock.now, UTC)
    storage.replan_held(chat, (release_at(settings, now) or now).timestamp())


def shown(message: SentMessage) -> str:
    return check_telegram_html(message.text)


DAILY_8 = ChatSettings(timezone=BERLIN, digest="daily", digest_time=time(8))


async def test_a_daily_digest_is_one_message_by_topic_with_sources_per_story(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, DAILY_8)
    queue(storage, "Talks resume in Geneva", link="https://e.org/talks", feed="Wire")
    queue(storage, "Geneva talks resume", link="https://e.org/talks?utm_source=x", feed="Post")
    queue(storage, "Pipeline pressure drops", "energy")
    queue(storage, "Troops pull back", feed="Post")
    await deliverer.drain()
    assert bot_api.messages_to(A) == [], "held for the digest"
    # The second Geneva report is the same story (same article): B's alert names it instead.
    assert len(bot_api.messages_to(B)) == 3, "a chat without a digest gets each story"

    clock.set("2026-01-11T06:59")  # 07:59 in Berlin
    await deliverer.drain()
    assert bot_api.messages_to(A) == []
    clock.set("2026-01-11T07:00")
    await deliverer.drain()
    [digest] = bot_api.messages_to(A)
    text = shown(digest)
    assert text.splitlines() == [
        "🗞 Your daily digest: 3 stories",
        "",
        "#crisis",
        "• Talks resume in Geneva · 2 sources",
        "• Troops pull back · Post",
        "",
        "#energy",
        "• Pipeline pressure drops · Wire",
    ]
    assert '<a href="https://e.org/talks">Talks resume in Geneva</a>' in digest.text
    assert not digest.silent
    assert await deliverer.drain() == 0, "each alert is in exactly one digest"

    queue(storage, "Late news")
    clock.set("2026-01-11T12:00")
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 1, "the next one waits for tomorrow's digest"
    assert storage.held_summary(A) == (1, at("2026-01-12T07:00").timestamp())


async def test_a_digest_missed_while_the_bot_was_down_is_sent_at_startup_with_nothing_lost(
    bot_api: FakeBotAPI, telegram_bot: Bot, db_path: Path, storage: Storage, clock: Clock
) -> None:
    configure(storage, clock, DAILY_8)
    for n in range(3):
        queue(storage, f"Before the restart {n}")
    await Deliverer(telegram_bot, storage, clock=clock).drain()
    storage.close()  # the bot stops; it comes back after the digest time

    clock.set("2026-01-11T09:30")
    restarted = Storage.open(db_path)
    try:
        await Deliverer(telegram_bot, restarted, clock=clock).drain()
        [digest] = bot_api.messages_to(A)
        assert [f"Before the restart {n}" in digest.text for n in range(3)] == [True] * 3
        assert restarted.held_summary(A) == (0, None)
    finally:
        restarted.close()


async def test_alerts_released_but_not_yet_sent_survive_a_restart(
    bot_api: FakeBotAPI, telegram_bot: Bot, db_path: Path, storage: Storage, clock: Clock
) -> None:
    configure(storage, clock, DAILY_8)
    queue(storage, "Held then released")
    await Deliverer(telegram_bot, storage, clock=clock).drain()
    clock.set("2026-01-11T07:00")
    storage.release_held(clock.now)  # released, then the bot stopped before sending
    storage.close()
    restarted = Storage.open(db_path)
    try:
        await Deliverer(telegram_bot, restarted, clock=clock).drain()
    finally:
        restarted.close()
    [digest] = bot_api.messages_to(A)
    assert "Held then released" in digest.text
    assert digest.text.startswith("<b>🗞 Your daily digest: 1 story</b>")


NIGHT = ChatSettings(timezone=BERLIN, quiet_start=time(22), quiet_end=time(7))


async def test_quiet_hours_make_alerts_silent(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, NIGHT)
    clock.set("2026-01-10T22:30")  # 23:30 in Berlin
    queue(storage, "At night")
    await deliverer.drain()
    clock.set("2026-01-11T06:00")  # 07:00 in Berlin: quiet hours are over
    queue(storage, "In the morning")
    await deliverer.drain()
    assert [(shown(m).splitlines()[0], m.silent) for m in bot_api.messages_to(A)] == [
        ("At night", True),
        ("In the morning", False),
    ]
    assert [m.silent for m in bot_api.messages_to(B)] == [False, False]


async def test_held_quiet_hours_deliver_one_message_when_they_end(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, replace(NIGHT, quiet_hold=True))
    clock.set("2026-01-10T21:30")
    queue(storage, "First at night")
    await deliverer.drain()
    clock.set("2026-01-11T02:00")
    queue(storage, "Second at night")
    await deliverer.drain()
    clock.set("2026-01-11T05:59")
    await deliverer.drain()
    assert bot_api.messages_to(A) == []
    clock.set("2026-01-11T06:00")
    await deliverer.drain()
    [morning] = bot_api.messages_to(A)
    assert morning.text.startswith("<b>🗞 Kept back during your quiet hours: 2 stories")
    assert "First at night" in morning.text
    assert "Second at night" in morning.text
    assert not morning.silent


async def test_a_pause_holds_alerts_until_it_ends_and_resume_releases_them(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, ChatSettings(paused=True, paused_until=at("2026-01-10T12:00")))
    queue(storage, "While paused")
    await deliverer.drain()
    clock.set("2026-01-10T11:59")
    await deliverer.drain()
    assert bot_api.messages_to(A) == []
    clock.set("2026-01-10T12:00")
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 1

    configure(storage, clock, ChatSettings(paused=True))  # until /resume
    queue(storage, "Paused again")
    clock.set("2026-02-01T12:00")
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 1, "an open-ended pause lasts until /resume"
    configure(storage, clock, ChatSettings())  # /resume
    await deliverer.drain()
    assert "Paused again" in bot_api.messages_to(A)[1].text


async def test_the_time_line_is_shown_in_each_chats_time_zone(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, ChatSettings(timezone="Europe/Kyiv"))
    queue(storage, "Timed", published=at("2022-02-21T19:05"))
    await deliverer.drain()
    assert shown(bot_api.messages_to(A)[0]).splitlines()[1] == "Wire · 21 Feb 2022 21:05 EET"
    assert shown(bot_api.messages_to(B)[0]).splitlines()[1] == "Wire · 21 Feb 2022 19:05 UTC"


async def test_alerts_stored_before_time_zones_are_sent_in_utc(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, ChatSettings(timezone="Asia/Tokyo"))
    queue(storage, "Old record", published=at("2022-02-21T19:05"))
    # An alert queued by the previous version has no publication time on record.
    storage._db.execute("UPDATE alerts SET published_at = NULL")
    await deliverer.drain()
    assert shown(bot_api.messages_to(A)[0]).splitlines()[1] == "Wire · 21 Feb 2022 19:05 UTC"


async def test_a_digest_too_long_for_one_message_continues_in_the_next(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, DAILY_8)
    for n in range(60):
        queue(storage, f"Story {n:02} " + "with a long headline " * 6)
    await deliverer.drain()
    clock.set("2026-01-11T07:00")
    await deliverer.drain()
    messages = bot_api.messages_to(A)
    assert len(messages) >= 2
    assert not bot_api.rejected, "every part fits Telegram's limit"
    assert messages[0].text.endswith("more in the next message")
    listed = [line for m in messages for line in shown(m).splitlines() if line.startswith("•")]
    assert [line[2:10] for line in listed] == [f"Story {n:02}" for n in range(60)]


async def test_unsubscribing_cancels_held_alerts_of_that_topic(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, DAILY_8)
    queue(storage, "Crisis news")
    queue(storage, "Energy news", "energy")
    await deliverer.drain()
    storage.unsubscribe(A, ["energy"])
    clock.set("2026-01-11T07:00")
    await deliverer.drain()
    [digest] = bot_api.messages_to(A)
    assert "Crisis news" in digest.text
    assert "Energy news" not in digest.text


async def test_a_link_of_kilobytes_never_keeps_a_digest_from_showing_its_alerts(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    configure(storage, clock, DAILY_8)
    queue(storage, "Hostile link", link="https://e.org/?" + "&a=1" * 2000)
    queue(storage, "Normal link")
    await deliverer.drain()
    clock.set("2026-01-11T07:00")
    await deliverer.drain()
    [digest] = bot_api.messages_to(A)
    assert shown(digest).splitlines()[-2:] == ["• Hostile link · Wire", "• Normal link · Wire"]
    assert storage.held_summary(A) == (0, None)
    assert storage.pending_for_chat(A) == []


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("Talks", "https://e.org/a?utm_source=x"), ("Other title", "https://e.org/a"), True),
        (("Talks", "https://e.org/a"), ("Talks", "https://e.org/b"), False),
        (("Talks resume", "https://e.org/"), ("talks  RESUME", "https://other.org/"), True),
        (("Talks resume", ""), ("Talks resume", ""), True),
        (("Talks resume", ""), ("Talks end", ""), False),
    ],
)
def test_digest_stories_are_grouped_by_link_or_else_title(
    first: tuple[str, str], second: tuple[str, str], same: bool
) -> None:
    def entry(title: str, link: str) -> HeldAlert:
        return HeldAlert(1, title, link, "Wire", ("crisis",))

    assert (story_key(entry(*first)) == story_key(entry(*second))) is same


def test_a_merged_message_shows_an_alert_with_a_link_of_kilobytes() -> None:
    hostile = HeldAlert(1, "Hostile link", "https://e.org/?" + "&a=1" * 2000, "Wire", ())
    html_text, plain, count = merged_alerts([hostile])
    assert count == 1, "shown without its link, rather than never shown at all"
    assert "Hostile link" in check_telegram_html(html_text)
    assert "Hostile link" in plain
