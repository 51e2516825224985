"""The buttons deliver.py puts under each alert: built per chat, never holding an alert back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardMarkup

from bot.deliver import Deliverer
from bot.models import Item, TopicMatch
from bot.storage import Delivery, Storage
from bot.summarise import summarise
from bot.telegram.keyboards import delivery_keyboard

from .fake_bot_api import FakeBotAPI

FOLLOWER, OTHER = 11, 22


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage.open(tmp_path / "db.sqlite3")
    db.remember_chat(FOLLOWER, "private", "Follower")
    db.subscribe(FOLLOWER, ["crisis", "energy"])
    db.remember_chat(OTHER, "private", "Other")
    db.subscribe(OTHER, ["energy"])
    item = Item("Wire", "k1", "Talks resume", "https://e.org/x", "Summary.")
    alert = summarise(item, [TopicMatch("crisis"), TopicMatch("energy")])
    db.record_poll("Wire", "https://e.org/feed", [item], [alert])
    yield db
    db.close()


async def test_each_chat_gets_mute_buttons_for_the_topics_it_follows(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot
) -> None:
    deliverer = Deliverer(
        telegram_bot, storage, keyboard=lambda d: delivery_keyboard(storage, d.id)
    )
    assert await deliverer.drain() == 2
    [mine] = bot_api.messages_to(FOLLOWER)
    [theirs] = bot_api.messages_to(OTHER)
    assert [label for label, _ in bot_api.buttons(mine)] == [
        "❓ Why?",
        "🔕 Mute #crisis",
        "🔕 Mute #energy",
    ]
    assert [label for label, _ in bot_api.buttons(theirs)] == ["❓ Why?", "🔕 Mute #energy"]


async def test_a_keyboard_that_fails_to_build_does_not_hold_the_alert_back(
    bot_api: FakeBotAPI, storage: Storage, telegram_bot: Bot
) -> None:
    def broken(delivery: Delivery) -> InlineKeyboardMarkup:
        raise RuntimeError("bug in the keyboard")

    deliverer = Deliverer(telegram_bot, storage, keyboard=broken)
    assert await deliverer.drain() == 2
    assert all(bot_api.buttons(m) == [] for m in bot_api.sent)
