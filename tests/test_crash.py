"""A bot killed with SIGKILL in the middle of a fan-out, restarted on the same database,
finishes the fan-out: every chat gets the alert, and only the sends in flight at the instant
of the kill can be repeated."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.models import Item, TopicMatch
from bot.storage import Storage
from bot.summarise import summarise

from .conftest import TEST_TOKEN
from .fake_bot_api import FakeBotAPI
from .test_cli import command

pytestmark = pytest.mark.slow

CHATS = [5000 + n for n in range(120)]
IN_FLIGHT = 2  # BOT_SEND_CONCURRENCY's default: the most a crash may repeat


def queue_fan_out(db: Path, chats: Sequence[int] = CHATS) -> None:
    """One alert queued for each of `chats`, as a poll would leave it: the fan-out to run."""
    storage = Storage.open(db)
    for chat in chats:
        storage.remember_chat(chat, "private", f"reader {chat}")
        storage.subscribe(chat, ["russia-ukraine"])
    item = Item("World", "big-news", "Kyiv: ceasefire talks announced", "https://e.org/big")
    alert = summarise(item, [TopicMatch("russia-ukraine")])
    storage.record_poll("World", "https://e.org/f", [item], [alert])
    storage.close()


def bot_env(db: Path, bot_api: FakeBotAPI, config_dir: Path, **extra: str) -> dict[str, str]:
    """The environment `python -m bot` runs with against the local Bot API."""
    return {
        "BOT_TOKEN": TEST_TOKEN,
        "BOT_API_URL": bot_api.base_url,
        "BOT_DB": str(db),
        "BOT_CONFIG_DIR": str(config_dir),
        **extra,
    }


async def test_kill_9_mid_fan_out_then_restart_delivers_everything_once(
    tmp_path: Path, bot_api: FakeBotAPI, config_dir: Path
) -> None:
    db = tmp_path / "crash.sqlite3"
    queue_fan_out(db)
    env = bot_env(db, bot_api, config_dir, BOT_SEND_CONCURRENCY=str(IN_FLIGHT))
    first = await command(**env)
    try:
        await bot_api.wait_for_total(30)
    finally:
        first.send_signal(signal.SIGKILL)
        await asyncio.wait_for(first.wait(), 30)
    assert first.returncode == -signal.SIGKILL
    sent_before_restart = len(bot_api.sent)
    assert sent_before_restart < len(CHATS), "killed mid-fan-out"

    second = await command(**env)
    try:
        for chat in CHATS:
            await bot_api.wait_for_messages(chat, 1, within=60)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), 30)
    assert second.returncode == 0

    received = Counter(m.chat_id for m in bot_api.sent if m.chat_id in CHATS)
    assert set(received) == set(CHATS)
    repeated = sum(count - 1 for count in received.values())
    assert repeated <= IN_FLIGHT, f"{repeated} repeats: more than the sends in flight"
