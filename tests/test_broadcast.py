"""/broadcast: an admin's message to every active chat, through the outbox like an alert,
but never merged into a digest of alerts, never cancelled by an unsubscribe, and not an
alert to /why."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from telegram import Bot

from bot.deliver import Deliverer
from bot.models import Item, TopicMatch
from bot.ratelimit import AlertBudget
from bot.settings import Settings
from bot.storage import Storage
from bot.summarise import summarise

from .conftest import running
from .fake_bot_api import FakeBotAPI
from .test_commands import ask

ADMIN, STRANGER = 7001, 7002
READER, QUIET, GONE = 11, 22, 33


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage.open(tmp_path / "db.sqlite3")
    for chat in (READER, QUIET, GONE):
        db.remember_chat(chat, "private", f"chat {chat}")
    db.subscribe(READER, ["crisis"])
    db.give_up_chat(GONE, "blocked")
    yield db
    db.close()


def queue_alert(storage: Storage, key: str) -> None:
    item = Item("Wire", key, f"Story {key}", f"https://e.org/{key}")
    storage.record_poll(
        "Wire", "https://e.org/feed", [item], [summarise(item, [TopicMatch("crisis")])]
    )


def test_a_broadcast_is_queued_for_active_chats_only(storage: Storage) -> None:
    assert storage.queue_broadcast("📢 hi", "📢 hi") == 2
    assert [d.text_plain for d in storage.pending_for_chat(QUIET)] == ["📢 hi"]
    assert storage.pending_for_chat(GONE) == []


def test_a_broadcast_is_never_merged_with_alerts(storage: Storage) -> None:
    queue_alert(storage, "a")
    queue_alert(storage, "b")
    storage.queue_broadcast("📢 hi", "📢 hi")
    queue_alert(storage, "c")
    group = storage.pending_for_chat(READER)
    assert [d.title for d in group] == ["Story a", "Story b"], "alerts up to the broadcast"
    storage.mark_sent_many([d.id for d in group], 1)
    assert [d.text_plain for d in storage.pending_for_chat(READER)] == ["📢 hi"], "then it alone"


def test_unsubscribing_does_not_cancel_a_broadcast(storage: Storage) -> None:
    storage.queue_broadcast("📢 hi", "📢 hi")
    storage.unsubscribe(READER)
    assert [d.text_plain for d in storage.pending_for_chat(READER)] == ["📢 hi"]


async def test_a_chat_over_its_alert_budget_gets_the_broadcast_as_its_own_message(
    bot_api: FakeBotAPI, telegram_bot: Bot, storage: Storage
) -> None:
    now = [1_000_000.0]
    clock = lambda: now[0]  # noqa: E731 - a frozen clock moved by hand
    deliverer = Deliverer(telegram_bot, storage, clock=clock, budget=AlertBudget(clock, 1, 600))
    queue_alert(storage, "first")
    await deliverer.drain()
    for key in ("x", "y"):
        queue_alert(storage, key)
    storage.queue_broadcast("📢 maintenance", "📢 maintenance")
    await deliverer.drain()  # over budget: nothing goes now
    now[0] += 601
    await deliverer.drain()  # the waiting alerts go out merged, without the broadcast
    now[0] += 601
    await deliverer.drain()
    texts = [m.text for m in bot_api.messages_to(READER)]
    assert len(texts) == 3, texts
    assert "Story x" in texts[1]
    assert "Story y" in texts[1]
    assert "maintenance" not in texts[1]
    assert texts[2] == "📢 maintenance"


@pytest.mark.slow
async def test_admins_broadcast_to_every_chat_and_strangers_cannot(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(admins=frozenset({ADMIN}))
    crowd = Storage.open(settings.db)
    for chat in range(3000, 3060):
        crowd.remember_chat(chat, "private", "reader")
    crowd.close()
    bot_api.enforce_limits = True  # Telegram's limits: a send over them gets a 429, retried
    async with running(settings):
        await ask(bot_api, 1101, "/subscribe energy")
        await ask(bot_api, 1102, "/start")
        [refused] = await ask(bot_api, STRANGER, "/broadcast secret plan")
        assert "only the bot's admins" in refused
        [usage] = await ask(bot_api, ADMIN, "/broadcast")
        assert "/broadcast &lt;text&gt;" in usage
        [queued] = await ask(
            bot_api, ADMIN, "/broadcast Maintenance at 22:00 <b>UTC</b>\nBack soon"
        )
        assert "Queued for 62 chats" in queued
        for chat in (1101, 1102):
            messages = await bot_api.wait_for_messages(chat, 2)
            assert messages[-1].text == "📢 Maintenance at 22:00 &lt;b&gt;UTC&lt;/b&gt;\nBack soon"
            assert messages[-1].parse_mode == "HTML"
        for chat in range(3000, 3060):
            await bot_api.wait_for_messages(chat, 1)
        broadcast = bot_api.messages_to(1101)[-1].message_id
        before = len(bot_api.messages_to(1101))
        await bot_api.user_says(1101, "/why", reply_to=broadcast)
        [why] = [m.text for m in (await bot_api.wait_for_messages(1101, before + 1))[before:]]
    assert "isn't one of my alerts" in why
    crowd_got = [m.chat_id for m in bot_api.sent if 3000 <= m.chat_id < 3060]
    assert sorted(crowd_got) == list(range(3000, 3060)), "each chat once, under Telegram's limits"
    assert not any("secret plan" in m.text for m in bot_api.sent), "nothing leaks"
    assert not bot_api.messages_to(STRANGER)[1:], "the stranger got only the refusal"
