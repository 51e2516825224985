"""Admin chat commands (BOT_ADMINS only): `/feeds` lists every feed's health, `/poll <feed>`
polls one now, `/stats` shows delivery health, `/reload` reloads config/*.toml and says what
changed, `/broadcast <text>` queues a message for every active chat (through the outbox, at the
alerts' pace). Anyone else gets a short "not allowed" and learns nothing."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from ..catalog import Catalog
from ..feed_report import feed_lines, render_html
from ..reload import ReloadResult
from ..storage import DeliveryStats, Storage
from ..summarise import TELEGRAM_LIMIT, utf16_length
from .replies import reply

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
NOT_ALLOWED = "Sorry, only the bot's admins may use that command."


class Poller(Protocol):
    """What admin commands need from the scheduler."""

    def poll_now(self, name: str) -> str: ...

    def next_poll(self, name: str) -> datetime | None: ...


class ConfigReloader(Protocol):
    """What /reload needs: validate config/*.toml, swap it in if valid, say what happened."""

    async def reload(self, reason: str) -> ReloadResult: ...


class AdminCommands:
    def __init__(
        self,
        storage: Storage,
        catalog: Callable[[], Catalog],
        poller: Callable[[], Poller | None],
        admins: frozenset[int],
        *,
        reloader: ConfigReloader | None = None,
        wake_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self._storage = storage
        self._catalog = catalog
        self._poller = poller
        self._admins = admins
        self._reloader = reloader
        self._wake_outbox = wake_outbox

    def handlers(self) -> list[BaseHandler[Update, Context, object]]:
        return [
            CommandHandler("feeds", self.feeds),
            CommandHandler("poll", self.poll),
            CommandHandler("stats", self.stats),
            CommandHandler("reload", self.reload),
            CommandHandler("broadcast", self.broadcast),
        ]

    async def reload(self, update: Update, context: Context) -> None:
        """Reload config/*.toml now; reply with what changed, or what is wrong in it."""
        if not await self._allowed(update):
            return
        if self._reloader is None:
            await reply(update, "This bot was started without reloading; restart it instead.")
            return
        user = update.effective_user
        result = await self._reloader.reload(f"/reload by {user.id if user else 'an admin'}")
        await reply(update, html.escape(result.text[:4000]))

    async def broadcast(self, update: Update, context: Context) -> None:
        """Send a message to every active chat: /broadcast <text>."""
        if not await self._allowed(update):
            return
        message = update.effective_message
        parts = (message.text or "").split(maxsplit=1) if message else []
        body = parts[1].strip() if len(parts) > 1 else ""  # newlines inside are kept
        if not body:
            await reply(
                update, "What should I send? /broadcast &lt;text&gt; sends it to every chat."
            )
            return
        plain = f"📢 {body}"
        if utf16_length(plain) > TELEGRAM_LIMIT:
            await reply(
                update,
                f"That is {utf16_length(plain)} characters; Telegram allows {TELEGRAM_LIMIT}. "
                "Shorten it and send /broadcast again.",
            )
            return
        chats = self._storage.queue_broadcast(f"📢 {html.escape(body)}", plain)
        self._wake_outbox()
        user = update.effective_user
        log.info("broadcast queued chats=%d admin=%s", chats, user.id if user else "?")
        await reply(
            update,
            f"📢 Queued for {chats} chat{'' if chats == 1 else 's'}; "
            "it goes out at the alerts' pace. "
            "/stats shows the queue.",
        )

    async def stats(self, update: Update, context: Context) -> None:
        """Delivery health: queue, sends, failures by kind, inactive chats, latency."""
        if not await self._allowed(update):
            return
        await reply(update, render_stats(self._storage.delivery_stats()))

    async def feeds(self, update: Update, context: Context) -> None:
        """Every feed: last success, failures and last error, next poll, items seen."""
        if not await self._allowed(update):
            return
        catalog = self._catalog()
        states = {state.name: state for state in self._storage.feed_states()}
        poller = self._poller()
        upcoming = {f.name: poller.next_poll(f.name) for f in catalog.feeds} if poller else None
        lines = feed_lines(catalog.feeds, states, datetime.now(UTC), upcoming)
        await reply(update, render_html(lines))

    async def poll(self, update: Update, context: Context) -> None:
        """Poll one feed now: /poll <feed name>."""
        if not await self._allowed(update):
            return
        wanted = " ".join(context.args or ()).strip()
        names = [feed.name for feed in self._catalog().feeds]
        if not wanted:
            await reply(
                update,
                f"Which feed? For example: /poll {html.escape(names[0] if names else 'BBC')}",
            )
            return
        name = next((n for n in names if n.casefold() == wanted.casefold()), None)
        poller = self._poller()
        if name is None or poller is None:
            await reply(update, f"No feed called “{html.escape(wanted[:100])}”. /feeds lists them.")
            return
        status = poller.poll_now(name)
        if status == "running":
            await reply(update, f"<b>{html.escape(name)}</b> is being polled right now.")
            return
        if status != "started":
            state = self._storage.feed_state(name)
            why = f" ({html.escape(state.last_error or '')})" if state and state.gone_at else ""
            await reply(
                update,
                f"<b>{html.escape(name)}</b> is not polled any more{why}: "
                "fix its URL in feeds.toml and restart.",
            )
            return
        log.info("poll forced feed=%r by admin", name)
        await reply(update, f"Polling <b>{html.escape(name)}</b> now. /feeds shows the result.")

    async def _allowed(self, update: Update) -> bool:
        user = update.effective_user
        if user is not None and user.id in self._admins:
            return True
        await reply(update, NOT_ALLOWED)
        return False


FAILURE_NAMES = {
    "rate_limited": "429 rate limited",
    "network": "network errors",
    "server_error": "Telegram 5xx",
    "timeout": "timeouts",
    "blocked": "blocked or kicked",
    "chat_not_found": "chat not found",
    "migrated": "group → supergroup",
    "plain_text": "sent as plain text",
    "undeliverable": "undeliverable",
    "no_rights": "no right to post",
    "edit_failed": "edits given up (message deleted or too old)",
    "thread_not_found": "forum thread deleted (sent to General)",
    "topic_closed": "forum thread closed (sent to General)",
    "general_closed": "given up: General closed too",
}


def render_stats(stats: DeliveryStats) -> str:
    failures = ", ".join(
        f"{count} {FAILURE_NAMES.get(kind, kind)}"
        for kind, count in stats.failures_last_day.items()
    )
    latency = "no deliveries yet"
    if stats.latency_p50 is not None and stats.latency_p95 is not None:
        latency = (
            f"p50 {stats.latency_p50:.0f} s, p95 {stats.latency_p95:.0f} s "
            f"over {stats.delivered_last_day} deliveries"
        )
    return "\n".join(
        [
            "<b>Delivery</b>",
            f"Queue: {stats.queue_depth} pending, {stats.held} held by chats' settings",
            f"Sent in the last hour: {stats.sent_last_hour}",
            f"Problems in the last 24 h: {failures or 'none'}",
            f"Inactive chats (blocked or gone): {stats.inactive_chats}",
            f"Item seen → delivered, last 24 h: {latency}",
            f"Stories told by several feeds, last 24 h: {stats.stories_merged_last_day}; "
            f"alerts edited to name the other sources: {stats.messages_edited_last_day}",
        ]
    )
