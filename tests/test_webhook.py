"""Webhook mode: the bot registers its URL and secret with the Bot API, handles updates posted
with the secret header, and refuses (and ignores) any without it."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from bot.settings import Settings

from .conftest import running
from .fake_bot_api import FakeBotAPI
from .test_cli import run

SECRET = "webhook-secret_0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
    """POST an update as Telegram would; retry while the server is still binding."""
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    return response.status
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)  # sync-ok: bounded wait for the port to open
    raise AssertionError(f"nothing listens at {url}")


@pytest.mark.slow
async def test_webhook_is_registered_and_only_posts_with_the_secret_are_handled(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = make_settings(webhook_url=url, webhook_secret=SECRET, PORT=port)
    async with running(settings):
        async with bot_api._changed:
            await asyncio.wait_for(bot_api._changed.wait_for(lambda: bool(bot_api.webhook)), 20)
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
