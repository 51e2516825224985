"""Chat commands: the bot's command menu, and the handlers every chat meets first.

This module wires the chat-facing handlers in their order (the catch-alls last) and answers
/start, /help and /why, unknown commands and plain text itself. The subscription commands
live in `subscription_commands`, the chat-membership updates in `chat_membership`. Every reply
says what to do next; user input echoed back is always escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from telegram import BotCommand, Chat, Update
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
from .chat_membership import ChatMembership, remember_chat
from .replies import reply
from .subscription_commands import SubscriptionCommands

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

Context = ContextTypes.DEFAULT_TYPE


class ChatCommands:
    """Handlers for the chat commands, bound to the storage and the current catalog."""

    def __init__(self, storage: Storage, catalog: Callable[[], Catalog]) -> None:
        self._storage = storage
        self._catalog = catalog
        self._subscriptions = SubscriptionCommands(storage, catalog)
        self._membership = ChatMembership(storage)

    def handlers(self) -> list[BaseHandler[Update, Context, object]]:
        return [
            CommandHandler("start", self.start),
            CommandHandler("help", self.help),
            CommandHandler("topics", self._subscriptions.topics),
            CommandHandler("subscribe", self._subscriptions.subscribe),
            CommandHandler("unsubscribe", self._subscriptions.unsubscribe),
            CommandHandler("list", self._subscriptions.list_subscriptions),
            CommandHandler("why", self.why),
            MessageHandler(filters.StatusUpdate.MIGRATE, self._membership.migrated),
            ChatMemberHandler(self._membership.membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.COMMAND, self.unknown_command),
            MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, self.plain_text),
        ]

    async def start(self, update: Update, context: Context) -> None:
        """Greet, explain, list topics; also reactivates a chat that had blocked the bot."""
        chat = remember_chat(self._storage, update)
        example = self._subscriptions.example()
        text = (
            "👋 Hi! I watch world-news feeds and send this chat one short alert, with a link, "
            "as soon as a story matches a topic you follow. Everything else stays quiet.\n\n"
            f"<b>Topics</b>\n{self._subscriptions.topic_lines(chat.id)}\n\n"
            f"Follow one with /subscribe {example} (or tap it in /topics), or watch "
            "your own keyword with /watch Putin. /help lists every command."
        )
        await reply(update, text)

    async def help(self, update: Update, context: Context) -> None:
        """List the commands with examples."""
        remember_chat(self._storage, update)
        example = self._subscriptions.example()
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
            "/timezone); /test @yourchannel &lt;headline&gt; posts a trial in the channel\n\n"
            "One alert per development, with a short summary, a link, and buttons: "
            "Why? explains it, Mute stops its topic. Other outlets' reports of it are added "
            "to that alert (“Also reported by”) without a new ping."
        )
        await reply(update, text)

    def topics_text(self, chat_id: int) -> str:
        """The /topics message (also redrawn when a button changes a subscription)."""
        return self._subscriptions.topics_text(chat_id)

    async def why(self, update: Update, context: Context) -> None:
        """Reply to an alert with /why: the topic, its rule, and the words that satisfied it."""
        chat = remember_chat(self._storage, update)
        message = update.effective_message
        original = message.reply_to_message if message else None
        if original is None:
            await reply(
                update, "Reply to one of my alerts with /why and I'll tell you which rule sent it."
            )
            return
        delivery = self._storage.delivery_for_message(chat.id, original.message_id)
        reasons = self._storage.delivery_reasons(delivery) if delivery is not None else None
        if reasons is None:
            await reply(
                update,
                "That message isn't one of my alerts (or it is older than my records). "
                "Reply with /why to an alert I sent.",
            )
            return
        if not reasons.explanations and not reasons.watches:
            await reply(
                update, "I sent that alert before I kept explanations; newer ones have one."
            )
            return
        await reply(update, why_delivery_text(reasons, self._catalog().topics))

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
        await reply(
            update, f"I don't know {html.escape(command.split('@')[0])}. /help lists what I can do."
        )

    async def plain_text(self, update: Update, context: Context) -> None:
        """Text that is not a command, in a private chat."""
        await reply(
            update, "I answer commands. /help lists them; /topics shows what you can follow."
        )
