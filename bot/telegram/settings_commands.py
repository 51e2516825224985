"""Chat settings commands: /settings, /digest, /timezone, /quiet, /pause and /resume.

Thin handlers: `chat_settings_parse` parses the input, `chat_settings` makes the decisions,
storage keeps the settings. Each command applies to this chat or, from a private chat, to a
channel the user administers (`/digest @channel daily 08:00`; targets.py resolves the @channel
and checks the rights before anything else). Every change goes through `_change` (the one place
this chat's permission check belongs), which also re-plans the alerts the chat has held under
its new settings. Every reply says what to do next, for the same chat; bad input gets the reason
and an example. User input echoed back is escaped. Every reply is worded in `settings_replies`: the
handlers only choose which one to send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from ..chat_settings import ChatSettings, is_paused, release_at
from ..chat_settings_parse import (
    SettingsError,
    parse_digest,
    parse_duration,
    parse_quiet,
    parse_timezone,
)
from ..storage import Storage
from .channels import channel_argument
from .replies import reply
from .settings_replies import (
    confirmation_text,
    digest_changed,
    digest_prompt,
    not_paused_text,
    paused_text,
    quiet_changed,
    quiet_ended,
    quiet_prompt,
    refusal_text,
    resumed_text,
    settings_text,
    timezone_changed,
    timezone_prompt,
)
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
        held, release = self._storage.held_summary(target.chat_id)
        await reply(update, settings_text(target, settings, held, release, self._now()))

    async def digest(self, update: Update, context: Context) -> None:
        """/digest off | hourly | daily HH:MM."""
        target, words = await self._target(update, context)
        if target is None:
            return
        if not words:
            current = self._storage.chat_settings(target.chat_id)
            await reply(update, digest_prompt(target, current))
            return
        try:
            mode, time = parse_digest(words)
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(
            update, context, target, lambda s: replace(s, digest=mode, digest_time=time)
        )
        if settings is not None:
            text = digest_changed(target, settings, self._now())
            await self._confirm(update, target, settings, text)

    async def timezone(self, update: Update, context: Context) -> None:
        """/timezone Area/City."""
        target, words = await self._target(update, context)
        if target is None:
            return
        if not words:
            current = self._storage.chat_settings(target.chat_id)
            await reply(update, timezone_prompt(target, current))
            return
        try:
            name = parse_timezone(" ".join(words))
        except SettingsError as error:
            await _refuse(update, error)
            return
        settings = await self._change(update, context, target, lambda s: replace(s, timezone=name))
        if settings is not None:
            text = timezone_changed(target, settings, self._now())
            await self._confirm(update, target, settings, text)

    async def quiet(self, update: Update, context: Context) -> None:
        """/quiet HH:MM-HH:MM [hold] | off."""
        target, words = await self._target(update, context)
        if target is None:
            return
        if not words:
            current = self._storage.chat_settings(target.chat_id)
            await reply(update, quiet_prompt(target, current))
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
        if settings is not None:
            await self._confirm(update, target, settings, quiet_changed(target, settings))

    async def _quiet_off(self, update: Update, context: Context, target: Target) -> None:
        settings = await self._change(
            update,
            context,
            target,
            lambda s: replace(s, quiet_start=None, quiet_end=None, quiet_hold=False),
        )
        if settings is not None:
            await self._confirm(update, target, settings, quiet_ended(target))

    async def pause(self, update: Update, context: Context) -> None:
        """/pause [duration]: alerts wait until the pause ends or /resume."""
        target, words = await self._target(update, context)
        if target is None:
            return
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
        if settings is not None:
            await reply(update, paused_text(target, settings, self._now()))

    async def resume(self, update: Update, context: Context) -> None:
        """/resume: end a pause; what was kept back arrives."""
        target, _ = await self._target(update, context)
        if target is None:
            return
        current = self._storage.chat_settings(target.chat_id)
        if not is_paused(current, self._now()):
            await reply(update, not_paused_text(target))
            return
        settings = await self._change(
            update, context, target, lambda s: replace(s, paused=False, paused_until=None)
        )
        if settings is not None:
            await self._confirm(update, target, settings, resumed_text(target))

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
        await reply(update, confirmation_text(text, target, settings, held, release, self._now()))

    def _remember(self, update: Update) -> None:
        """Record the chat the command was sent in."""
        chat = update.effective_chat
        assert chat is not None  # command handlers only run for messages, which have a chat
        self._storage.remember_chat(chat.id, chat.type, chat.title or chat.full_name or "")


async def _refuse(update: Update, error: SettingsError) -> None:
    """Bad input: the reason (with the user's text, escaped) and what to type instead."""
    await reply(update, refusal_text(error))
