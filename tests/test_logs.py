"""The bot token never reaches a log line, at any level."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterator

import pytest

from bot.logs import REDACTED, RedactingFormatter, setup_logging
from bot.settings import Settings

from .conftest import TEST_TOKEN, running
from .fake_bot_api import FakeBotAPI
from .feed_server import Entry, FeedServer


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Our logging setup writing into a buffer; pytest's own handlers restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    setup_logging("DEBUG", [TEST_TOKEN], stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_formatter_redacts_secrets_token_shapes_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", ["s3cret-value"])
    try:
        raise RuntimeError(
            "GET https://api.telegram.org/bot98765:fake-abcdefghijklmnopqrstuvwxyz0123/getMe"
        )
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, "f", 1, "uses %s", ("s3cret-value",), None)
        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert "s3cret-value" not in text
    assert "fake-abcdefghijklmnopqrstuvwxyz0123" not in text
    assert text.startswith(f"uses {REDACTED}\n")
    assert text.endswith(f"RuntimeError: GET https://api.telegram.org/bot{REDACTED}/getMe")


@pytest.mark.slow
async def test_a_debug_run_of_the_bot_logs_no_token(
    log_stream: io.StringIO,
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

    logs = log_stream.getvalue()
    assert "delivered chat=1" in logs, "the run did log at DEBUG and INFO"
    assert TEST_TOKEN not in logs
    assert TEST_TOKEN.split(":")[1] not in logs
    assert REDACTED in logs, "python-telegram-bot logged the token-bearing URL, redacted"
