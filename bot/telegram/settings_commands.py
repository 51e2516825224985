"""Chat settings commands: /settings, /digest, /timezone, /quiet, /pause and /resume.

Thin handlers: `chat_settings` parses the input and makes the decisions, storage keeps the
settings. Each command applies to this chat or, from a private chat, to a channel the user
administers (`/digest @channel daily 08:00`; targets.py resolves the @channel and checks the
rights before anything else). Every change goes through `_change` (the one place this chat's
permission check belongs), which also re-plans the alerts the chat has held under its new
settings. Every reply says what to do next, for the same chat; bad input gets the reason and an
example. User input echoed back is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from telegram import Update
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
from .channels import channel_argument
from .targets import Target, command_target, may_change_target

Context = ContextTypes.DEFAULT_TYPE
# Key in bot_data of the deliverer's wake(), set by the app once the deliverer exists.
WAKE_DELIVERY = "wake_delivery"


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
        """Every setting of this chat (or a named channel), and what it has held."""
        target, _ = await self._target(update, context)
        if target is None:
            return
        settings = self._storage.chat_settings(target.chat_id)
        now = self._now()
        zone = settings.zone
        lines = [
            f"⚙️ <b>Settings for {target.subject}</b>",
            f"Time zone: {settings.timezone} (it is {local_text(now, zone, now)} there now)",
            f"Digest: {digest_text(settings)}{self._next_digest(settings)}",
            f"Quiet hours: {quiet_text(settings)}",
            f"Paused: {pause_text(settings, now, f'/resume{target.suffix}')}",
        ]
        held, release = self._storage.held_summary(target.chat_id)
        if held:
            lines.append(
                f"Kept back: {held} alert{_plural(held)}{self._arrival(target, settings, release)}"
            )
        await _reply(update, "\n".join(lines) + "\n\n" + _change_hint(target))

    async def digest(self, update: Update, context: Context) -> None:
        """/digest off | hourly | daily HH:MM."""
        target, words = await self._target(update, context)
        if target is None:
            return
        at = target.suffix
        if not words:
            current = self._storage.chat_settings(target.chat_id)
            await _reply(
                update,
                f"Digest: {digest_text(current)}.\n"
                f"Choose /digest{at} daily 08:00 (one message a day), /digest{at} hourly, or "
                f"/digest{at} off (each alert as it comes). Times are in {current.timezone}.",
            )
            return
        try:
            mode, time = parse_digest(words)
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(
            update, context, target, lambda s: replace(s, digest=mode, digest_time=time)
        )
        if settings is None:
            return
        if mode == "off":
            text = (
                f"🔔 Digest off: each alert arrives{_in(target)} as it comes. "
                f"/digest{at} daily 08:00 turns it on."
            )
        else:
            text = (
                f"🗞 Digest {digest_text(settings)}, {settings.timezone} time: alerts are "
                f"collected and arrive{_in(target)} together as one message"
                f"{self._next_digest(settings)}. /digest{at} off ends it."
            )
        await self._confirm(update, target, settings, text)

    async def timezone(self, update: Update, context: Context) -> None:
        """/timezone Area/City."""
        target, words = await self._target(update, context)
        if target is None:
            return
        at = target.suffix
        if not words:
            current = self._storage.chat_settings(target.chat_id)
            await _reply(
                update,
                f"{target.name}'s time zone is {current.timezone}. Set yours with an Area/City "
                f"name of the tz database, e.g. /timezone{at} Europe/Berlin or "
                f"/timezone{at} America/New_York.",
            )
            return
        try:
            name = parse_timezone(" ".join(words))
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(update, context, target, lambda s: replace(s, timezone=name))
        if settings is None:
            return
        now = self._now()
        await self._confirm(
            update,
            target,
            settings,
            f"🕰 Time zone{_for(target)} set to {name}: it is "
            f"{local_text(now, settings.zone, now)} there now. Alert times, digests and quiet "
            f"hours follow it. /settings{at} shows them all.",
        )

    async def quiet(self, update: Update, context: Context) -> None:
        """/quiet HH:MM-HH:MM [hold] | off."""
        target, words = await self._target(update, context)
        if target is None:
            return
        at = target.suffix
        if not words:
            current = self._storage.chat_settings(target.chat_id)
            await _reply(
                update,
                f"Quiet hours: {quiet_text(current)}.\n"
                f"Set them with /quiet{at} 22:00-07:00 (alerts arrive silently) or "
                f"/quiet{at} 22:00-07:00 hold (alerts wait for the end, as one message); "
                f"/quiet{at} off ends them. Times are in {current.timezone}.",
            )
            return
        if [w.casefold() for w in words] == ["off"]:
            await self._quiet_off(update, context, target)
            return
        hold = any(word.casefold() == "hold" for word in words)  # first or last, either works
        try:
            start, end = parse_quiet(" ".join(w for w in words if w.casefold() != "hold"))
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(
            update,
            context,
            target,
            lambda s: replace(s, quiet_start=start, quiet_end=end, quiet_hold=hold),
        )
        if settings is None:
            return
        text = (
            f"🌙 Quiet hours{_for(target)} set: {quiet_text(settings)} ({settings.timezone} time)."
        )
        if not hold:
            text += f" To get them at the end instead: /quiet{at} {_range(settings)} hold."
        await self._confirm(update, target, settings, f"{text} /quiet{at} off ends them.")

    async def _quiet_off(self, update: Update, context: Context, target: Target) -> None:
        settings = await self._change(
            update,
            context,
            target,
            lambda s: replace(s, quiet_start=None, quiet_end=None, quiet_hold=False),
        )
        if settings is not None:
            await self._confirm(
                update,
                target,
                settings,
                f"🔔 No quiet hours{_for(target)}: alerts arrive{_in(target)} as they "
                f"come. /quiet{target.suffix} 22:00-07:00 sets them.",
            )

    async def pause(self, update: Update, context: Context) -> None:
        """/pause [duration]: alerts wait until the pause ends or /resume."""
        target, words = await self._target(update, context)
        if target is None:
            return
        at = target.suffix
        until: datetime | None = None
        if words:
            try:
                until = self._now() + parse_duration(" ".join(words))
            except SettingsError as error:
                await _refuse(update, error)
                return
        settings = await self._change(
            update, context, target, lambda s: replace(s, paused=True, paused_until=until)
        )
        if settings is None:
            return
        now = self._now()
        moment = None if until is None else local_text(until, settings.zone, now)
        when = (
            f"until you send /resume{at}"
            if moment is None
            else f"until {moment} ({settings.timezone}) or /resume{at}"
        )
        paused = f"Alerts for {target.name} paused" if target.channel else "Paused"
        await _reply(
            update,
            f"⏸ {paused} {when}. "
            "No alert is lost: they arrive together as one message when the pause ends. "
            f"/settings{at} shows {target.subject}'s settings.",
        )

    async def resume(self, update: Update, context: Context) -> None:
        """/resume: end a pause; what was kept back arrives."""
        target, _ = await self._target(update, context)
        if target is None:
            return
        at = target.suffix
        current = self._storage.chat_settings(target.chat_id)
        if not is_paused(current, self._now()):
            await _reply(
                update, f"{target.name} is not paused. /pause{at} 2h pauses alerts for two hours."
            )
            return
        settings = await self._change(
            update, context, target, lambda s: replace(s, paused=False, paused_until=None)
        )
        if settings is None:
            return
        await self._confirm(
            update,
            target,
            settings,
            f"▶️ Resumed: alerts arrive{_in(target)} again. "
            f"/settings{at} shows {target.subject}'s settings.",
        )

    # -- helpers -----------------------------------------------------------------------------

    async def _target(self, update: Update, context: Context) -> tuple[Target | None, list[str]]:
        """The chat the command applies to (None: a named channel failed a check, and the user
        was told why) and the command's other arguments."""
        self._remember(update)
        words, channel = channel_argument(context.args)
        return await command_target(update, context, self._storage, channel), words

    async def _change(
        self,
        update: Update,
        context: Context,
        target: Target,
        change: Callable[[ChatSettings], ChatSettings],
    ) -> ChatSettings | None:
        """Apply and save a change to the target's settings, and re-plan its held alerts
        under them; None when the change is not allowed (nothing changed, the user was told)."""
        if not await may_change_target(update, context, target):  # in a group: admins only
            return None
        settings = change(self._storage.chat_settings(target.chat_id))
        self._storage.save_chat_settings(target.chat_id, settings)
        now = self._now()
        release = release_at(settings, now) or now
        if self._storage.replan_held(target.chat_id, release.timestamp()):
            wake = context.bot_data.get(WAKE_DELIVERY)
            if wake is not None:  # alerts released now go out now, not at the next check
                wake()
        return settings

    async def _confirm(
        self, update: Update, target: Target, settings: ChatSettings, text: str
    ) -> None:
        """Reply to a change: what it did, what the target has kept back and when it arrives,
        and, while the target is on UTC, how to set its own time zone."""
        held, release = self._storage.held_summary(target.chat_id)
        if held:
            arrival = self._arrival(target, settings, release)
            text += f"\n{held} alert{_plural(held)} kept back{arrival}."
        if settings.timezone == "UTC" and (settings.has_quiet_hours or settings.digest != "off"):
            text += (
                f"\nTimes are in UTC; set yours with /timezone{target.suffix} Europe/Berlin "
                "(for example)."
            )
        await _reply(update, text)

    def _remember(self, update: Update) -> None:
        """Record the chat the command was sent in."""
        chat = update.effective_chat
        assert chat is not None  # command handlers only run for messages, which have a chat
        self._storage.remember_chat(chat.id, chat.type, chat.title or chat.full_name or "")

    def _next_digest(self, settings: ChatSettings) -> str:
        now = self._now()
        upcoming = next_digest(settings, now)
        if upcoming is None:
            return ""
        return f"; the next at {local_text(upcoming, settings.zone, now)}"

    def _arrival(self, target: Target, settings: ChatSettings, release: float | None) -> str:
        now = self._now()
        if release is None or release <= now.timestamp():
            return ", arriving now as one message"
        if release >= UNTIL_RESUMED.timestamp():
            return f", arriving as one message when you /resume{target.suffix}"
        moment = datetime.fromtimestamp(release, UTC)
        return f", arriving at {local_text(moment, settings.zone, now)} as one message"


def _range(settings: ChatSettings) -> str:
    start, end = settings.quiet_start, settings.quiet_end
    assert start is not None
    assert end is not None
    return f"{start:%H:%M}-{end:%H:%M}"


def _for(target: Target) -> str:
    """Names a channel in a confirmation (" for @channel"); this chat goes without saying."""
    return f" for {target.name}" if target.channel else ""


def _in(target: Target) -> str:
    """Where a channel's alerts arrive (" in @channel"); this chat's go without saying."""
    return f" in {target.name}" if target.channel else ""


def _change_hint(target: Target) -> str:
    at = target.suffix
    alone = f"with only {target.name}" if target.channel else "alone"
    return (
        f"Change with /digest{at}, /quiet{at}, /pause{at}, /resume{at} or /timezone{at} "
        f"(each {alone} shows how)."
    )


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


async def _refuse(update: Update, error: SettingsError) -> None:
    """Bad input: the reason (with the user's text, escaped) and what to type instead."""
    await _reply(update, "⚠️ " + html.escape(str(error), quote=False))


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)
