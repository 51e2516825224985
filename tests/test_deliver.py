"""The outbox drained to the local Bot API: Telegram's refusals steer, nothing is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from itertools import count
from pathlib import Path

import pytest
from telegram import Bot

from bot.deliver import Deliverer
from bot.models import Item, TopicMatch
from bot.storage import Storage
from bot.summarise import summarise

from .conftest import TEST_TOKEN
from .fake_bot_api import Failure, FakeBotAPI

A, B = 11, 22
_keys = count()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage.open(tmp_path / "db.sqlite3")
    for chat in (A, B):
        db.remember_chat(chat, "private", f"chat {chat}")
        db.subscribe(chat, ["crisis"])
    yield db
    db.close()


@pytest.fixture
async def telegram_bot(bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TEST_TOKEN, base_url=bot_api.base_url) as bot:
        yield bot


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deliverer(telegram_bot: Bot, storage: Storage, clock: Clock) -> Deliverer:
    return Deliverer(telegram_bot, storage, clock=clock)


def queue(storage: Storage, title: str) -> None:
    item = Item("Wire", f"k{next(_keys)}", title, "https://e.org/x", "Summary.")
    storage.record_poll(
        "Wire", "https://e.org/feed", [item], [summarise(item, [TopicMatch("crisis")])]
    )


def texts(api: FakeBotAPI, chat: int) -> list[str]:
    return [m.text.split("\n")[0] for m in api.messages_to(chat)]


async def test_each_subscribed_chat_gets_the_alert_once(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    queue(storage, "First")
    assert await deliverer.drain() == 2
    assert await deliverer.drain() == 0
    assert len(bot_api.messages_to(A)) == 1
    assert len(bot_api.messages_to(B)) == 1


async def test_a_rate_limited_chat_waits_alone_and_keeps_its_order(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    bot_api.fail_next(A, Failure(429, "Too Many Requests: retry after 30", {"retry_after": 30}))
    queue(storage, "One")
    queue(storage, "Two")
    await deliverer.drain()
    assert texts(bot_api, B) == [
        '<b><a href="https://e.org/x">One</a></b>',
        '<b><a href="https://e.org/x">Two</a></b>',
    ]
    assert texts(bot_api, A) == [], "chat A waits its retry_after; B did not wait for it"

    clock.now += 29
    await deliverer.drain()
    assert texts(bot_api, A) == []
    clock.now += 2
    await deliverer.drain()
    assert [t.split(">")[2].split("<")[0] for t in texts(bot_api, A)] == ["One", "Two"]


async def test_server_errors_are_retried_until_delivered_once(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    bot_api.fail_next(A, Failure(500, "Internal Server Error"), times=5)
    queue(storage, "Eventually")
    for _ in range(6):
        await deliverer.drain()
        clock.now += 600
    assert len(bot_api.messages_to(A)) == 1
    assert len(bot_api.rejected) == 5


async def test_a_blocked_bot_deactivates_the_chat_until_start(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    bot_api.fail_next(A, Failure(403, "Forbidden: bot was blocked by the user"))
    queue(storage, "Blocked")
    await deliverer.drain()
    queue(storage, "While blocked")
    await deliverer.drain()
    assert bot_api.messages_to(A) == []
    assert len(bot_api.messages_to(B)) == 2

    storage.remember_chat(A, "private", "back again")  # what /start does
    queue(storage, "After start")
    await deliverer.drain()
    assert ["After start" in m.text for m in bot_api.messages_to(A)] == [True]


async def test_html_telegram_cannot_parse_is_sent_as_plain_text(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    bot_api.fail_next(A, Failure(400, "Bad Request: can't parse entities: unsupported tag"))
    queue(storage, "Markup trouble")
    await deliverer.drain()
    [message] = bot_api.messages_to(A)
    assert message.parse_mode is None
    assert message.text.startswith("Markup trouble\n")
    assert "https://e.org/x" in message.text


async def test_a_group_upgraded_to_supergroup_keeps_its_alerts(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    new_id = -1001234
    bot_api.fail_next(
        A,
        Failure(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_id},
        ),
    )
    queue(storage, "Moved")
    await deliverer.drain()
    assert len(bot_api.messages_to(new_id)) == 1
    assert storage.subscriptions(new_id) == ["crisis"]
    assert storage.subscriptions(A) == []


async def test_a_waiting_chat_sets_the_next_wake_up_to_its_retry_time(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    bot_api.fail_next(A, Failure(429, "Too Many Requests: retry after 30", {"retry_after": 30}))
    queue(storage, "One")
    queue(storage, "Two")  # queued behind the postponed one: must not make the loop spin
    await deliverer.drain()
    assert storage.next_retry_at() == clock.now + 30
