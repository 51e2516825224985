"""A local aiohttp server that speaks enough of the Telegram Bot API for end-to-end tests.

python-telegram-bot reaches it through `base_url`, exactly as it reaches api.telegram.org.
It long-polls getUpdates, validates sendMessage HTML the way Telegram does (allowed tags,
nesting, entities, 4096 UTF-16 units), records what the bot sent, lets a test inject a user's
message, and can be told to fail the next sends to a chat with a given Telegram error.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
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

    @property
    def silent(self) -> bool:
        """Sent with disable_notification: the phone showed it without a sound."""
        return str(self.params.get("disable_notification", "")).lower() in {"true", "1"}


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
        self.outage = False  # while True, every method answers 502 Bad Gateway
        # While True, sendMessage enforces Telegram's limits with 429s: 30 messages in any
        # second overall, 3 in any second to one private chat, 20 a minute to one group.
        self.enforce_limits = False
        self.too_many: list[int] = []  # chats that got a 429 from the limits
        self._recent: defaultdict[int | str, deque[float]] = defaultdict(deque)
        self._failures: dict[int, deque[Failure]] = defaultdict(deque)
        self._chat_types: dict[int, str] = {}
        self._next_update_id = 1
        self._next_message_id = 1
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

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
