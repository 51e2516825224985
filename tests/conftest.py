"""Fixtures: local feed and Bot API servers, a test config, explicit settings, a running bot."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from bot.app import run_bot
from bot.deliver import Deliverer
from bot.settings import Settings
from bot.storage import Storage

from .clock import FrozenClock
from .fake_bot_api import FakeBotAPI
from .feed_server import FeedServer

# Shaped like a token (digits, colon, secret) so redaction is really exercised, but not real.
TEST_TOKEN = "123456:TEST-secret-for-the-local-fake-api-only"

TEST_TOPICS = """
[actors.putin]
name = "Vladimir Putin"
aliases = ["Putin", "Путин"]

[actors.nato]
name = "NATO"
aliases = ["North Atlantic Treaty Organization"]

[topics.russia-ukraine]
title = "Russia–Ukraine crisis"
description = "Troops, talks and sanctions."
match_any = ["Kyiv", "Ukraine"]
actors = ["putin", "nato"]
keywords = ["troops", "sanctions"]
exclude = ["Dynamo Kyiv"]

[topics.energy]
title = "Energy security"
description = "Gas to Europe."
match_any = ["Nord Stream"]
"""


def feeds_toml(urls: dict[str, str], interval: int = 1) -> str:
    return "".join(
        f'[[feeds]]\nname = "{name}"\nurl = "{url}"\ninterval = {interval}\n\n'
        for name, url in urls.items()
    )


@pytest.fixture(autouse=True)
def _no_developer_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's BOT_* variables or .env must never leak into a test."""
    for name in list(os.environ):
        if name.startswith("BOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(TEST_TOKEN)
    await api.start()
    yield api
    await api.close()


@pytest.fixture
def clock() -> FrozenClock:
    """The Deliverer's clock: it moves only when a test moves it (files override the start)."""
    return FrozenClock()


@pytest.fixture
def deliverer(telegram_bot: Bot, storage: Storage, clock: FrozenClock) -> Deliverer:
    """The sender under test, on the test file's `storage` and `clock`, unpaced."""
    return Deliverer(telegram_bot, storage, clock=clock)


@pytest.fixture
async def telegram_bot(bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """python-telegram-bot's Bot, talking to the local Bot API: what the Deliverer sends with."""
    async with Bot(TEST_TOKEN, base_url=bot_api.base_url) as bot:
        yield bot


# The reader every pipeline and polling test subscribes to the crisis topic.
CHAT = 42


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    """A database where CHAT follows russia-ukraine (test_deliver.py has its own)."""
    db = Storage.open(tmp_path / "db.sqlite3")
    db.remember_chat(CHAT, "private", "Reader")
    db.subscribe(CHAT, ["russia-ukraine"])
    yield db
    db.close()


@pytest.fixture
def config_dir(tmp_path: Path, feed_server: FeedServer) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "topics.toml").write_text(TEST_TOPICS, encoding="utf-8")
    (folder / "feeds.toml").write_text(feeds_toml({"World": feed_server.url("world")}))
    return folder


@pytest.fixture
def make_settings(tmp_path: Path, bot_api: FakeBotAPI, config_dir: Path) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "token": TEST_TOKEN,
            "api_url": bot_api.base_url,
            "db": tmp_path / "data" / "bot.sqlite3",
            "config_dir": config_dir,
            "poll_timeout": 5,
            "fetch_timeout": 5.0,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[asyncio.Task[None]]:
    """Run the bot exactly as `python -m bot` does, until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[asyncio.Task[None]]:
    async with running(make_settings()) as task:
        yield task
