"""BOT_LOG_FORMAT=json: one JSON object per line, with the same keys as the text format
(`feed`, `item`, `chat`, `topic`), and the token redacted as in text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.logs import REDACTED, setup_logging
from bot.settings import Settings

from .conftest import TEST_TOKEN, running
from .fake_bot_api import FakeBotAPI
from .feed_server import Entry, FeedServer


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    setup_logging("DEBUG", [TEST_TOKEN], stream=stream, fmt="json")
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_keys_of_the_message_and_extra_fields(
    json_logs: io.StringIO,
) -> None:
    log = logging.getLogger("bot.test")
    log.info("delivered chat=%d delivery=%d", 42, 7)
    log.warning("poll failed feed=%r item=%r: %s", "BBC World", "it's-1", "HTTP 500")
    log.info("subscribed", extra={"chat": 5, "topic": "energy"})
    try:
        raise RuntimeError(f"GET /bot{TEST_TOKEN}/getMe")
    except RuntimeError:
        log.exception("crashed feed=%r token=%s", "X", TEST_TOKEN)
    delivered, failed, subscribed, crashed = records(json_logs)
    assert delivered["chat"] == 42
    assert delivered["level"] == "INFO"
    assert delivered["logger"] == "bot.test"
    assert delivered["message"] == "delivered chat=42 delivery=7"
    assert failed["feed"] == "BBC World"
    assert failed["item"] == "it's-1"
    assert (subscribed["chat"], subscribed["topic"]) == (5, "energy")
    assert crashed["feed"] == "X"
    assert "RuntimeError" in crashed["traceback"]
    text = json_logs.getvalue()
    assert TEST_TOKEN not in text
    assert TEST_TOKEN.split(":")[1] not in text
    assert REDACTED in crashed["traceback"]


@pytest.mark.slow
async def test_a_json_debug_run_of_the_bot_logs_no_token(
    json_logs: io.StringIO,
    feed_server: FeedServer,
    bot_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    async with running(make_settings(log_level="DEBUG")):
        await bot_api.user_says(1, "/subscribe russia-ukraine")
        await bot_api.wait_for_messages(1, 1)
        await feed_server.wait_for_fetches("world", 2)
        feed_server.publish("world", Entry("news", "Kyiv talks resume"))
        await bot_api.wait_for_messages(1, 2)
    lines = records(json_logs)
    assert any(line.get("chat") == 1 and "delivered" in line["message"] for line in lines)
    assert any(line.get("feed") == "World" for line in lines)
    text = json_logs.getvalue()
    assert TEST_TOKEN not in text
    assert TEST_TOKEN.split(":")[1] not in text
    assert REDACTED in text, "python-telegram-bot logged the token-bearing URL, redacted"
