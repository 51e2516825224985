"""Which chats the bot is in: remembering the chats that talk to it, following a group that
becomes a supergroup, and pausing or resuming a chat when the bot is blocked, kicked, muted
or re-added (the `my_chat_member` updates).
"""

from __future__ import annotations

import logging

from telegram import Chat, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ContextTypes

from ..storage import Storage
from .permissions import can_post

# The name these log lines had before this module was split out of commands.py, so log
# filters and dashboards keep finding them (as the deliver_* modules keep "bot.deliver").
log = logging.getLogger("bot.telegram.commands")

Context = ContextTypes.DEFAULT_TYPE


class ChatMembership:
    """Handlers for the updates that change which chats the bot may send to."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

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
        self._storage.remember_chat(chat.id, chat.type, chat_title(chat))
        if active:
            self._storage.set_chat_active(chat.id, True)
        else:  # as when a send finds the bot blocked: pause, and park what was queued
            reason = f"bot {status}" if status != ChatMemberStatus.ADMINISTRATOR else "no_rights"
            self._storage.give_up_chat(chat.id, reason)
        log.info("membership chat=%d status=%s active=%s", chat.id, status, active)


def remember_chat(storage: Storage, update: Update) -> Chat:
    """Record the chat a command was sent in (its type and title), and return it."""
    chat = update.effective_chat
    assert chat is not None  # command handlers only run for messages, which have a chat
    storage.remember_chat(chat.id, chat.type, chat_title(chat))
    return chat


def chat_title(chat: Chat) -> str:
    """A name to show for the chat: its title, else the user's name, else the @username."""
    return chat.title or chat.full_name or chat.username or ""
