"""Channels managed from a private chat: `/subscribe <topic> @channel`, `/watch @channel
<phrase>`, `/digest @channel daily 08:00` and every other subscription, watch and settings
command with an @channel among its arguments (targets.py decides which chat a command applies to).

Nobody can send the bot commands inside a channel, so a channel's administrators manage its
alerts from their private chat with the bot. Before it shows or changes anything of a channel,
the bot checks, in order:
1. the name is a channel's public @username, and getChat finds a channel by it;
2. the bot is an administrator of it (getChatMember(channel, bot)), with the right to post
   messages for the commands that make alerts arrive there (subscribing, adding a watch);
3. the user is the channel's creator or one of its administrators (getChatMember(channel, user)).
Each failure gets its own reply saying what to fix; nothing changes then.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Chat, ChatMemberAdministrator, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from .permissions import CANNOT_CHECK, admin_cache, is_admin
from .replies import reply

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")


@dataclass(frozen=True)
class Channel:
    id: int
    name: str  # as the user wrote it, "@name"
    title: str


def channel_argument(args: Sequence[str] | None) -> tuple[list[str], str | None]:
    """Split a command's arguments into the rest and the channel they name (`@name`), if any."""
    rest = [a for a in args or () if not a.startswith("@")]
    named = [a for a in args or () if a.startswith("@")]
    # Only one channel per command: further @names stay arguments, so they are not ignored
    # silently but answered as unknown topics.
    return rest + named[1:], (named[0] if named else None)


async def resolve_channel(
    update: Update, context: Context, name: str, *, need_post: bool
) -> Channel | None:
    """The channel `name` names, if the user may manage its alerts there; else None, and the
    user has been told why."""
    chat = update.effective_chat
    user = update.effective_user
    command = _command(update)
    if chat is None or chat.type != Chat.PRIVATE or user is None:
        await reply(
            update,
            "Manage a channel's alerts in a private chat with me: send me "
            f"{command} {html.escape(name[:40])} there.",
        )
        return None
    if not _USERNAME.fullmatch(name):
        await reply(
            update,
            f"“{html.escape(name[:40])}” isn't a channel name. Use the channel's public "
            "@username, for example @mychannel.",
        )
        return None
    try:
        found = await context.bot.get_chat(name)
    except TelegramError as exc:
        log.info("channel lookup failed channel=%s: %s", name, exc)
        await reply(
            update,
            f"I can't find a channel called {name}. Check its @username, and add me to it as "
            "an administrator.",
        )
        return None
    if found.type != Chat.CHANNEL:
        await reply(
            update,
            f"{name} is a group, not a channel: add me to it and send {command} there.",
        )
        return None
    if not await _bot_may_post(update, context, found.id, name, need_post):
        return None
    try:
        allowed = await is_admin(context.bot, admin_cache(context), found.id, user.id)
    except TelegramError as exc:
        log.warning("channel admin check failed channel=%s: %s", name, exc)
        await reply(update, CANNOT_CHECK)
        return None
    if not allowed:
        await reply(
            update,
            f"Only {name}'s administrators can change its alerts, and you aren't one of them.",
        )
        return None
    return Channel(found.id, name, found.title or name)


async def _bot_may_post(
    update: Update, context: Context, channel_id: int, name: str, need_post: bool
) -> bool:
    """Whether the bot is an administrator of the channel (that may post, if `need_post`);
    if not, the user is told what to change."""
    try:
        member = await context.bot.get_chat_member(channel_id, context.bot.id)
    except TelegramError as exc:  # Telegram hides a channel's members from non-admins
        log.info("bot membership unknown channel=%s: %s", name, exc)
        member = None
    if member is None or member.status != ChatMemberStatus.ADMINISTRATOR:
        await reply(
            update,
            f"I'm not an administrator of {name}. Add me to the channel as an admin with "
            "the right to post messages, then try again.",
        )
        return False
    if need_post and not (isinstance(member, ChatMemberAdministrator) and member.can_post_messages):
        await reply(
            update,
            f"I'm an administrator of {name} but may not post there. Give me the "
            "“Post messages” right, then try again.",
        )
        return False
    return True


def _command(update: Update) -> str:
    """The command the user sent ("/watch"), without a bot's @username, for examples."""
    message = update.effective_message
    words = (message.text or "").split() if message is not None else []
    command = words[0].split("@", 1)[0] if words and words[0].startswith("/") else "/subscribe"
    return html.escape(command[:40])
