"""Fan-out speed: one alert to N chats through the real sender, against a local Bot API server
that enforces Telegram's limits with 429s (30 messages in any second overall, 3 in any second
to one private chat, 20 a minute to one group).

    python bench/fanout.py [--chats 2000] [--groups 0]

Prints, for our Deliverer (outbox in SQLite, paced by bot/ratelimit.py, 2 sends in flight):
messages/s sustained, 429s received, total time, and whether every chat got the alert exactly
once. The baseline in the same run: python-telegram-bot's AIORateLimiter with default settings,
sending the same messages the way a bot using it would (all at once; it queues them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.error import RetryAfter, TelegramError  # noqa: E402
from telegram.ext import AIORateLimiter, ApplicationBuilder  # noqa: E402

from bot.deliver import Deliverer  # noqa: E402
from bot.models import Item, TopicMatch  # noqa: E402
from bot.ratelimit import RateLimiter  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.summarise import summarise  # noqa: E402
from tests.fake_bot_api import FakeBotAPI  # noqa: E402

TOKEN = "123456:BENCH-token-for-the-local-fake-api-only"


def chat_ids(private: int, groups: int) -> list[int]:
    return [10_000 + n for n in range(private)] + [-1_000_000 - n for n in range(groups)]


async def ours(chats: list[int]) -> tuple[float, int, Counter[int]]:
    api = FakeBotAPI(TOKEN)
    await api.start()
    api.enforce_limits = True
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage.open(Path(folder) / "fanout.sqlite3")
        for chat in chats:
            storage.remember_chat(chat, "private" if chat > 0 else "group", str(chat))
            storage.subscribe(chat, ["crisis"])
        item = Item("Wire", "k1", "Kremlin sends written reply to US proposals", "https://e.org/1")
        storage.record_poll(
            "Wire", "https://e.org/f", [item], [summarise(item, [TopicMatch("crisis")])]
        )
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            deliverer = Deliverer(bot, storage, limiter=RateLimiter(time.time), max_in_flight=2)
            start = time.perf_counter()
            runner = asyncio.create_task(deliverer.run())
            await api.wait_for_total(len(chats), within=3600)
            elapsed = time.perf_counter() - start
            deliverer.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        storage.close()
    received = Counter(m.chat_id for m in api.sent)
    await api.close()
    return elapsed, len(api.too_many), received


async def baseline(chats: list[int]) -> tuple[float, int, Counter[int], int]:
    api = FakeBotAPI(TOKEN)
    await api.start()
    api.enforce_limits = True
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .rate_limiter(AIORateLimiter())
        .build()
    )
    lost = 0
    async with application:
        start = time.perf_counter()
        results = await asyncio.gather(
            *(application.bot.send_message(chat, "Kremlin sends written reply") for chat in chats),
            return_exceptions=True,
        )
        elapsed = time.perf_counter() - start
    for result in results:
        if isinstance(result, (RetryAfter, TelegramError)):
            lost += 1
    received = Counter(m.chat_id for m in api.sent)
    await api.close()
    return elapsed, len(api.too_many), received, lost


def report(
    name: str, chats: list[int], elapsed: float, too_many: int, received: Counter[int]
) -> None:
    once = sum(1 for chat in chats if received[chat] == 1)
    twice = sum(1 for chat in chats if received[chat] > 1)
    missing = sum(1 for chat in chats if received[chat] == 0)
    rate = sum(received.values()) / elapsed
    print(
        f"{name:<34} {rate:6.1f} msg/s  {too_many:5d} × 429  {elapsed:7.1f} s  "
        f"exactly once: {once}/{len(chats)} (missing {missing}, duplicated {twice})"
    )


async def main_async(args: argparse.Namespace) -> None:
    chats = chat_ids(args.chats - args.groups, args.groups)
    print(
        f"fan-out of one alert to {len(chats)} chats ({args.groups} groups); the server allows "
        "30 msg/s overall, 3/s per private chat, 20/min per group, and answers 429 beyond"
    )
    elapsed, too_many, received = await ours(chats)
    report("newsbot Deliverer (goal ≥ 28 msg/s)", chats, elapsed, too_many, received)
    elapsed, too_many, received, lost = await baseline(chats)
    report("baseline: PTB AIORateLimiter()", chats, elapsed, too_many, received)
    if lost:
        print(f"  (the baseline gave up on {lost} messages: RetryAfter with max_retries=0)")


def main() -> None:
    logging.disable(logging.ERROR)  # the baseline logs a traceback for every message it drops
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=0)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
