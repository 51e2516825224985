"""A local aiohttp server that speaks enough of the Telegram Bot API for end-to-end tests.

python-telegram-bot reaches it through `base_url`, exactly as it reaches api.telegram.org.
It long-polls getUpdates, validates sendMessage HTML the way Telegram does (allowed tags,
nesting, entities, 4096 UTF-16 units), records what the bot sent, lets a test inject a user's
message or a press of an inline button (answers and message edits are recorded), and can be
told to fail the next sends to a chat with a given Telegram error.

Groups, forums and channels: `add_chat` registers a chat (type, title, @username, forum flag)
that getChat finds; `set_member` sets what getChatMember answers for a (chat, user); a user the
test did not configure is the group's creator (so a plain group test is run by its owner) and
not a member of a channel. `says_in_group` speaks in a forum thread or as an anonymous admin;
`delete_thread` makes sends to a forum thread fail as Telegram does; `close_thread` and
`reopen_thread` act out an admin closing a topic (or General) and reopening it; `bot_rights`
changes the bot's own status (my_chat_member) with its rights.

editMessageText and editMessageReplyMarkup change a message the bot sent (recorded in `edits`), answers as Telegram
does when the message is gone or unchanged, and can be told to fail (`fail_next_edit`).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "Newsbot Test",
    "username": "newsbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_-]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>]+)?)*)\s*>"
)
ANONYMOUS_ADMIN = {  # the sender Telegram shows for an admin who posts as the group itself
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
    "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
    "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
    "can_post_messages", "can_edit_messages", "can_pin_messages", "can_manage_topics",
)  # fmt: skip
_RESTRICTIONS = (
    "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
    "can_send_polls", "can_send_other_messages", "can_add_web_page_previews", "can_manage_topics",
    "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
    "can_send_video_notes", "can_send_voice_notes", "can_edit_tag", "can_react_to_messages",
)  # fmt: skip
_JSON_FIELDS = {"link_preview_options", "commands", "reply_markup", "allowed_updates", "entities"}


class TelegramHTMLError(ValueError):
    """The text is not HTML Telegram accepts; the message is Telegram's description."""


def check_telegram_html(text: str) -> str:
    """Validate Telegram-flavoured HTML; return the text a user would see."""
    shown: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "&":
            entity = _ENTITY.match(text, pos)
            if not entity:
                raise TelegramHTMLError(
                    f"Can't parse entities: character entity expected at byte offset {pos}"
                )
            shown.append(html.unescape(entity.group(0)))
            pos = entity.end()
        elif char == "<":
            tag = _TAG.match(text, pos)
            if not tag:
                raise TelegramHTMLError(
                    f"Can't parse entities: unsupported start tag at byte offset {pos}"
                )
            closing, name = tag.group(1), tag.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise TelegramHTMLError(
                    f'Can\'t parse entities: unsupported start tag "{name}" at byte offset {pos}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise TelegramHTMLError(
                        f"Can't parse entities: unexpected end tag at byte offset {pos}"
                    )
                stack.pop()
            else:
                stack.append(name)
            pos = tag.end()
        elif char == ">":
            raise TelegramHTMLError(f"Can't parse entities: unexpected '>' at byte offset {pos}")
        else:
            shown.append(char)
            pos += 1
    if stack:
        raise TelegramHTMLError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(shown)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class SentMessage:
    chat_id: int
    text: str
    parse_mode: str | None
    message_id: int
    params: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def thread_id(self) -> int | None:
        """The forum topic thread it was sent to (None: the chat itself, or General)."""
        thread = self.params.get("message_thread_id")
        return None if thread is None else int(thread)

    @property
    def silent(self) -> bool:
        """Sent with disable_notification: the phone showed it without a sound."""
        return str(self.params.get("disable_notification", "")).lower() in {"true", "1"}


@dataclass
class EditedMessage:
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    params: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    error_code: int
    description: str
    parameters: dict[str, Any] | None = None


class FakeBotAPI:
    """Start with `await api.start()`; point BOT_API_URL at `api.base_url`."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.sent: list[SentMessage] = []
        self.rejected: list[tuple[int, str]] = []
        self.commands: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.webhook: dict[str, Any] = {}  # what setWebhook registered; {} after deleteWebhook
        self.send_delay = 0.0  # seconds sendMessage hangs before answering (a stalled Bot API)
        self.outage = False  # while True, every method answers 502 Bad Gateway
        # While True, sendMessage enforces Telegram's limits with 429s: 30 messages in any
        # second overall, 3 in any second to one private chat, 20 a minute to one group.
        self.enforce_limits = False
        self.too_many: list[int] = []  # chats that got a 429 from the limits
        self._recent: defaultdict[int | str, deque[float]] = defaultdict(deque)
        self._failures: dict[int, deque[Failure]] = defaultdict(deque)
        self._chat_types: dict[int, str] = {}
        self.chats: dict[int, dict[str, Any]] = {}  # registered with add_chat
        self.members: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, user) → ChatMember
        self.deleted_threads: set[tuple[int, int]] = set()
        self.closed_threads: set[tuple[int, int | None]] = set()  # (chat, thread; None: General)
        self.callback_answers: list[dict[str, Any]] = []  # answerCallbackQuery calls
        self.edits: list[EditedMessage] = []
        self._edit_failures: dict[int, deque[Failure]] = defaultdict(deque)
        self._deleted: set[tuple[int, int]] = set()
        self._next_update_id = 1
        self._next_message_id = 1
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Buttons (see the "buttons" section): answers to presses, and edits of sent messages.
        self.answers: dict[str, dict[str, Any]] = {}
        self._next_query_id = 1

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # -- what a test does --------------------------------------------------------------------

    async def user_says(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        title: str = "Test group",
        reply_to: int | None = None,
    ) -> None:
        """Inject a message from a user, as Telegram would deliver it to getUpdates;
        `reply_to` makes it a reply to the bot's message with that id."""
        self._chat_types[chat_id] = chat_type
        user_id = user_id or abs(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{user_id}"
        else:
            chat["title"] = title
        message: dict[str, Any] = {
            "message_id": self._new_message_id(),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "text": text,
        }
        if reply_to is not None:
            original = next(m for m in self.sent if m.message_id == reply_to)
            message["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": original.text,
            }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_units(command)}
            ]
        await self._add_update({"message": message})

    async def bot_membership(self, chat_id: int, old: str, new: str, title: str = "Group") -> None:
        """The bot's own membership in a chat changed (removed: "left", added: "member")."""
        chat_type = self._chat_types.get(chat_id, "group")
        self._chat_types[chat_id] = chat_type
        await self._add_update(
            {
                "my_chat_member": {
                    "chat": {"id": chat_id, "type": chat_type, "title": title},
                    "from": {"id": 42, "is_bot": False, "first_name": "Admin"},
                    "date": int(time.time()),
                    "old_chat_member": {"user": BOT_USER, "status": old},
                    "new_chat_member": {"user": BOT_USER, "status": new},
                }
            }
        )

    def fail_next(self, chat_id: int, failure: Failure, times: int = 1) -> None:
        """Make the next `times` sends to `chat_id` fail with this Bot API error."""
        self._failures[chat_id].extend([failure] * times)

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    async def wait_for_total(self, count: int, within: float = 30.0) -> int:
        """Wait until the bot has sent at least `count` messages in all; return how many."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.sent) >= count)

        try:
            await asyncio.wait_for(enough(), within)
        except TimeoutError:
            raise AssertionError(
                f"the bot sent {len(self.sent)} messages, wanted {count}"
            ) from None
        return len(self.sent)

    async def wait_for_messages(
        self, chat_id: int, count: int, within: float = 20.0
    ) -> list[SentMessage]:
        """Wait until `chat_id` has received at least `count` messages; return them all."""

        async def enough() -> list[SentMessage]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.messages_to(chat_id)) >= count)
            return self.messages_to(chat_id)

        try:
            return await asyncio.wait_for(enough(), within)
        except TimeoutError:
            got = [m.text for m in self.messages_to(chat_id)]
            raise AssertionError(
                f"chat {chat_id} got {len(got)} messages, wanted {count}: {got}"
            ) from None

    # -- edits ---------------------------------------------------------------------------------

    def fail_next_edit(self, chat_id: int, failure: Failure, times: int = 1) -> None:
        """Make the next `times` edits in `chat_id` fail with this Bot API error."""
        self._edit_failures[chat_id].extend([failure] * times)

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """The user deleted the message: editing it finds nothing from now on."""
        self._deleted.add((chat_id, message_id))

    def edits_to(self, chat_id: int, message_id: int | None = None) -> list[EditedMessage]:
        return [
            e for e in self.edits if e.chat_id == chat_id and message_id in (None, e.message_id)
        ]

    def current_text(self, chat_id: int, message_id: int) -> str:
        """What the user sees now: the message as last edited, else as sent."""
        return next(
            self._as_shown(m).text
            for m in self.sent
            if (m.chat_id, m.message_id) == (chat_id, message_id)
        )

    def _as_shown(self, message: SentMessage) -> SentMessage:
        """`message` as the user sees it now: with its last edit's text and buttons."""
        edits = self.edits_to(message.chat_id, message.message_id)
        if not edits:
            return message
        last = edits[-1]
        markup = {"reply_markup": last.params.get("reply_markup")}
        return replace(
            message, text=last.text, parse_mode=last.parse_mode, params={**message.params, **markup}
        )

    async def wait_for_edits(self, chat_id: int, count: int, within: float = 20.0) -> None:
        """Wait until messages in `chat_id` have been edited at least `count` times."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.edits_to(chat_id)) >= count)

        try:
            await asyncio.wait_for(enough(), within)
        except TimeoutError:
            got = len(self.edits_to(chat_id))
            raise AssertionError(f"chat {chat_id} saw {got} edits, wanted {count}") from None

    async def _api_editmessagetext(self, params: dict[str, Any]) -> web.Response:
        return await self._edit(params, new_text=str(params.get("text") or ""))

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> web.Response:
        return await self._edit(params, new_text=None)

    async def _edit(self, params: dict[str, Any], new_text: str | None) -> web.Response:
        """Edit a sent message in place, as Telegram does: it must exist in that chat (and not
        be deleted), the HTML must parse and fit, and something must change."""
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        if self.enforce_limits and (retry := self._over_limit(chat_id)):
            self.too_many.append(chat_id)
            return _error(
                Failure(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
            )
        if self._edit_failures.get(chat_id):
            failure = self._edit_failures[chat_id].popleft()
            self.rejected.append((chat_id, failure.description))
            return _error(failure)
        original = next(
            (m for m in self.sent if (m.chat_id, m.message_id) == (chat_id, message_id)), None
        )
        if original is None or (chat_id, message_id) in self._deleted:
            return _error(Failure(400, "Bad Request: message to edit not found"))
        current = self._as_shown(original)
        text = current.text if new_text is None else new_text
        parse_mode = params.get("parse_mode") if new_text is not None else current.parse_mode
        try:
            shown = check_telegram_html(text) if parse_mode == "HTML" else text
        except TelegramHTMLError as exc:
            self.rejected.append((chat_id, str(exc)))
            return _error(Failure(400, f"Bad Request: {exc}"))
        if utf16_units(shown) > 4096:
            return _error(Failure(400, "Bad Request: message is too long"))
        markup = params.get("reply_markup")
        if text == current.text and markup == current.params.get("reply_markup"):
            return _error(
                Failure(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            )
        async with self._changed:
            self.edits.append(EditedMessage(chat_id, message_id, text, parse_mode, params))
            self._changed.notify_all()
        chat_type = self._chat_types.get(chat_id, "private" if chat_id > 0 else "group")
        return _ok(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "edit_date": int(time.time()),
                "chat": {"id": chat_id, "type": chat_type},
                "from": BOT_USER,
                "text": shown,
            }
        )

    # -- the Bot API ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        if request.match_info["token"] != self.token:
            return _error(Failure(401, "Unauthorized"))
        if self.outage:
            return _error(Failure(502, "Bad Gateway"))
        params = await _params(request)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return _error(Failure(404, "Not Found: method not found"))
        return await handler(params)

    async def _api_getme(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT_USER)

    async def _api_deletewebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = {}
        return _ok(True)

    async def _api_setwebhook(self, params: dict[str, Any]) -> web.Response:
        """Record the webhook (url, secret_token...) the bot registered."""
        async with self._changed:
            self.webhook = dict(params)
            self._changed.notify_all()
        return _ok(True)

    async def _api_setmycommands(self, params: dict[str, Any]) -> web.Response:
        self.commands = list(params.get("commands") or [])
        return _ok(True)

    async def _api_getupdates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self.updates)), timeout
                    )
            return _ok(self.updates[:limit])

    async def _api_sendmessage(self, params: dict[str, Any]) -> web.Response:
        if self.send_delay:
            await asyncio.sleep(self.send_delay)  # sync-ok: acts out a Bot API that hangs
        chat_id = int(params["chat_id"])
        text = str(params.get("text") or "")
        parse_mode = params.get("parse_mode")
        if self.enforce_limits and (retry := self._over_limit(chat_id)):
            self.too_many.append(chat_id)
            return _error(
                Failure(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
            )
        if self._failures.get(chat_id):
            failure = self._failures[chat_id].popleft()
            self.rejected.append((chat_id, failure.description))
            return _error(failure)
        if refusal := self._refusal(chat_id, params):
            self.rejected.append((chat_id, refusal.description))
            return _error(refusal)
        try:
            shown = check_telegram_html(text) if parse_mode == "HTML" else text
        except TelegramHTMLError as exc:
            self.rejected.append((chat_id, str(exc)))
            return _error(Failure(400, f"Bad Request: {exc}"))
        if not shown.strip():
            return _error(Failure(400, "Bad Request: message text is empty"))
        if utf16_units(shown) > 4096:
            return _error(Failure(400, "Bad Request: message is too long"))
        message_id = self._new_message_id()
        async with self._changed:
            self.sent.append(SentMessage(chat_id, text, parse_mode, message_id, params))
            self._changed.notify_all()
        chat_type = self._chat_types.get(chat_id, "private" if chat_id > 0 else "group")
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        return _ok(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": shown,
            }
        )

    async def _api_getchat(self, params: dict[str, Any]) -> web.Response:
        chat = self.chats.get(self._chat_key(params.get("chat_id")))
        if chat is None:
            return _error(Failure(400, "Bad Request: chat not found"))
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
        )
        return _ok(
            {
                **chat,
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {**gifts, "gifts_from_channels": False},
            }
        )

    async def _api_getchatmember(self, params: dict[str, Any]) -> web.Response:
        chat_id = self._chat_key(params.get("chat_id"))
        user_id = int(params["user_id"])
        if chat_id is None:
            return _error(Failure(400, "Bad Request: chat not found"))
        channel = self._chat_types.get(chat_id) == "channel"
        bot = self.members.get((chat_id, BOT_USER["id"]), {})
        if channel and bot.get("status") != "administrator":
            return _error(Failure(400, "Bad Request: member list is inaccessible"))
        member = self.members.get((chat_id, user_id))
        if member is None:
            default = "left" if channel else "member" if user_id == BOT_USER["id"] else "creator"
            member = _member(user_id, default, {})
        return _ok(member)

    # -- groups, forums and channels: what a test does -----------------------------------------

    def add_chat(
        self,
        chat_id: int,
        chat_type: str,
        title: str = "Test chat",
        *,
        username: str | None = None,
        forum: bool = False,
    ) -> None:
        """Register a group, supergroup (forum: with topic threads) or channel."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type, "title": title}
        if username:
            chat["username"] = username
        if forum:
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        self._chat_types[chat_id] = chat_type

    def set_member(self, chat_id: int, user_id: int, status: str, **rights: bool) -> None:
        """What getChatMember answers for this user (or the bot: BOT_USER["id"]) in the chat:
        "creator", "administrator" (with rights such as can_post_messages=True), "member",
        "restricted", "left" or "kicked"."""
        self.members[(chat_id, user_id)] = _member(user_id, status, rights)

    def delete_thread(self, chat_id: int, thread_id: int) -> None:
        """Sends to this forum thread now fail with "message thread not found"."""
        self.deleted_threads.add((chat_id, thread_id))

    def close_thread(self, chat_id: int, thread_id: int | None) -> None:
        """An admin closed this forum topic (None: the General topic): sends to it now fail
        with TOPIC_CLOSED, as they do for a bot that cannot manage topics."""
        self.closed_threads.add((chat_id, thread_id))

    def reopen_thread(self, chat_id: int, thread_id: int | None) -> None:
        self.closed_threads.discard((chat_id, thread_id))

    async def says_in_group(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int = 1001,
        thread_id: int | None = None,
        anonymous: bool = False,
    ) -> None:
        """A message in a chat registered with add_chat: in forum thread `thread_id` (None: the
        General topic), from `user_id`, or from an anonymous admin posting as the group."""
        chat = self.chats[chat_id]
        sender = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        message: dict[str, Any] = {
            "message_id": self._new_message_id(),
            "date": int(time.time()),
            "chat": chat,
            "from": ANONYMOUS_ADMIN if anonymous else sender,
            "text": text,
        }
        if anonymous:
            message["sender_chat"] = chat
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_units(command)}
            ]
        await self._add_update({"message": message})

    async def bot_rights(self, chat_id: int, status: str, **rights: bool) -> None:
        """The bot's own status in a registered chat changes (my_chat_member), with its rights
        (an administrator without can_post_messages=True cannot post in a channel)."""
        old = self.members.get((chat_id, BOT_USER["id"])) or _member(BOT_USER["id"], "left", {})
        new = _member(BOT_USER["id"], status, rights)
        self.members[(chat_id, BOT_USER["id"])] = new
        await self._add_update(
            {
                "my_chat_member": {
                    "chat": self.chats[chat_id],
                    "from": {"id": 42, "is_bot": False, "first_name": "Admin"},
                    "date": int(time.time()),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            }
        )

    def _chat_key(self, value: object) -> int | None:
        """A chat id, or the id of the registered chat with this @username."""
        if isinstance(value, str) and value.startswith("@"):
            wanted = value[1:].lower()
            return next(
                (i for i, c in self.chats.items() if c.get("username", "").lower() == wanted),
                None,
            )
        return None if value is None else int(str(value))

    def _refusal(self, chat_id: int, params: dict[str, Any]) -> Failure | None:
        """Why Telegram would refuse this send to a forum thread or a channel, if it would."""
        thread = params.get("message_thread_id")
        if thread is not None and (chat_id, int(thread)) in self.deleted_threads:
            return Failure(400, "Bad Request: message thread not found")
        if (chat_id, None if thread is None else int(thread)) in self.closed_threads:
            return Failure(400, "Bad Request: TOPIC_CLOSED")
        bot = self.members.get((chat_id, BOT_USER["id"]))
        if self._chat_types.get(chat_id) == "channel" and not (
            bot and bot["status"] == "administrator" and bot.get("can_post_messages")
        ):
            return Failure(400, "Bad Request: need administrator rights in the channel chat")
        return None

    # -- buttons: a user presses an inline button; the bot answers and edits ------------------

    async def user_presses(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> str:
        """Inject a press of an inline button carrying `data` under the bot's message
        `message_id` (any data: a test may forge it); return the callback query's id."""
        user_id = user_id or abs(chat_id)
        chat_type = self._chat_types.get(chat_id, "private" if chat_id > 0 else "group")
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{user_id}"
        else:
            chat["title"] = "Test group"
        original = next((m for m in self.sent if m.message_id == message_id), None)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": original.text if original else "",
        }
        if original is not None and original.params.get("reply_markup"):
            message["reply_markup"] = original.params["reply_markup"]
        if original is not None and original.thread_id is not None:  # as in a forum topic
            message["message_thread_id"] = original.thread_id
            message["is_topic_message"] = True
        if chat_type == "channel":  # a channel post is signed by the channel, not the bot
            message["sender_chat"] = chat
            del message["from"]
        query_id = f"q{self._next_query_id}"
        self._next_query_id += 1
        query = {
            "id": query_id,
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        await self._add_update({"callback_query": query})
        return query_id

    async def wait_for_answer(self, query_id: str, within: float = 20.0) -> dict[str, Any]:
        """Wait until the bot answered the callback query `query_id`; return the answer."""

        async def answered() -> dict[str, Any]:
            async with self._changed:
                await self._changed.wait_for(lambda: query_id in self.answers)
            return self.answers[query_id]

        try:
            return await asyncio.wait_for(answered(), within)
        except TimeoutError:
            raise AssertionError(f"the bot never answered the button press {query_id}") from None

    def message(self, message_id: int) -> SentMessage:
        """The message as the user sees it now (edits applied); `sent` keeps what was sent."""
        return self._as_shown(next(m for m in self.sent if m.message_id == message_id))

    @staticmethod
    def buttons(message: SentMessage) -> list[tuple[str, str]]:
        """(label, callback data) of each inline button under a message, row by row."""
        markup = message.params.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    @staticmethod
    def replied_to(message: SentMessage) -> int | None:
        """The id of the message `message` replies to, if any."""
        reply = message.params.get("reply_parameters")
        if isinstance(reply, str):
            reply = json.loads(reply)
        if isinstance(reply, dict):
            return int(reply["message_id"])
        legacy = message.params.get("reply_to_message_id")
        return int(legacy) if legacy is not None else None

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> web.Response:
        query_id = str(params["callback_query_id"])
        if query_id in self.answers:
            return _error(Failure(400, "Bad Request: query is too old or already answered"))
        async with self._changed:
            self.answers[query_id] = params
            self.callback_answers.append(params)
            self._changed.notify_all()
        return _ok(True)

    # -- helpers -----------------------------------------------------------------------------

    def _over_limit(self, chat_id: int) -> int:
        """Seconds to retry after, if this send breaks a limit (0: it may go)."""
        now = time.monotonic()
        window, most = (1.0, 3) if chat_id > 0 else (60.0, 20)
        for key, span, limit in (("all", 1.0, 30), (chat_id, window, most)):
            recent = self._recent[key]
            while recent and recent[0] <= now - span:
                recent.popleft()
            if len(recent) >= limit:
                return max(1, int(recent[0] + span - now + 1))
        self._recent["all"].append(now)
        self._recent[chat_id].append(now)
        return 0

    async def _add_update(self, payload: dict[str, Any]) -> None:
        async with self._changed:
            self.updates.append({"update_id": self._next_update_id, **payload})
            self._next_update_id += 1
            self._changed.notify_all()

    def _new_message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params


def _member(user_id: int, status: str, rights: dict[str, bool]) -> dict[str, Any]:
    """A ChatMember as Telegram sends it, with every field its status requires."""
    user = BOT_USER if user_id == BOT_USER["id"] else {
        "id": user_id, "is_bot": False, "first_name": f"User{user_id}",
    }  # fmt: skip
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, False))
    elif status == "restricted":
        member.update(dict.fromkeys(_RESTRICTIONS, True), is_member=True, until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    member.update(rights)
    return member


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(failure: Failure) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": failure.error_code,
        "description": failure.description,
    }
    if failure.parameters:
        body["parameters"] = failure.parameters
    return web.json_response(body, status=failure.error_code)
