"""Chat settings commands: /settings, /digest, /timezone, /quiet, /pause and /resume.

Thin handlers: `chat_settings` parses the input and makes the decisions, storage keeps the
settings. Every change goes through `_change` (the one place a permission check belongs), which
also re-plans the alerts the chat has held under its new settings. Every reply says what to do
next; bad input gets the reason and an example. User input echoed back is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from telegram import Chat, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from ..chat_settings import (
    UNTIL_RESUMED,
    ChatSettings,
    SettingsError,
    digest_text,
    is_paused,
    local_text,
    next_digest,
    parse_digest,
    parse_duration,
    parse_quiet,
    parse_timezone,
    pause_text,
    quiet_text,
    release_at,
)
from ..storage import Storage
from .permissions import may_change

Context = ContextTypes.DEFAULT_TYPE
# Key in bot_data of the deliverer's wake(), set by the app once the deliverer exists.
WAKE_DELIVERY = "wake_delivery"

_CHANGE_HINT = "Change with /digest, /quiet, /pause, /resume or /timezone (each alone shows how)."


class SettingsCommands:
    """Handlers for the per-chat settings; `now` is the clock (tests pass their own)."""

    def __init__(
        self, storage: Storage, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._storage = storage
        self._now = now

    def handlers(self) -> list[BaseHandler[Update, Context, object]]:
        return [
            CommandHandler("settings", self.show),
            CommandHandler("digest", self.digest),
            CommandHandler("timezone", self.timezone),
            CommandHandler("quiet", self.quiet),
            CommandHandler("pause", self.pause),
            CommandHandler("resume", self.resume),
        ]

    async def show(self, update: Update, context: Context) -> None:
        """Every setting of this chat, and what it has held."""
        settings = self._settings(update)
        now = self._now()
        zone = settings.zone
        lines = [
            "⚙️ <b>Settings for this chat</b>",
            f"Time zone: {settings.timezone} (it is {local_text(now, zone, now)} there now)",
            f"Digest: {digest_text(settings)}{self._next_digest(settings)}",
            f"Quiet hours: {quiet_text(settings)}",
            f"Paused: {pause_text(settings, now)}",
        ]
        held, release = self._storage.held_summary(self._chat(update).id)
        if held:
            lines.append(
                f"Kept back: {held} alert{_plural(held)}{self._arrival(settings, release)}"
            )
        await _reply(update, "\n".join(lines) + "\n\n" + _CHANGE_HINT)

    async def digest(self, update: Update, context: Context) -> None:
        """/digest off | hourly | daily HH:MM."""
        words = list(context.args or [])
        if not words:
            current = self._settings(update)
            await _reply(
                update,
                f"Digest: {digest_text(current)}.\n"
                "Choose /digest daily 08:00 (one message a day), /digest hourly, or /digest off "
                f"(each alert as it comes). Times are in {current.timezone}.",
            )
            return
        try:
            mode, at = parse_digest(words)
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(
            update, context, lambda s: replace(s, digest=mode, digest_time=at)
        )
        if settings is None:
            return
        if mode == "off":
            text = "🔔 Digest off: each alert arrives as it comes. /digest daily 08:00 turns it on."
        else:
            text = (
                f"🗞 Digest {digest_text(settings)}, {settings.timezone} time: alerts are "
                f"collected and arrive together as one message{self._next_digest(settings)}. "
                "/digest off ends it."
            )
        await self._confirm(update, settings, text)

    async def timezone(self, update: Update, context: Context) -> None:
        """/timezone Area/City."""
        words = list(context.args or [])
        if not words:
            current = self._settings(update)
            await _reply(
                update,
                f"This chat's time zone is {current.timezone}. Set yours with an Area/City name "
                "of the tz database, e.g. /timezone Europe/Berlin or /timezone America/New_York.",
            )
            return
        try:
            name = parse_timezone(" ".join(words))
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(update, context, lambda s: replace(s, timezone=name))
        if settings is None:
            return
        now = self._now()
        await self._confirm(
            update,
            settings,
            f"🕰 Time zone set to {name}: it is {local_text(now, settings.zone, now)} there now. "
            "Alert times, digests and quiet hours follow it. /settings shows them all.",
        )

    async def quiet(self, update: Update, context: Context) -> None:
        """/quiet HH:MM-HH:MM [hold] | off."""
        words = list(context.args or [])
        if not words:
            current = self._settings(update)
            await _reply(
                update,
                f"Quiet hours: {quiet_text(current)}.\n"
                "Set them with /quiet 22:00-07:00 (alerts arrive silently) or "
                "/quiet 22:00-07:00 hold (alerts wait for the end, as one message); "
                f"/quiet off ends them. Times are in {current.timezone}.",
            )
            return
        if [w.casefold() for w in words] == ["off"]:
            await self._quiet_off(update, context)
            return
        hold = any(word.casefold() == "hold" for word in words)  # first or last, either works
        try:
            start, end = parse_quiet(" ".join(w for w in words if w.casefold() != "hold"))
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(
            update, context, lambda s: replace(s, quiet_start=start, quiet_end=end, quiet_hold=hold)
        )
        if settings is None:
            return
        text = f"🌙 Quiet hours set: {quiet_text(settings)} ({settings.timezone} time)."
        if not hold:
            text += f" To get them at the end instead: /quiet {_range(settings)} hold."
        await self._confirm(update, settings, f"{text} /quiet off ends them.")

    async def _quiet_off(self, update: Update, context: Context) -> None:
        settings = await self._change(
            update,
            context,
            lambda s: replace(s, quiet_start=None, quiet_end=None, quiet_hold=False),
        )
        if settings is not None:
            await self._confirm(
                update,
                settings,
                "🔔 No quiet hours: alerts arrive as they come. /quiet 22:00-07:00 sets them.",
            )

    async def pause(self, update: Update, context: Context) -> None:
        """/pause [duration]: alerts wait until the pause ends or /resume."""
        words = list(context.args or [])
        until: datetime | None = None
        if words:
            try:
                until = self._now() + parse_duration(" ".join(words))
            except SettingsError as error:
                await _refuse(update, error)
                return
        settings = await self._change(
            update, context, lambda s: replace(s, paused=True, paused_until=until)
        )
        if settings is None:
            return
        now = self._now()
        when = (
            "until you send /resume"
            if until is None
            else f"until {local_text(until, settings.zone, now)} ({settings.timezone}) or /resume"
        )
        await _reply(
            update,
            f"⏸ Paused {when}. No alert is lost: they arrive together as one message when the "
            "pause ends. /settings shows this chat's settings.",
        )

    async def resume(self, update: Update, context: Context) -> None:
        """/resume: end a pause; what was kept back arrives."""
        current = self._settings(update)
        if not is_paused(current, self._now()):
            await _reply(update, "This chat is not paused. /pause 2h pauses alerts for two hours.")
            return
        settings = await self._change(
            update, context, lambda s: replace(s, paused=False, paused_until=None)
        )
        if settings is None:
            return
        await self._confirm(
            update,
            settings,
            "▶️ Resumed: alerts arrive again. /settings shows this chat's settings.",
        )

    # -- helpers -----------------------------------------------------------------------------

    async def _change(
        self, update: Update, context: Context, change: Callable[[ChatSettings], ChatSettings]
    ) -> ChatSettings | None:
        """Apply and save a change to the chat's settings, and re-plan its held alerts under
        them; None when the change is not allowed (nothing changed, the user was told)."""
        if not await may_change(update, context):  # in a group: its admins only
            return None
        chat = self._chat(update)
        settings = change(self._storage.chat_settings(chat.id))
        self._storage.save_chat_settings(chat.id, settings)
        now = self._now()
        release = release_at(settings, now) or now
        if self._storage.replan_held(chat.id, release.timestamp()):
            wake = context.bot_data.get(WAKE_DELIVERY)
            if wake is not None:  # alerts released now go out now, not at the next check
                wake()
        return settings

    async def _confirm(self, update: Update, settings: ChatSettings, text: str) -> None:
        """Reply to a change: what it did, what the chat has kept back and when it arrives,
        and, while the chat is on UTC, how to set its own time zone."""
        held, release = self._storage.held_summary(self._chat(update).id)
        if held:
            text += f"\n{held} alert{_plural(held)} kept back{self._arrival(settings, release)}."
        if settings.timezone == "UTC" and (settings.has_quiet_hours or settings.digest != "off"):
            text += "\nTimes are in UTC; set yours with /timezone Europe/Berlin (for example)."
        await _reply(update, text)

    def _settings(self, update: Update) -> ChatSettings:
        return self._storage.chat_settings(self._chat(update).id)

    def _chat(self, update: Update) -> Chat:
        chat = update.effective_chat
        assert chat is not None  # command handlers only run for messages, which have a chat
        self._storage.remember_chat(chat.id, chat.type, chat.title or chat.full_name or "")
        return chat

    def _next_digest(self, settings: ChatSettings) -> str:
        now = self._now()
        upcoming = next_digest(settings, now)
        if upcoming is None:
            return ""
        return f"; the next at {local_text(upcoming, settings.zone, now)}"

    def _arrival(self, settings: ChatSettings, release: float | None) -> str:
        now = self._now()
        if release is None or release <= now.timestamp():
            return ", arriving now as one message"
        if release >= UNTIL_RESUMED.timestamp():
            return ", arriving as one message when you /resume"
        moment = datetime.fromtimestamp(release, UTC)
        return f", arriving at {local_text(moment, settings.zone, now)} as one message"


def _range(settings: ChatSettings) -> str:
    start, end = settings.quiet_start, settings.quiet_end
    assert start is not None
    assert end is not None
    return f"{start:%H:%M}-{end:%H:%M}"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


async def _refuse(update: Update, error: SettingsError) -> None:
    """Bad input: the reason (with the user's text, escaped) and what to type instead."""
    await _reply(update, "⚠️ " + html.escape(str(error), quote=False))


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)
