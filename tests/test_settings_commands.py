"""Settings commands through the real bot and the local Bot API: what a user sees in reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.settings import Settings
from bot.storage import Storage

from .conftest import running
from .fake_bot_api import FakeBotAPI, check_telegram_html
from .feed_server import Entry, FeedServer

pytestmark = pytest.mark.slow


async def ask(api: FakeBotAPI, chat_id: int, *texts: str) -> list[str]:
    """Send commands from a user in `chat_id`; return what the bot replied, as shown."""
    before = len(api.messages_to(chat_id))
    for text in texts:
        await api.user_says(chat_id, text)
    replies = await api.wait_for_messages(chat_id, before + len(texts))
    return [check_telegram_html(m.text) for m in replies[before:]]


async def test_settings_show_the_defaults_and_how_to_change_them(
    bot_api: FakeBotAPI, bot: object
) -> None:
    [reply] = await ask(bot_api, 1, "/settings")
    assert "Time zone: UTC" in reply
    assert "Digest: off" in reply
    assert "Quiet hours: none" in reply
    assert "Paused: no" in reply
    assert "/digest" in reply
    assert "/timezone" in reply
    assert {"settings", "digest", "quiet", "pause", "resume", "timezone"} <= {
        c["command"] for c in bot_api.commands
    }


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/timezone Mars/Olympus", "“Mars/Olympus” is not a time zone I know"),
        ("/timezone <b>", "“<b>” is not a time zone I know"),  # escaped, shown as typed
        ("/timezone GMT+3", "offsets do not follow summer time"),
        ("/timezone " + "x" * 4000, "“" + "x" * 40 + "…” is not a time zone"),
        ("/quiet 25:00-07:00", "hours go from 00 to 23"),
        ("/quiet 22:00", "Write it like 22:00-07:00"),
        ("/digest daily 25:00", "hours go from 00 to 23"),
        ("/digest weekly", "Choose /digest off, /digest hourly or /digest daily 08:00"),
        ("/pause -2h", "negative"),
        ("/pause 45d", "at most 30 days"),
        ("/pause soon", "30m, 2h, 1d"),
    ],
)
async def test_bad_input_gets_the_reason_and_an_example(
    bot_api: FakeBotAPI, bot: object, command: str, expected: str
) -> None:
    [reply] = await ask(bot_api, 2, command)
    assert expected in reply
    assert not bot_api.rejected
    [settings] = await ask(bot_api, 2, "/settings")
    assert "Time zone: UTC" in settings
    assert "Digest: off" in settings, "nothing changed"


async def test_changes_are_confirmed_and_shown_by_settings(
    bot_api: FakeBotAPI, bot: object
) -> None:
    zone, digest, quiet, pause, settings, resume, again = await ask(
        bot_api,
        3,
        "/timezone europe/berlin",
        "/digest daily 08:00",
        "/quiet hold 22:00-07:00",  # hold first works as well as last
        "/pause 2h",
        "/settings",
        "/resume",
        "/resume",
    )
    assert "Time zone set to Europe/Berlin" in zone
    assert "Digest daily at 08:00, Europe/Berlin time" in digest
    assert "the next at" in digest
    assert "22:00–07:00, alerts held until they end" in quiet
    assert "Paused until" in pause
    assert "No alert is lost" in pause
    assert "Time zone: Europe/Berlin" in settings
    assert "Digest: daily at 08:00" in settings
    assert "Quiet hours: 22:00–07:00, alerts held until they end" in settings
    assert "Paused: yes, until" in settings
    assert "Resumed" in resume
    assert "not paused" in again


async def test_commands_without_arguments_explain_themselves(
    bot_api: FakeBotAPI, bot: object
) -> None:
    digest, quiet, zone, pause = await ask(bot_api, 4, "/digest", "/quiet", "/timezone", "/pause")
    assert "/digest daily 08:00" in digest
    assert "/quiet 22:00-07:00 hold" in quiet
    assert "/timezone Europe/Berlin" in zone
    assert "until you send /resume" in pause


async def test_settings_survive_a_restart(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    async with running(settings):
        await ask(bot_api, 5, "/timezone Asia/Tokyo", "/quiet 23:00-06:30")
    async with running(settings):
        [reply] = await ask(bot_api, 5, "/settings")
    assert "Time zone: Asia/Tokyo" in reply
    assert "Quiet hours: 23:00–06:30, alerts arrive silently" in reply


async def test_help_lists_the_settings_commands(bot_api: FakeBotAPI, bot: object) -> None:
    [reply] = await ask(bot_api, 6, "/help")
    for command in ("/settings", "/digest", "/quiet", "/pause", "/resume", "/timezone"):
        assert command in reply


async def test_a_paused_chat_gets_what_it_missed_as_one_message_on_resume(
    feed_server: FeedServer, bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    reader = 7
    feed_server.publish("world", Entry("seed", "Nothing to see"))
    settings = make_settings()
    async with running(settings):
        await ask(bot_api, reader, "/subscribe russia-ukraine", "/pause")
        await feed_server.wait_for_fetches("world", 2)  # the first poll is recorded, not sent
        feed_server.publish("world", Entry("hot", "NATO says troops are massing"))
        await until_held(settings, reader)
        assert len(bot_api.messages_to(reader)) == 2, "only the two replies so far"

        await bot_api.user_says(reader, "/resume")
        messages = await bot_api.wait_for_messages(reader, 4)

    texts = [check_telegram_html(m.text) for m in messages[2:]]
    [reply] = [text for text in texts if "Resumed" in text]
    [digest] = [text for text in texts if "Resumed" not in text]
    assert "1 alert kept back, arriving now as one message" in reply
    assert digest.startswith("🗞 Kept back while alerts were paused: 1 story")
    assert "NATO says troops are massing" in digest


async def until_held(settings: Settings, chat: int, within: float = 20.0) -> None:
    """Wait until the running bot has held an alert for `chat` (polls the database)."""
    storage = Storage.open(settings.db)
    try:
        for _ in range(int(within / 0.05)):
            if storage.held_summary(chat)[0]:
                return
            await asyncio.sleep(0.05)  # sync-ok: bounded poll of the database the bot writes
    finally:
        storage.close()
    raise AssertionError(f"no alert was held for chat {chat}")
