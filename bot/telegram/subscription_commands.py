"""Subscription commands: /topics, /subscribe, /unsubscribe and /list.

Topic names are ids compared case-insensitively; `#russia_ukraine` (the hashtag form alerts
carry) is accepted too. In groups only administrators change subscriptions
(`permissions.may_change`); in a forum a topic's alerts go to the thread where it was
subscribed. A channel is managed from a private chat by naming it:
`/subscribe <topic> @channel` (see `channels`). User input echoed back is always escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from ..catalog import Catalog
from ..storage import Storage
from .channels import channel_argument
from .chat_membership import remember_chat
from .keyboards import topics_keyboard
from .replies import reply
from .targets import Target, command_target, may_change_target

_SPLIT = re.compile(r"[\s,;]+")
Context = ContextTypes.DEFAULT_TYPE


class SubscriptionCommands:
    """Handlers that change and show which topics a chat follows."""

    def __init__(self, storage: Storage, catalog: Callable[[], Catalog]) -> None:
        self._storage = storage
        self._catalog = catalog

    async def topics(self, update: Update, context: Context) -> None:
        """Every topic with its id and description, and a button per topic that follows or
        stops following it; ✅ marks those this chat follows."""
        chat = remember_chat(self._storage, update)
        keyboard = topics_keyboard(self._catalog().topics, self._storage.subscriptions(chat.id))
        message = update.effective_message
        if message is not None:
            await message.reply_text(
                self.topics_text(chat.id),
                parse_mode=ParseMode.HTML,
                do_quote=False,
                reply_markup=keyboard,
            )

    def topics_text(self, chat_id: int) -> str:
        """The /topics message (also redrawn when a button changes a subscription)."""
        tap = "Tap a topic to follow it or stop following it."
        return f"<b>Topics</b>\n{self.topic_lines(chat_id)}\n\n{tap}"

    async def subscribe(self, update: Update, context: Context) -> None:
        """Follow one or more topics (in a forum: in this thread; or for a named channel)."""
        remember_chat(self._storage, update)
        arguments, channel = channel_argument(context.args)
        target = await self._target(update, context, channel, change=True, subscribing=True)
        if target is None:
            return
        names = _names(arguments)
        if not names:
            example = f"/subscribe {self.example()}{target.suffix}"
            await reply(update, f"Which topic? For example: {example}\n\n{self._valid()}")
            return
        known, unknown = self._resolve(names)
        added = self._storage.subscribe(target.chat_id, known, target.thread_id)
        already = [t for t in known if t not in added]
        moved = self._storage.move_to_thread(target.chat_id, already, target.thread_id)
        already = [t for t in already if t not in moved]
        lines = []
        if added:
            subject = f"{target.name} " if target.channel else ""
            lines.append(
                f"✅ Subscribed {subject}to {_codes(added)}. "
                f"Alerts will arrive {target.where} as news breaks."
            )
        if moved:
            lines.append(f"➡️ Alerts for {_codes(moved)} will now arrive {target.where}.")
        if already:
            lines.append(f"{target.name} already follows {_codes(already)}.")
        if unknown:
            lines.append(f"I don't know {_codes(unknown)}. {self._valid()}")
        await reply(update, "\n".join(lines))

    async def unsubscribe(self, update: Update, context: Context) -> None:
        """Stop following topics, or all of them (for this chat or a named channel)."""
        remember_chat(self._storage, update)
        arguments, channel = channel_argument(context.args)
        target = await self._target(update, context, channel, change=True)
        if target is None:
            return
        names = _names(arguments)
        if not names:
            current = self._storage.subscriptions(target.chat_id)
            hint = (
                f"{target.name} follows {_codes(current)}."
                if current
                else f"{target.name} follows nothing."
            )
            example = (
                f"/unsubscribe {self.example()}{target.suffix} or /unsubscribe all{target.suffix}"
            )
            await reply(update, f"Which topic? For example: {example}\n{hint}\n{self._valid()}")
            return
        if [n.lower() for n in names] == ["all"]:
            removed = self._storage.unsubscribe(target.chat_id)
            text = (
                f"🔕 Unsubscribed from {_codes(removed)}."
                if removed
                else f"{target.name} followed nothing."
            )
            await reply(update, text + " /topics shows what you can follow.")
            return
        known, unknown = self._resolve(names, self._storage.subscriptions(target.chat_id))
        removed = self._storage.unsubscribe(target.chat_id, known)
        not_followed = [t for t in known if t not in removed]
        lines = []
        if removed:
            subject = f"{target.name} " if target.channel else ""
            lines.append(f"🔕 Unsubscribed {subject}from {_codes(removed)}.")
        if not_followed:
            lines.append(f"{target.name} did not follow {_codes(not_followed)}.")
        if unknown:
            lines.append(f"I don't know {_codes(unknown)}. {self._valid()}")
        await reply(update, "\n".join(lines))

    async def list_subscriptions(self, update: Update, context: Context) -> None:
        """The topics this chat (or a named channel) follows; in a forum, in which thread."""
        chat = remember_chat(self._storage, update)
        _, channel = channel_argument(context.args)
        target = await self._target(update, context, channel, change=False)
        if target is None:
            return
        threads = self._storage.subscription_threads(target.chat_id)
        if threads:
            followed = _codes(list(threads))
            if chat.is_forum and not target.channel:
                followed = ", ".join(
                    f"{_codes([topic])} ({_thread_name(thread, target.thread_id)})"
                    for topic, thread in threads.items()
                )
            text = (
                f"{target.name} follows {followed}.\n"
                f"Stop one with /unsubscribe &lt;topic&gt;{target.suffix}."
            )
        else:
            text = (
                f"{target.name} follows no topics yet. "
                f"Try /subscribe {self.example()}{target.suffix}."
            )
        await reply(update, text)

    def topic_lines(self, chat_id: int) -> str:
        """One line per configured topic, ✅ on those the chat follows (for /topics, /start)."""
        followed = set(self._storage.subscriptions(chat_id))
        lines = []
        for topic in self._catalog().topics.values():
            mark = "✅ " if topic.id in followed else "• "
            description = f" – {html.escape(topic.description)}" if topic.description else ""
            lines.append(
                f"{mark}<b>{html.escape(topic.title)}</b> (<code>{topic.id}</code>){description}"
            )
        return "\n".join(lines) or "No topics are configured yet."

    def example(self) -> str:
        """A topic id to show in examples: the first configured one."""
        return next(iter(self._catalog().topics), "topic")

    # -- helpers -----------------------------------------------------------------------------

    async def _target(
        self,
        update: Update,
        context: Context,
        channel: str | None,
        *,
        change: bool,
        subscribing: bool = False,
    ) -> Target | None:
        """What a subscription command applies to, or None when the user may not (they have
        been told why): a named channel they administer, else this chat (changing it in a
        group takes an admin)."""
        target = await command_target(
            update, context, self._storage, channel, need_post=subscribing
        )
        if target is None or (change and not await may_change_target(update, context, target)):
            return None
        return target

    def _resolve(
        self, names: Sequence[str], followed: Sequence[str] = ()
    ) -> tuple[list[str], list[str]]:
        """Topic ids for `names` (case-insensitive, hashtags too), and the names not known.
        A topic the chat still follows counts as known even after the config dropped it, so
        the chat can leave it."""
        catalog = self._catalog()
        retired = {_plain(topic): topic for topic in followed if topic not in catalog.topics}
        known: list[str] = []
        unknown: list[str] = []
        for name in names:
            topic = catalog.find_topic(name)
            found = topic.id if topic else retired.get(_plain(name))
            target, value = (known, found) if found else (unknown, name)
            if value not in target:
                target.append(value)
        return known, unknown

    def _valid(self) -> str:
        ids = list(self._catalog().topics)
        return f"Topics: {_codes(ids)}." if ids else "No topics are configured yet."


def _plain(name: str) -> str:
    """A topic name as typed or as its hashtag (`#russia_ukraine`), for comparing."""
    return name.lstrip("#").replace("_", "-").casefold()


def _names(args: Sequence[str] | None) -> list[str]:
    return [n for n in _SPLIT.split(" ".join(args or ())) if n]


def _codes(names: Sequence[str]) -> str:
    return ", ".join(f"<code>{html.escape(n[:64])}</code>" for n in names)


def _thread_name(thread: int | None, current: int | None) -> str:
    if thread == current:
        return "this thread"
    return "General" if thread is None else f"thread {thread}"
