"""SIGTERM (a PaaS restart) in the middle of a fan-out: `python -m bot` stops polling, lets the
sends in flight finish and be recorded (or parks them, when Telegram hangs), closes the database
and exits 0 within 10 s; after a restart every chat gets its alert, and none gets it twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from .conftest import TEST_TOKEN
from .fake_bot_api import FakeBotAPI
from .test_cli import command
from .test_crash import bot_env, queue_fan_out

pytestmark = pytest.mark.slow

CHATS = [6000 + n for n in range(150)]


async def stop_with_sigterm(process: asyncio.subprocess.Process) -> tuple[float, str]:
    """SIGTERM; return how long the exit took and everything the process logged."""
    assert process.stderr is not None
    logged = asyncio.create_task(process.stderr.read())  # read as it comes: a full pipe blocks
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), 30)
    return time.monotonic() - started, (await logged).decode()


def closed_cleanly_and_sent(db: Path) -> int:
    """Check the database was closed cleanly; return how many deliveries it records as sent."""
    assert not os.path.exists(f"{db}-wal"), "closing the last connection checkpoints the WAL"
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        query = "SELECT count(*) FROM deliveries WHERE status = 'sent'"
        return int(connection.execute(query).fetchone()[0])
    finally:
        connection.close()


async def test_sigterm_mid_fan_out_exits_0_quickly_and_a_restart_delivers_the_rest(
    tmp_path: Path, bot_api: FakeBotAPI, config_dir: Path
) -> None:
    db = tmp_path / "shutdown.sqlite3"
    queue_fan_out(db, CHATS)
    env = bot_env(db, bot_api, config_dir, BOT_LOG_FORMAT="json")
    # the default 30 s getUpdates long poll is in flight too: it must not delay the exit
    first = await command(**env)
    await bot_api.wait_for_total(30)
    elapsed, logged = await stop_with_sigterm(first)
    assert first.returncode == 0, logged[-2000:]
    assert elapsed < 10, f"took {elapsed:.1f} s to stop"
    sent_before = len(bot_api.sent)
    assert sent_before < len(CHATS), "stopped mid-fan-out"
    assert closed_cleanly_and_sent(db) == sent_before, "every send Telegram accepted is recorded"
    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    assert any(line["message"].startswith("stopping") for line in lines)
    assert TEST_TOKEN not in logged

    second = await command(**env)
    for chat in CHATS:
        await bot_api.wait_for_messages(chat, 1, within=60)
    _, logged = await stop_with_sigterm(second)
    assert second.returncode == 0, logged[-2000:]
    received = Counter(m.chat_id for m in bot_api.sent if m.chat_id in CHATS)
    assert set(received) == set(CHATS), "after the restart every chat got its alert"
    assert max(received.values()) == 1, "a graceful stop repeats nothing"


async def test_sigterm_while_telegram_hangs_parks_the_sends_and_still_exits_in_time(
    tmp_path: Path, bot_api: FakeBotAPI, config_dir: Path
) -> None:
    db = tmp_path / "stalled.sqlite3"
    queue_fan_out(db, CHATS)
    env = bot_env(db, bot_api, config_dir)
    first = await command(**env)
    await bot_api.wait_for_total(10)
    bot_api.send_delay = 60.0
    for _ in range(200):  # until a send is hanging in the Bot API
        if bot_api.calls.count("sendMessage") > len(bot_api.sent):
            break
        await asyncio.sleep(0.05)  # sync-ok: bounded wait on the fake server's state
    else:
        raise AssertionError("no send reached the stalled Bot API")
    elapsed, logged = await stop_with_sigterm(first)
    assert first.returncode == 0, logged[-2000:]
    assert elapsed < 10, f"took {elapsed:.1f} s to stop"
    assert closed_cleanly_and_sent(db) == len(bot_api.sent), "a hung send is not marked sent"

    bot_api.send_delay = 0.0
    second = await command(**env)
    for chat in CHATS:
        await bot_api.wait_for_messages(chat, 1, within=60)
    _, logged = await stop_with_sigterm(second)
    assert second.returncode == 0, logged[-2000:]
    received = Counter(m.chat_id for m in bot_api.sent if m.chat_id in CHATS)
    assert set(received) == set(CHATS)
    assert max(received.values()) == 1
