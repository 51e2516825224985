"""The running bot's link to Telegram: connecting (retrying while the Bot API is unreachable),
receiving updates by long polling or webhook, registering the command menu, watching for a
token revoked at runtime, messaging the admins, and the error handler that tells a user their
update failed.

`app` (the composition root) decides when each runs and passes in the values from Settings.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from urllib.parse import urlsplit

from pydantic import SecretStr
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from .commands import COMMANDS

# The name these log lines had before this module was split out of app.py, so log filters
# (and the webhook test, which waits for "receiving updates by webhook") keep finding them.
log = logging.getLogger("bot.app")

MAX_CONNECT_DELAY = 30.0


async def until_connected(application: Application, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """Initialise the bot (getMe), retrying while Telegram is unreachable; False if stopped.

    A rejected token is not retried: InvalidToken propagates to the caller.
    """
    delay = 1.0
    while not stop.is_set():
        try:
            await application.initialize()
        except InvalidToken:
            raise
        except (NetworkError, TimedOut) as exc:
            log.warning("cannot reach the Bot API (%s); retrying in %.0fs", exc, delay)
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                delay = min(delay * 2, MAX_CONNECT_DELAY)
        else:
            return True
    return False


async def watch_token(
    application: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    rejected: asyncio.Event,
    every: float,
) -> None:
    """A token revoked at runtime makes getUpdates fail for good, and python-telegram-bot
    only logs it: the bot would poll feeds and queue alerts it can never send. Check the token
    every `every` seconds and stop the bot (exit 1) when Telegram rejects it."""
    while not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
            return
        try:
            await application.bot.get_me()
        except InvalidToken:
            log.error("Telegram rejects the token now (revoked?): stopping")
            rejected.set()
            stop.set()
        except TelegramError as exc:  # unreachable for a while: the token may be fine
            log.info("token check skipped: %s", exc)


async def receive_updates(
    application: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: int,
    webhook_url: str | None,
    webhook_secret: SecretStr | None,
    port: int,
) -> None:
    """Long polling by default; with a webhook URL, register the webhook with Telegram and
    serve it on 0.0.0.0:`port`, refusing posts without the secret token."""
    assert application.updater is not None
    if webhook_url is None:
        await application.updater.start_polling(
            timeout=poll_timeout,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=-1,  # a Bot API blip right after getMe must not end the bot
        )
        return
    assert webhook_secret is not None  # Settings refuses a webhook without one
    await application.updater.start_webhook(
        listen="0.0.0.0",  # a PaaS routes its public port to this one, on any interface
        port=port,
        url_path=urlsplit(webhook_url).path.lstrip("/"),
        webhook_url=webhook_url,
        secret_token=webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
        bootstrap_retries=-1,
    )
    log.info("receiving updates by webhook port=%d", port)


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """The command menu is a convenience: failing to set it must not stop the bot."""
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        log.warning("could not register the command menu: %s", exc)


async def tell_admins(application: Application, admins: frozenset[int], text: str) -> None:  # type: ignore[type-arg]
    """Best effort: an admin who never started a chat with the bot cannot be messaged."""
    log.warning("admin notice: %s", text)
    for admin in sorted(admins):
        try:
            await application.bot.send_message(admin, text)
        except TelegramError as exc:
            log.warning("could not tell an admin chat=%d: %s", admin, exc)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure; tell the user something went wrong rather than staying silent."""
    log.error("update failed: %r", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_text(
                "Sorry, something went wrong on my side. Please try again in a moment."
            )
        except Exception:  # noqa: BLE001 - the error handler must never raise
            log.warning("could not tell the user about the failure")
