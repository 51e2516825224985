"""Composition root: builds storage, catalog, HTTP session, Telegram application and scheduler,
starts them, and stops them in reverse order. The only module that reads Settings.

Updates arrive by long polling, or by webhook when BOT_WEBHOOK_URL is set. Config edits are
picked up while running (see reload.py); SIGTERM stops polling, lets sends in flight finish and
closes the database (see __main__.py). The Telegram connection itself (connect, receive
updates, token watchdog, error handler) is in telegram/runtime.py.

`run_bot` is exactly what `python -m bot` runs; tests call it too, with a stop event.
`run_console` is the same polling and matching with alerts printed instead of sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder

from .catalog import Catalog, Feed
from .deliver import Deliverer
from .fetch import new_session
from .pipeline import FeedOutcome, Parser, ProcessParser, parse_in_thread, process_feed
from .ratelimit import AlertBudget, RateLimiter
from .reload import LiveConfig, Reloader
from .scheduler import FeedJob, FeedScheduler
from .settings import Settings
from .storage import Storage
from .telegram.admin import AdminCommands
from .telegram.buttons import Buttons
from .telegram.commands import ChatCommands
from .telegram.keyboards import delivery_keyboard
from .telegram.runtime import (
    on_error,
    receive_updates,
    register_commands,
    tell_admins,
    until_connected,
    watch_token,
)
from .telegram.settings_commands import WAKE_DELIVERY, SettingsCommands
from .telegram.watch_commands import WatchCommands
from .watches import WatchIndex

log = logging.getLogger(__name__)

TOKEN_CHECK_SECONDS = 60.0  # how often the running bot checks its token was not revoked


def console_db_path(db: Path) -> Path:
    """Console mode keeps its own record of seen items, so it never hides alerts from the bot."""
    return db.with_name(f"{db.stem}-console{db.suffix or '.sqlite3'}")


async def run_bot(settings: Settings, stop: asyncio.Event) -> None:
    """Run the Telegram bot until `stop` is set.

    Feeds are polled from the start, even while Telegram is unreachable: alerts wait in the
    outbox and go out once the Bot API answers.
    """
    token = settings.token_value
    if not token:
        raise ValueError("run_bot needs settings.token")
    reloader = Reloader.load(settings.config_dir, settings.feed_interval)
    live = reloader.live
    catalog = live.catalog
    async with AsyncExitStack() as stack:
        storage = Storage.open(settings.db)
        stack.callback(storage.close)
        reloader.subscribers = storage.subscribers_by_topic
        http = await stack.enter_async_context(new_session(settings.fetch_timeout))
        scheduler: FeedScheduler | None = None  # admin commands reach it once it runs
        application = _build_application(
            settings, token, storage, live, lambda: scheduler, reloader, lambda: deliverer.wake()
        )
        watches = WatchIndex(storage, lambda: live.catalog)
        deliverer = Deliverer(
            application.bot,
            storage,
            limiter=RateLimiter(time.time),
            budget=AlertBudget(
                time.time, settings.alert_budget, settings.alert_budget_minutes * 60
            ),
            max_in_flight=settings.send_concurrency,
            keyboard=lambda delivery: delivery_keyboard(storage, delivery.id),
        )
        application.bot_data[WAKE_DELIVERY] = deliverer.wake  # settings changes release alerts

        policy = settings.poll_policy
        parser = _parser(settings, stack)

        async def poll(feed: Feed) -> FeedOutcome:
            outcome = await process_feed(
                feed,
                http=http,
                storage=storage,
                matcher=live.matcher,
                policy=policy,
                parser=parser,
                watches=watches,
            )
            if outcome.alerts:  # new messages, or edits of sent ones (a story's later report)
                deliverer.wake()
            if outcome.report:
                await tell_admins(application, settings.admins, outcome.report)
            return outcome

        scheduler = _start_scheduler(settings, catalog, poll, storage)
        stack.callback(scheduler.shutdown)
        reloader.on_feeds = scheduler.set_feeds

        if not await until_connected(application, stop):
            return
        stack.push_async_callback(application.shutdown)
        await register_commands(application)
        await application.start()
        stack.push_async_callback(application.stop)
        assert application.updater is not None
        await receive_updates(
            application,
            poll_timeout=settings.poll_timeout,
            webhook_url=settings.webhook_url,
            webhook_secret=settings.webhook_secret,
            port=settings.port,
        )
        stack.push_async_callback(application.updater.stop)
        sender = asyncio.create_task(deliverer.run(), name="deliverer")
        stack.push_async_callback(_stop_sender, deliverer, sender)
        log.info(
            "bot running as @%s topics=%d feeds=%d",
            application.bot.username,
            len(catalog.topics),
            len(catalog.feeds),
        )
        rejected = asyncio.Event()
        watchdog = asyncio.create_task(
            watch_token(application, stop, rejected, TOKEN_CHECK_SECONDS), name="token"
        )
        stack.push_async_callback(_cancel, watchdog)
        if settings.config_watch_seconds > 0:

            async def tell(text: str) -> None:
                await tell_admins(application, settings.admins, text[:4000])

            watcher = reloader.watch(stop, settings.config_watch_seconds, tell)
            stack.push_async_callback(_cancel, asyncio.create_task(watcher, name="config"))
        await stop.wait()
        log.info("stopping: no new polls; sends in flight finish, then the database closes")
        scheduler.shutdown()
        if rejected.is_set():
            raise InvalidToken("the token was revoked while the bot ran")


async def run_console(settings: Settings, stop: asyncio.Event, out: TextIO) -> None:
    """Poll and match like the bot, printing each alert to `out` instead of sending it; config
    edits are picked up as in the bot, and what changed is printed."""
    reloader = Reloader.load(settings.config_dir, settings.feed_interval)
    catalog = reloader.live.catalog
    async with AsyncExitStack() as stack:
        storage = Storage.open(console_db_path(settings.db))
        stack.callback(storage.close)
        http = await stack.enter_async_context(new_session(settings.fetch_timeout))

        policy = settings.poll_policy
        parser = _parser(settings, stack)

        async def poll(feed: Feed) -> FeedOutcome:
            outcome = await process_feed(
                feed,
                http=http,
                storage=storage,
                matcher=reloader.live.matcher,
                policy=policy,
                parser=parser,
            )
            for alert in outcome.alerts:
                print(f"\n{'─' * 60}\n{alert.plain}", file=out, flush=True)
            if outcome.report:
                print(f"\n⚠️ {outcome.report}", file=out, flush=True)
            return outcome

        print(
            f"Console mode: polling {len(catalog.feeds)} feeds for {len(catalog.topics)} topics. "
            "Items already in a feed at its first poll are recorded, not shown; new matching "
            "items are printed here. Ctrl+C stops.",
            file=out,
            flush=True,
        )
        scheduler = _start_scheduler(settings, catalog, poll, storage)
        stack.callback(scheduler.shutdown)
        reloader.on_feeds = scheduler.set_feeds
        if settings.config_watch_seconds > 0:

            async def show(text: str) -> None:
                print(f"\n{text}", file=out, flush=True)

            watcher = reloader.watch(stop, settings.config_watch_seconds, show)
            stack.push_async_callback(_cancel, asyncio.create_task(watcher, name="config"))
        await stop.wait()


def _parser(settings: Settings, stack: AsyncExitStack) -> Parser:
    if settings.parse_workers == 0:
        return parse_in_thread
    pool = ProcessParser(settings.parse_workers)
    stack.callback(pool.close)
    return pool


def _start_scheduler(
    settings: Settings, catalog: Catalog, poll: FeedJob, storage: Storage
) -> FeedScheduler:
    """Poll every feed; forget item identities no feed has shown for `keep_seen_days`."""
    policy = settings.poll_policy

    async def prune() -> None:  # a coroutine: APScheduler runs plain functions in a thread
        storage.prune_events(datetime.now(UTC) - timedelta(days=7))
        storage.stories.prune_edits(datetime.now(UTC) - timedelta(days=7))
        pruned = storage.prune_seen(datetime.now(UTC) - policy.keep_seen)
        if pruned:
            log.info("pruned seen items=%d older_than_days=%d", pruned, settings.keep_seen_days)
        forgotten = storage.prune_alerts(datetime.now(UTC) - policy.keep_seen)
        if forgotten:
            log.info("pruned alerts=%d older_than_days=%d", forgotten, settings.keep_seen_days)

    storage.prune_events(datetime.now(UTC) - timedelta(days=7))
    storage.prune_seen(datetime.now(UTC) - policy.keep_seen)
    scheduler = FeedScheduler(
        catalog.feeds,
        poll,
        concurrency=settings.poll_concurrency,
        per_host=settings.poll_per_host,
        policy=policy,
        on_next_poll=lambda feed, when: storage.set_next_poll(feed.name, when),
    )
    scheduler.every(timedelta(hours=24), prune, "prune seen items")
    scheduler.start()
    return scheduler


def _build_application(
    settings: Settings,
    token: str,
    storage: Storage,
    live: LiveConfig,
    scheduler: Callable[[], FeedScheduler | None],
    reloader: Reloader,
    wake_outbox: Callable[[], None],
) -> Application:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_url)
        .get_updates_read_timeout(settings.poll_timeout + 10)
        .build()
    )
    admin = AdminCommands(
        storage,
        lambda: live.catalog,
        scheduler,
        settings.admins,
        reloader=reloader,
        wake_outbox=wake_outbox,
    )
    application.add_handlers(admin.handlers())  # before the chat commands' catch-all
    application.add_handlers(SettingsCommands(storage).handlers())
    watch = WatchCommands(storage, lambda: live.catalog, lambda: live.matcher)
    application.add_handlers(watch.handlers())  # also before the catch-all
    commands = ChatCommands(storage, lambda: live.catalog)
    application.add_handlers(commands.handlers())
    application.add_handlers(
        Buttons(storage, lambda: live.catalog, commands.topics_text).handlers()
    )
    application.add_error_handler(on_error)
    return application


async def _stop_sender(deliverer: Deliverer, sender: asyncio.Task[None]) -> None:
    """Let the sends in flight finish and be marked sent; cancel only if that hangs."""
    deliverer.stop()
    try:
        await asyncio.wait_for(asyncio.shield(sender), 10)
    except TimeoutError:
        await _cancel(sender)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
