"""The outbox drained to the local Bot API: Telegram's refusals steer, nothing is lost."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import replace
from itertools import count
from pathlib import Path

import pytest
from telegram import Bot

from bot.deliver import Deliverer
from bot.models import Item, TopicMatch
from bot.ratelimit import AlertBudget, RateLimiter
from bot.storage import Storage
from bot.summarise import summarise

from .clock import FrozenClock as Clock
from .fake_bot_api import Failure, FakeBotAPI

A, B = 11, 22
_keys = count()


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage.open(tmp_path / "db.sqlite3")
    for chat in (A, B):
        db.remember_chat(chat, "private", f"chat {chat}")
        db.subscribe(chat, ["crisis"])
    yield db
    db.close()


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


async def test_a_chat_over_its_budget_gets_the_overflow_as_one_message(
    bot_api: FakeBotAPI, telegram_bot: Bot, storage: Storage, clock: Clock
) -> None:
    deliverer = Deliverer(telegram_bot, storage, clock=clock, budget=AlertBudget(clock, 2, 600))
    for n in range(5):
        queue(storage, f"Story {n}")
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 2  # the budget: 2 alerts per 10 minutes
    clock.now += 601
    await deliverer.drain()
    [first, second, merged] = bot_api.messages_to(A)
    assert "Story 0" in first.text
    assert "Story 1" in second.text
    assert merged.text.startswith("<b>🗞 Several alerts at once")
    assert [line.count("Story") for line in merged.text.splitlines()[1:]] == [1, 1, 1]
    assert "Story 2" in merged.text
    assert "Story 4" in merged.text
    clock.now += 601
    assert await deliverer.drain() == 0, "every merged alert counts as delivered: none repeats"
    assert storage.delivery_stats().queue_depth == 0


async def test_stats_count_failures_by_kind_and_latency(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    bot_api.fail_next(A, Failure(500, "Internal Server Error"))
    bot_api.fail_next(B, Failure(403, "Forbidden: bot was blocked by the user"))
    queue(storage, "Counted")
    await deliverer.drain()
    clock.now += 600
    await deliverer.drain()
    stats = storage.delivery_stats()
    assert stats.queue_depth == 0
    assert stats.sent_last_hour == 1
    assert stats.inactive_chats == 1
    assert stats.failures_last_day == {"server_error": 1, "blocked": 1}
    assert stats.latency_p50 is not None
    assert 0 <= stats.latency_p50 < 60


@pytest.mark.slow
async def test_a_fan_out_runs_at_the_overall_limit_without_429s(
    bot_api: FakeBotAPI, telegram_bot: Bot, tmp_path: Path
) -> None:
    """Real clock, real pacing: 90 chats, one alert, Telegram's limits enforced by the server."""
    bot_api.enforce_limits = True
    storage = Storage.open(tmp_path / "fan.sqlite3")
    chats = [1000 + n for n in range(60)] + [-5000 - n for n in range(30)]
    for chat in chats:
        storage.remember_chat(chat, "private" if chat > 0 else "group", str(chat))
        storage.subscribe(chat, ["crisis"])
    queue(storage, "Everyone")
    queue(storage, "Everyone again")  # groups get their second one 3 s later (20/min)
    deliverer = Deliverer(telegram_bot, storage, limiter=RateLimiter(time.time), max_in_flight=4)
    runner = asyncio.create_task(deliverer.run())
    try:
        for chat in chats:
            await bot_api.wait_for_messages(chat, 2, within=30)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        storage.close()
    assert bot_api.too_many == []
    assert all(len(bot_api.messages_to(chat)) == 2 for chat in chats)


async def test_alerts_queued_for_a_topic_just_unfollowed_are_not_sent(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    queue(storage, "Queued before unsubscribing")
    storage.unsubscribe(A, ["crisis"])
    await deliverer.drain()
    assert bot_api.messages_to(A) == []
    assert len(bot_api.messages_to(B)) == 1


async def test_a_message_too_long_for_telegram_is_never_sent_as_is(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    item = Item("Wire", "long", "Long", "https://e.org/x", "Summary.")
    alert = summarise(item, [TopicMatch("crisis")])
    huge = replace(alert, html="<b>x</b>" + "🛰" * 3000, plain="y" + "🛰" * 3000)
    storage.record_poll("Wire", "https://e.org/feed", [item], [huge])
    await deliverer.drain()
    [message] = bot_api.messages_to(A)
    assert not bot_api.rejected
    assert message.text.endswith("…")


async def test_a_merged_message_marks_sent_only_the_alerts_it_shows(
    bot_api: FakeBotAPI, telegram_bot: Bot, storage: Storage, clock: Clock
) -> None:
    deliverer = Deliverer(telegram_bot, storage, clock=clock, budget=AlertBudget(clock, 1, 600))
    for n in range(41):
        queue(storage, f"Story {n} " + "with a long headline " * 7)
    await deliverer.drain()
    clock.now += 601
    await deliverer.drain()
    merged = bot_api.messages_to(A)[1].text
    shown = merged.count("Story ")
    assert 0 < shown < 40
    assert merged.endswith("more in the next message")
    assert len(storage.pending_for_chat(A)) == 40 - shown, "the rest wait for the next message"


async def test_the_budget_survives_a_restart_and_refused_sends_do_not_use_it(
    bot_api: FakeBotAPI, telegram_bot: Bot, storage: Storage, clock: Clock
) -> None:
    bot_api.fail_next(A, Failure(502, "Bad Gateway"), times=3)
    first = Deliverer(telegram_bot, storage, clock=clock, budget=AlertBudget(clock, 2, 600))
    queue(storage, "One")
    for _ in range(4):
        await first.drain()
        clock.now += 30  # the retry backoff; still inside the budget's window
    assert len(bot_api.messages_to(A)) == 1, "three refusals used none of the budget of 2"
    queue(storage, "Two")
    await first.drain()
    assert len(bot_api.messages_to(A)) == 2
    restarted = Deliverer(telegram_bot, storage, clock=clock, budget=AlertBudget(clock, 2, 600))
    queue(storage, "Three")
    await restarted.drain()
    assert len(bot_api.messages_to(A)) == 2, "the budget is rebuilt from what was sent"


@pytest.mark.slow
async def test_a_chat_waiting_on_its_own_limit_does_not_hold_up_the_others(
    bot_api: FakeBotAPI, telegram_bot: Bot, tmp_path: Path
) -> None:
    storage = Storage.open(tmp_path / "wait.sqlite3")
    group, readers = -777, [3001, 3002, 3003, 3004, 3005]
    storage.remember_chat(group, "group", "g")
    storage.subscribe(group, ["crisis"])
    queue(storage, "For the group")
    queue(storage, "For the group again")  # 20/min: this one waits 3 s
    for reader in readers:
        storage.remember_chat(reader, "private", str(reader))
        storage.subscribe(reader, ["other"])
    item = Item("Wire", "readers", "For the readers", "https://e.org/r", "Summary.")
    storage.record_poll("Wire", "https://e.org/f", [item], [summarise(item, [TopicMatch("other")])])
    deliverer = Deliverer(telegram_bot, storage, limiter=RateLimiter(time.time))
    runner = asyncio.create_task(deliverer.run())
    try:
        await bot_api.wait_for_messages(group, 2, within=30)
    finally:
        deliverer.stop()
        await runner
        storage.close()
    order = [m.chat_id for m in bot_api.sent]
    assert order.index(group) == 0
    assert set(order[1:6]) == set(readers), "the readers went while the group waited"
    assert order[6] == group


async def test_a_group_that_forbids_the_bot_to_post_is_paused(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    bot_api.fail_next(
        A, Failure(400, "Bad Request: not enough rights to send text messages to the chat")
    )
    queue(storage, "No rights")
    await deliverer.drain()
    queue(storage, "Still no rights")
    await deliverer.drain()
    assert bot_api.messages_to(A) == []
    assert len(bot_api.rejected) == 1, "paused after one refusal, not one per alert"
    assert storage.delivery_stats().failures_last_day == {"no_rights": 1}


async def test_chat_not_found_pauses_the_chat(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    bot_api.fail_next(A, Failure(400, "Bad Request: chat not found"))
    queue(storage, "Nobody there")
    await deliverer.drain()
    assert storage.delivery_stats().inactive_chats == 1
    assert len(bot_api.messages_to(B)) == 1


async def test_a_429_on_the_plain_text_fallback_waits_like_any_429(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    bot_api.fail_next(A, Failure(400, "Bad Request: can't parse entities: unsupported tag"))
    bot_api.fail_next(A, Failure(429, "Too Many Requests: retry after 40", {"retry_after": 40}))
    queue(storage, "Markup and rate limit")
    await deliverer.drain()
    assert bot_api.messages_to(A) == []
    assert storage.next_retry_at() == clock.now + 40
    clock.now += 41
    await deliverer.drain()
    assert len(bot_api.messages_to(A)) == 1
