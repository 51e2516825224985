"""Chat commands: thin handlers that parse arguments, call storage, and reply briefly.

Every reply says what to do next. Topic names are ids compared case-insensitively; `#russia_ukraine`
(the hashtag form alerts carry) is accepted too. User input echoed back is always escaped.
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
from ..explain import why_text
from ..storage import Storage

log = logging.getLogger(__name__)

COMMANDS = (
    BotCommand("start", "What this bot does"),
    BotCommand("topics", "Topics you can follow"),
    BotCommand("subscribe", "Follow a topic: /subscribe russia-ukraine"),
    BotCommand("unsubscribe", "Stop following a topic, or all"),
    BotCommand("list", "Topics this chat follows"),
    BotCommand("why", "Reply to an alert: why was it sent?"),
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
        self._remember(update)
        text = (
            "👋 Hi! I watch world-news feeds and send this chat one short alert, with a link, "
            "as soon as a story matches a topic you follow. Everything else stays quiet.\n\n"
            f"<b>Topics</b>\n{self._topic_lines(update)}\n\n"
            f"Follow one with /subscribe {self._example()}. /help lists every command."
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
            "/why – reply to an alert with it to see which rule sent it\n"
            "/settings – this chat's digest, quiet hours, pause and time zone\n"
            "/digest daily 08:00, /digest hourly, /digest off – alerts together, once a period\n"
            "/quiet 22:00-07:00 – alerts arrive silently then (add <code>hold</code> to get "
            "them at the end instead); /quiet off\n"
            "/pause 2h (or 30m, 1d; alone: until /resume) – alerts wait, none are lost; /resume\n"
            "/timezone Europe/Berlin – your time zone, for all of the above and alert times\n"
            "/start – what this bot does\n\n"
            "Alerts arrive once per item, with a short summary and a link."
        )
        await _reply(update, text)

    async def topics(self, update: Update, context: Context) -> None:
        """Every topic with its id and description; ✅ marks those this chat follows."""
        self._remember(update)
        follow = f"Follow one: /subscribe {self._example()}"
        await _reply(update, f"<b>Topics</b>\n{self._topic_lines(update)}\n\n{follow}")

    async def subscribe(self, update: Update, context: Context) -> None:
        """Follow one or more topics."""
        chat = self._remember(update)
        names = _names(context.args)
        if not names:
            await _reply(
                update, f"Which topic? For example: /subscribe {self._example()}\n\n{self._valid()}"
            )
            return
        known, unknown = self._resolve(names)
        added = self._storage.subscribe(chat.id, known)
        already = [t for t in known if t not in added]
        lines = []
        if added:
            lines.append(
                f"✅ Subscribed to {_codes(added)}. Alerts will arrive here as news breaks."
            )
        if already:
            lines.append(f"This chat already follows {_codes(already)}.")
        if unknown:
            lines.append(f"I don't know {_codes(unknown)}. {self._valid()}")
        await _reply(update, "\n".join(lines))

    async def unsubscribe(self, update: Update, context: Context) -> None:
        """Stop following topics, or all of them."""
        chat = self._remember(update)
        names = _names(context.args)
        if not names:
            current = self._storage.subscriptions(chat.id)
            hint = (
                f"This chat follows {_codes(current)}." if current else "This chat follows nothing."
            )
            example = f"/unsubscribe {self._example()} or /unsubscribe all"
            await _reply(update, f"Which topic? For example: {example}\n{hint}\n{self._valid()}")
            return
        if [n.lower() for n in names] == ["all"]:
            removed = self._storage.unsubscribe(chat.id)
            text = (
                f"🔕 Unsubscribed from {_codes(removed)}."
                if removed
                else "This chat followed nothing."
            )
            await _reply(update, text + " /topics shows what you can follow.")
            return
        known, unknown = self._resolve(names)
        removed = self._storage.unsubscribe(chat.id, known)
        not_followed = [t for t in known if t not in removed]
        lines = []
        if removed:
            lines.append(f"🔕 Unsubscribed from {_codes(removed)}.")
        if not_followed:
            lines.append(f"This chat did not follow {_codes(not_followed)}.")
        if unknown:
            lines.append(f"I don't know {_codes(unknown)}. {self._valid()}")
        await _reply(update, "\n".join(lines))

    async def list_subscriptions(self, update: Update, context: Context) -> None:
        """The topics this chat follows."""
        chat = self._remember(update)
        current = self._storage.subscriptions(chat.id)
        if current:
            text = (
                f"This chat follows {_codes(current)}.\nStop one with /unsubscribe &lt;topic&gt;."
            )
        else:
            text = f"This chat follows no topics yet. Try /subscribe {self._example()}."
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
        sent = self._storage.sent_alert(chat.id, original.message_id)
        if sent is None:
            await _reply(
                update,
                "That message isn't one of my alerts (or it is older than my records). "
                "Reply with /why to an alert I sent.",
            )
            return
        if not sent.explanations:
            await _reply(
                update, "I sent that alert before I kept explanations; newer ones have one."
            )
            return
        await _reply(update, why_text(sent.title, sent.explanations, self._catalog().topics))

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
        active = status not in {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}
        chat = change.chat
        self._storage.remember_chat(chat.id, chat.type, _chat_title(chat))
        if active:
            self._storage.set_chat_active(chat.id, True)
        else:  # as when a send finds the bot blocked: pause, and park what was queued
            self._storage.give_up_chat(chat.id, f"bot {status}")
        log.info("membership chat=%d status=%s active=%s", chat.id, status, active)

    # -- helpers -----------------------------------------------------------------------------

    def _remember(self, update: Update) -> Chat:
        chat = update.effective_chat
        assert chat is not None  # command handlers only run for messages, which have a chat
        self._storage.remember_chat(chat.id, chat.type, _chat_title(chat))
        return chat

    def _resolve(self, names: Sequence[str]) -> tuple[list[str], list[str]]:
        catalog = self._catalog()
        known: list[str] = []
        unknown: list[str] = []
        for name in names:
            topic = catalog.find_topic(name)
            target, value = (known, topic.id) if topic else (unknown, name)
            if value not in target:
                target.append(value)
        return known, unknown

    def _topic_lines(self, update: Update) -> str:
        chat = update.effective_chat
        followed = set(self._storage.subscriptions(chat.id)) if chat else set()
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


def _names(args: Sequence[str] | None) -> list[str]:
    return [n for n in _SPLIT.split(" ".join(args or ())) if n]


def _codes(names: Sequence[str]) -> str:
    return ", ".join(f"<code>{html.escape(n[:64])}</code>" for n in names)


def _chat_title(chat: Chat) -> str:
    return chat.title or chat.full_name or chat.username or ""


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)
