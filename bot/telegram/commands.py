"""Chat commands: thin handlers that parse arguments, call storage, and reply briefly.

Every reply says what to do next. Topic names are ids compared case-insensitively; `#russia_ukraine`
(the hashtag form alerts carry) is accepted too. User input echoed back is always escaped.

In groups only administrators change subscriptions (`permissions.may_change`); in a forum a
topic's alerts go to the thread where it was subscribed. A channel is managed from a private
chat by naming it: `/subscribe <topic> @channel` (see `channels`).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Sequence

from telegram import BotCommand, Chat, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.ext import (
    BaseHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from ..catalog import Catalog
from ..storage import Storage
from ..watches import why_delivery_text
from .channels import channel_argument
from .keyboards import topics_keyboard
from .permissions import can_post
from .targets import Target, command_target, may_change_target

log = logging.getLogger(__name__)

COMMANDS = (
    BotCommand("start", "What this bot does"),
    BotCommand("topics", "Topics you can follow"),
    BotCommand("subscribe", "Follow a topic: /subscribe russia-ukraine"),
    BotCommand("unsubscribe", "Stop following a topic, or all"),
    BotCommand("list", "Topics this chat follows"),
    BotCommand("why", "Reply to an alert: why was it sent?"),
    BotCommand("watch", "Your own keyword: /watch Putin"),
    BotCommand("unwatch", "Stop a keyword: /unwatch Putin"),
    BotCommand("watchlist", "Keywords this chat watches"),
    BotCommand("test", "Which topics a headline fires: /test <headline>"),
    BotCommand("settings", "This chat's digest, quiet hours, pause, time zone"),
    BotCommand("digest", "Alerts together: /digest daily 08:00, hourly, off"),
    BotCommand("quiet", "Quiet hours: /quiet 22:00-07:00 [hold], /quiet off"),
    BotCommand("pause", "Pause alerts: /pause 2h (none are lost)"),
    BotCommand("resume", "End a pause"),
    BotCommand("timezone", "Your time zone: /timezone Europe/Berlin"),
    BotCommand("help", "How to use the bot"),
)

_SPLIT = re.compile(r"[\s,;]+")
Context = ContextTypes.DEFAULT_TYPE


class ChatCommands:
    """Handlers for the chat commands, bound to the storage and the current catalog."""

    def __init__(self, storage: Storage, catalog: Callable[[], Catalog]) -> None:
        self._storage = storage
        self._catalog = catalog

    def handlers(self) -> list[BaseHandler[Update, Context, object]]:
        return [
            CommandHandler("start", self.start),
            CommandHandler("help", self.help),
            CommandHandler("topics", self.topics),
            CommandHandler("subscribe", self.subscribe),
            CommandHandler("unsubscribe", self.unsubscribe),
            CommandHandler("list", self.list_subscriptions),
            CommandHandler("why", self.why),
            MessageHandler(filters.StatusUpdate.MIGRATE, self.migrated),
            ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.COMMAND, self.unknown_command),
            MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, self.plain_text),
        ]

    async def start(self, update: Update, context: Context) -> None:
        """Greet, explain, list topics; also reactivates a chat that had blocked the bot."""
        chat = self._remember(update)
        text = (
            "👋 Hi! I watch world-news feeds and send this chat one short alert, with a link, "
            "as soon as a story matches a topic you follow. Everything else stays quiet.\n\n"
            f"<b>Topics</b>\n{self._topic_lines(chat.id)}\n\n"
            f"Follow one with /subscribe {self._example()} (or tap it in /topics), or watch "
            "your own keyword with /watch Putin. /help lists every command."
        )
        await _reply(update, text)

    async def help(self, update: Update, context: Context) -> None:
        """List the commands with examples."""
        self._remember(update)
        example = self._example()
        text = (
            "<b>Commands</b>\n"
            "/topics – topics you can follow\n"
            f"/subscribe {example} – follow a topic (several: separate with spaces)\n"
            f"/unsubscribe {example} – stop following it; /unsubscribe all – stop everything\n"
            "/list – what this chat follows\n"
            "/watch Putin – your own keyword, like a Google Alert (names of known people "
            "count too: Путин, Vladimir Putin)\n"
            "/unwatch Putin – stop it; /watchlist – this chat's keywords\n"
            "/test Putin meets NATO envoy – which topics and keywords a headline fires\n"
            "/why – reply to an alert with it to see which rule sent it (or press Why?)\n"
            "/settings – this chat's digest, quiet hours, pause and time zone\n"
            "/digest daily 08:00, /digest hourly, /digest off – alerts together, once a period\n"
            "/quiet 22:00-07:00 – alerts arrive silently then (add <code>hold</code> to get "
            "them at the end instead); /quiet off\n"
            "/pause 2h (or 30m, 1d; alone: until /resume) – alerts wait, none are lost; /resume\n"
            "/timezone Europe/Berlin – your time zone, for all of the above and alert times\n"
            "/start – what this bot does\n"
            "\n<b>Channels</b> you run, where the bot is an admin: in a private chat with me, "
            "add its @name to a subscription, watch or settings command, e.g. "
            f"/subscribe {example} @yourchannel, /watch @yourchannel Putin, "
            "/digest @yourchannel daily 08:00, /settings @yourchannel "
            "(also /unsubscribe, /list, /unwatch, /watchlist, /quiet, /pause, /resume, "
            "/timezone)\n\n"
            "One alert per development, with a short summary, a link, and buttons: "
            "Why? explains it, Mute stops its topic. Other outlets' reports of it are added "
            "to that alert (“Also reported by”) without a new ping."
        )
        await _reply(update, text)

    async def topics(self, update: Update, context: Context) -> None:
        """Every topic with its id and description, and a button per topic that follows or
        stops following it; ✅ marks those this chat follows."""
        chat = self._remember(update)
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
        return f"<b>Topics</b>\n{self._topic_lines(chat_id)}\n\n{tap}"

    async def subscribe(self, update: Update, context: Context) -> None:
        """Follow one or more topics (in a forum: in this thread; or for a named channel)."""
        self._remember(update)
        arguments, channel = channel_argument(context.args)
        target = await self._target(update, context, channel, change=True, subscribing=True)
        if target is None:
            return
        names = _names(arguments)
        if not names:
            example = f"/subscribe {self._example()}{target.suffix}"
            await _reply(update, f"Which topic? For example: {example}\n\n{self._valid()}")
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
        await _reply(update, "\n".join(lines))

    async def unsubscribe(self, update: Update, context: Context) -> None:
        """Stop following topics, or all of them (for this chat or a named channel)."""
        self._remember(update)
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
                f"/unsubscribe {self._example()}{target.suffix} or /unsubscribe all{target.suffix}"
            )
            await _reply(update, f"Which topic? For example: {example}\n{hint}\n{self._valid()}")
            return
        if [n.lower() for n in names] == ["all"]:
            removed = self._storage.unsubscribe(target.chat_id)
            text = (
                f"🔕 Unsubscribed from {_codes(removed)}."
                if removed
                else f"{target.name} followed nothing."
            )
            await _reply(update, text + " /topics shows what you can follow.")
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
        await _reply(update, "\n".join(lines))

    async def list_subscriptions(self, update: Update, context: Context) -> None:
        """The topics this chat (or a named channel) follows; in a forum, in which thread."""
        chat = self._remember(update)
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
                f"Try /subscribe {self._example()}{target.suffix}."
            )
        await _reply(update, text)

    async def why(self, update: Update, context: Context) -> None:
        """Reply to an alert with /why: the topic, its rule, and the words that satisfied it."""
        chat = self._remember(update)
        message = update.effective_message
        original = message.reply_to_message if message else None
        if original is None:
            await _reply(
                update, "Reply to one of my alerts with /why and I'll tell you which rule sent it."
            )
            return
        delivery = self._storage.delivery_for_message(chat.id, original.message_id)
        reasons = self._storage.delivery_reasons(delivery) if delivery is not None else None
        if reasons is None:
            await _reply(
                update,
                "That message isn't one of my alerts (or it is older than my records). "
                "Reply with /why to an alert I sent.",
            )
            return
        if not reasons.explanations and not reasons.watches:
            await _reply(
                update, "I sent that alert before I kept explanations; newer ones have one."
            )
            return
        await _reply(update, why_delivery_text(reasons, self._catalog().topics))

    async def unknown_command(self, update: Update, context: Context) -> None:
        """A command we do not have: help in private chats, silence for other bots' commands."""
        message = update.effective_message
        if message is None or not message.text:
            return
        command = message.text.split()[0]
        addressed_to_us = (
            "@" in command
            and command.split("@", 1)[1].lower() == (context.bot.username or "").lower()
        )
        if "@" in command and not addressed_to_us:
            return  # another bot's command, in any chat
        if (
            update.effective_chat
            and update.effective_chat.type != Chat.PRIVATE
            and not addressed_to_us
        ):
            return
        await _reply(
            update, f"I don't know {html.escape(command.split('@')[0])}. /help lists what I can do."
        )

    async def plain_text(self, update: Update, context: Context) -> None:
        """Text that is not a command, in a private chat."""
        await _reply(
            update, "I answer commands. /help lists them; /topics shows what you can follow."
        )

    async def migrated(self, update: Update, context: Context) -> None:
        """A group became a supergroup: move its subscriptions to the new chat id."""
        message = update.effective_message
        if message and message.migrate_to_chat_id:
            self._storage.move_chat(message.chat.id, message.migrate_to_chat_id)
            log.info(
                "chat migrated chat=%d new_chat=%d", message.chat.id, message.migrate_to_chat_id
            )

    async def membership(self, update: Update, context: Context) -> None:
        """The bot was blocked, kicked or re-added: pause or resume the chat's alerts."""
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None:
            return
        status = change.new_chat_member.status
        chat = change.chat
        # A channel needs the bot as an admin that may post; a group, as a member not muted.
        active = can_post(chat.type, change.new_chat_member)
        self._storage.remember_chat(chat.id, chat.type, _chat_title(chat))
        if active:
            self._storage.set_chat_active(chat.id, True)
        else:  # as when a send finds the bot blocked: pause, and park what was queued
            reason = f"bot {status}" if status != ChatMemberStatus.ADMINISTRATOR else "no_rights"
            self._storage.give_up_chat(chat.id, reason)
        log.info("membership chat=%d status=%s active=%s", chat.id, status, active)

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

    def _remember(self, update: Update) -> Chat:
        chat = update.effective_chat
        assert chat is not None  # command handlers only run for messages, which have a chat
        self._storage.remember_chat(chat.id, chat.type, _chat_title(chat))
        return chat

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

    def _topic_lines(self, chat_id: int) -> str:
        followed = set(self._storage.subscriptions(chat_id))
        lines = []
        for topic in self._catalog().topics.values():
            mark = "✅ " if topic.id in followed else "• "
            description = f" – {html.escape(topic.description)}" if topic.description else ""
            lines.append(
                f"{mark}<b>{html.escape(topic.title)}</b> (<code>{topic.id}</code>){description}"
            )
        return "\n".join(lines) or "No topics are configured yet."

    def _valid(self) -> str:
        ids = list(self._catalog().topics)
        return f"Topics: {_codes(ids)}." if ids else "No topics are configured yet."

    def _example(self) -> str:
        return next(iter(self._catalog().topics), "topic")


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


def _chat_title(chat: Chat) -> str:
    return chat.title or chat.full_name or chat.username or ""


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)
