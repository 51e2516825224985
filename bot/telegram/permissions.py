"""Who may change a chat's alerts, and whether the bot may post in a chat.

The guard: call it first in every handler that changes subscriptions or settings.

    async def watch(self, update: Update, context: Context) -> None:
        if not await may_change(update, context):
            return  # the user was told, politely, why not
        ...

- private chats: always allowed (the chat is the user's own);
- groups and supergroups: the creator and administrators (getChatMember), and anonymous
  administrators (Telegram sends their messages on behalf of the group: sender_chat is the chat);
  anyone else gets a short refusal in the chat;
- a channel post: only the channel's administrators can post, so it is allowed; a button
  pressed under a channel message can be any reader's, so it is checked like a group's.

For a button press (callback query) the refusal is the query's answer, shown as an alert: a
handler refused must not answer the query again. Read-only commands (/list, /topics, /help)
need no guard. getChatMember's answers are cached per
(chat, user) in `context.bot_data`: an administrator for ADMIN_TTL seconds, a non-administrator
for NOT_ADMIN_TTL, so a newly promoted admin need not wait long and a demoted one keeps the
right only briefly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, Chat, ChatMember, ChatMemberAdministrator, ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

ADMIN_TTL = 60.0
NOT_ADMIN_TTL = 10.0
MAX_ENTRIES = 10_000  # beyond this, expired answers are dropped (memory stays flat)
ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
ADMINS_ONLY = (
    "Sorry, only this group's admins can change its alerts. Ask one of them, or talk to me "
    "in a private chat to get alerts of your own."
)
CANNOT_CHECK = "I couldn't check whether you're an admin of this chat just now. Please try again."
_CACHE_KEY = "permissions.admin_cache"


class AdminCache:
    """Recent answers to "is this user an administrator of this chat?"."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        admin_ttl: float = ADMIN_TTL,
        not_admin_ttl: float = NOT_ADMIN_TTL,
    ) -> None:
        self._clock = clock
        self._admin_ttl = admin_ttl
        self._not_admin_ttl = not_admin_ttl
        self._answers: dict[tuple[int, int], tuple[bool, float]] = {}  # → (admin, expires)

    def get(self, chat_id: int, user_id: int) -> bool | None:
        """The cached answer, or None when there is none (or it expired)."""
        answer = self._answers.get((chat_id, user_id))
        if answer is None or answer[1] <= self._clock():
            return None
        return answer[0]

    def put(self, chat_id: int, user_id: int, is_admin: bool) -> None:
        now = self._clock()
        if len(self._answers) >= MAX_ENTRIES:
            self._answers = {k: v for k, v in self._answers.items() if v[1] > now}
        ttl = self._admin_ttl if is_admin else self._not_admin_ttl
        self._answers[(chat_id, user_id)] = (is_admin, now + ttl)


def admin_cache(context: Context) -> AdminCache:
    """The application's cache, created on first use."""
    cache = context.bot_data.get(_CACHE_KEY)
    if not isinstance(cache, AdminCache):
        cache = context.bot_data[_CACHE_KEY] = AdminCache()
    return cache


async def is_admin(bot: Bot, cache: AdminCache, chat_id: int, user_id: int) -> bool:
    """Whether the user is the chat's creator or an administrator (cached); TelegramError
    propagates (the chat is gone, or its member list is hidden from the bot)."""
    known = cache.get(chat_id, user_id)
    if known is not None:
        return known
    member = await bot.get_chat_member(chat_id, user_id)
    answer = member.status in ADMIN_STATUSES
    cache.put(chat_id, user_id, answer)
    return answer


async def may_change(update: Update, context: Context) -> bool:
    """Whether the sender may change this chat's alerts; if not, they are told so."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or chat.type == Chat.PRIVATE:
        return True
    if chat.type == Chat.CHANNEL and update.callback_query is None:
        return True  # a channel post: only the channel's administrators can post
    if update.callback_query is None and message is not None and message.sender_chat is not None:
        if message.sender_chat.id == chat.id:  # an anonymous admin, posting as the group
            return True
        await _refuse(update, ADMINS_ONLY)  # someone posting as a channel is not an admin
        return False
    user = update.effective_user
    if user is None:
        return False
    try:
        allowed = await is_admin(context.bot, admin_cache(context), chat.id, user.id)
    except TelegramError as exc:
        log.warning("admin check failed chat=%d: %s", chat.id, exc)
        await _refuse(update, CANNOT_CHECK)
        return False
    if not allowed:
        await _refuse(update, ADMINS_ONLY)
    return allowed


def can_post(chat_type: str, member: ChatMember) -> bool:
    """Whether the bot, with this membership, can post alerts in the chat: a member of a group
    (unless restricted from sending), an administrator of a channel with the right to post."""
    if member.status in {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}:
        return False
    if chat_type == Chat.CHANNEL:
        return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)
    if isinstance(member, ChatMemberRestricted):
        return member.is_member and member.can_send_messages
    return True


async def _refuse(update: Update, text: str) -> None:
    """Tell the sender why not. Not `replies.reply`, on purpose: the guard also runs for button
    presses, whose refusal is the query's answer (an alert; a handler refused must not answer
    the query again), and alerts shown for a query are plain text, so the refusals are written
    without HTML and sent the same way in a chat."""
    if update.callback_query is not None:  # a button: answer the press, don't post in the chat
        await update.callback_query.answer(text, show_alert=True)
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, do_quote=False)
