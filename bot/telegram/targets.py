"""Which chat a command applies to: the chat it was sent in, or a channel named with @.

Subscription, watch and settings commands all accept an `@channel` among their arguments
(nobody can send commands inside a channel, so its administrators manage it from a private
chat). This is the one place that turns those arguments into a `Target`:

    arguments, channel = channel_argument(context.args)
    target = await command_target(update, context, storage, channel, need_post=True)
    if target is None or not await may_change_target(update, context, target):
        return  # the user was told why

A named channel is resolved and checked by `channels.resolve_channel` (the user must be its
administrator, the bot one too, allowed to post when `need_post`); this chat is checked only
when it is about to change (`may_change_target`: in a group, its admins only). Replies use the
target's words (`name`, `subject`, `where`, `suffix`) so that the examples they give apply to
the same chat again.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Chat, Update
from telegram.ext import ContextTypes

from ..storage import Storage
from .channels import resolve_channel
from .permissions import may_change

Context = ContextTypes.DEFAULT_TYPE


@dataclass(frozen=True)
class Target:
    """The chat a command changes or shows: this one (in its forum thread), or a channel."""

    chat_id: int
    name: str  # "This chat" or "@channel", to start a sentence
    thread_id: int | None = None
    channel: bool = False

    @property
    def subject(self) -> str:
        """The target inside a sentence: "this chat" or "@channel"."""
        return self.name if self.channel else "this chat"

    @property
    def where(self) -> str:
        if self.channel:
            return f"in {self.name}"
        return "in this topic thread" if self.thread_id is not None else "here"

    @property
    def suffix(self) -> str:
        """What to add after a command in an example so that it applies to this target."""
        return f" {self.name}" if self.channel else ""


async def command_target(
    update: Update,
    context: Context,
    storage: Storage,
    channel: str | None,
    *,
    need_post: bool = False,
) -> Target | None:
    """The named channel, if the user administers it (and the bot may post there, when
    `need_post`), else this chat; None when a named channel fails a check (the user has been
    told what to fix)."""
    if channel is not None:
        found = await resolve_channel(update, context, channel, need_post=need_post)
        if found is None:
            return None
        if need_post:  # the bot may post there: the channel is (again) active
            storage.remember_chat(found.id, Chat.CHANNEL, found.title)
        return Target(found.id, found.name, channel=True)
    chat = update.effective_chat
    message = update.effective_message
    assert chat is not None  # command handlers only run for messages, which have a chat
    thread = message.message_thread_id if message and message.is_topic_message else None
    return Target(chat.id, "This chat", thread)


async def may_change_target(update: Update, context: Context, target: Target) -> bool:
    """Whether the sender may change the target; if not, they have been told so. A channel
    was checked when it was resolved; this chat is checked now (in a group: admins only)."""
    return target.channel or await may_change(update, context)
