"""Webhook mode: the bot registers its URL and secret with the Bot API, handles updates posted
with the secret header, and refuses (and ignores) any without it.

Over real HTTP: the bot's webhook server listens on a free port of this machine. A port is free
only until someone binds it, so `webhook_bot` starts the bot again on another port when its
port was taken in the meantime, and posts nothing before the bot says it listens.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import socket
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from bot.app import run_bot
from bot.settings import Settings

from .fake_bot_api import FakeBotAPI
from .test_cli import run

SECRET = "webhook-secret_0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    """A port nothing listens on now; something else may take it before the bot binds it
    (`webhook_bot` then starts the bot again on another)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Listening(logging.Handler):
    """Set once the bot logs that its webhook server listens (after it bound the port)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("receiving updates by webhook"):
            self.event.set()


@asynccontextmanager
async def webhook_bot(
    make_settings: Callable[..., Settings], ports: Callable[[], int] = free_port, tries: int = 5
) -> AsyncIterator[str]:
    """Run the bot in webhook mode on a free port; yield its webhook URL once it listens there.

    Probing for a free port and binding it are two steps, so another process may take the
    port in between: the bot then fails to start with EADDRINUSE, and it starts again on
    another port. Nothing is posted before the bot itself has bound its port."""
    for _ in range(tries):
        port = ports()
        url = f"http://127.0.0.1:{port}/telegram/hook"
        settings = make_settings(webhook_url=url, webhook_secret=SECRET, PORT=port)
        stop = asyncio.Event()
        task = await _start_listening(settings, stop)
        if task is not None:
            break
    else:
        raise AssertionError(f"every port tried was taken ({tries} tries)")
    try:
        yield url
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def _start_listening(settings: Settings, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """The running bot, once its webhook server listens; None when its port was taken (any
    other failure fails the test)."""
    listening = _Listening()
    logger = logging.getLogger("bot.app")
    level = logger.level
    logger.addHandler(listening)
    logger.setLevel(logging.INFO)
    try:
        task = asyncio.create_task(run_bot(settings, stop))
        ready = asyncio.create_task(listening.event.wait())
        await asyncio.wait({task, ready}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
    finally:
        logger.removeHandler(listening)
        logger.setLevel(level)
    if listening.event.is_set():
        return task
    stop.set()
    [error] = await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 20)
    if not (isinstance(error, OSError) and error.errno == errno.EADDRINUSE):
        raise AssertionError(f"the webhook server did not start: {error!r}")
    # tornado's bind_sockets leaves the socket it failed to bind open (the error's traceback
    # holds it): close it here, quietly, rather than let it warn in whatever runs next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        del error, task
        gc.collect()
    return None


def start_update(update_id: int, chat_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Reader"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Reader"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def post(url: str, update: dict[str, Any], headers: dict[str, str]) -> int:
    """POST an update as Telegram would; return the HTTP status."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


@pytest.mark.slow
async def test_webhook_is_registered_and_only_posts_with_the_secret_are_handled(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    async with webhook_bot(make_settings) as url:
        assert bot_api.webhook["url"] == url
        assert bot_api.webhook["secret_token"] == SECRET

        assert await post(url, start_update(1, 501), {HEADER: "wrong"}) == 403
        assert await post(url, start_update(2, 502), {}) == 403
        assert await post(url, start_update(3, 503), {HEADER: SECRET}) == 200
        [reply] = await bot_api.wait_for_messages(503, 1)
    assert "Hi" in reply.text
    assert not bot_api.messages_to(501), "a wrong secret is refused and not handled"
    assert not bot_api.messages_to(502), "a missing secret is refused and not handled"
    assert "getUpdates" not in bot_api.calls, "webhook mode does not poll"


@pytest.mark.slow
async def test_a_port_taken_before_the_bot_binds_it_means_another_try_not_a_failure(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:  # another process, listening
        held = taken.getsockname()[1]
        ports: Iterator[int] = iter([held, free_port()])
        async with webhook_bot(make_settings, lambda: next(ports)) as url:
            assert f":{held}/" not in url
            assert await post(url, start_update(1, 504), {HEADER: SECRET}) == 200
            [reply] = await bot_api.wait_for_messages(504, 1)
    assert "Hi" in reply.text


@pytest.mark.parametrize("secret", [None, "has spaces", "x" * 257])
def test_a_webhook_needs_a_usable_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="BOT_WEBHOOK_SECRET"):
        Settings(_env_file=None, webhook_url="https://bot.example/hook", webhook_secret=secret)


def test_port_comes_from_the_platforms_port_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "5123")
    assert Settings(_env_file=None).port == 5123


def test_the_cli_explains_a_webhook_without_a_secret() -> None:
    result = run("check-config", BOT_WEBHOOK_URL="https://bot.example/hook")
    assert result.returncode == 2
    assert "settings: BOT_WEBHOOK_URL needs BOT_WEBHOOK_SECRET" in result.stderr
