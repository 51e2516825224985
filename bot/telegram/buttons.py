"""Button presses (callback queries): /topics toggles, and Why? / Mute / Unwatch under alerts.

Every press is answered exactly once, with a short text; data that is forged, from another
chat, or stale (a deleted topic, a forgotten alert) gets a polite answer, never an exception.
A press that changes something edits the pressed message in place so its buttons show the
new state. Each changing action is one method, so a permission check can open it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from ..catalog import Catalog
from ..storage import DeliveryReasons, Storage
from ..text import shorten
from ..watches import WATCH_LIMIT, why_delivery_text
from .keyboards import Press, delivery_keyboard, hashtag, parse, topics_keyboard
from .permissions import may_change

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
STALE = "This button no longer works. Send /topics or /help for fresh ones."
UNKNOWN_TOPIC = "That topic no longer exists. /topics shows the current ones."
ANSWER_LIMIT = 200  # Telegram's limit on a callback answer's text


class Buttons:
    """Handlers for button presses, bound to storage, the catalog and the /topics text."""

    def __init__(
        self,
        storage: Storage,
        catalog: Callable[[], Catalog],
        topics_text: Callable[[int], str],
    ) -> None:
        self._storage = storage
        self._catalog = catalog
        self._topics_text = topics_text

    def handlers(self) -> list[BaseHandler[Update, Context, object]]:
        return [CallbackQueryHandler(self.pressed)]

    async def pressed(self, update: Update, context: Context) -> None:
        """Validate the press, act on it, and answer it."""
        query = update.callback_query
        if query is None:
            return
        press = parse(query.data)
        message = query.message
        if press is None or message is None:
            log.info("stale or forged button data=%r", (query.data or "")[:64])
            await query.answer(STALE)
            return
        if press.action != "why" and not await may_change(update, context):
            return  # in a group only its admins change what it follows; the press was answered
        actions: dict[str, Callable[[Press, MaybeInaccessibleMessage], Awaitable[str]]] = {
            "follow": self.follow,
            "unfollow": self.follow,
            "why": self.why,
            "mute": self.mute,
            "undo": self.mute,
            "unwatch": self.unwatch,
            "rewatch": self.unwatch,
        }
        try:
            answer = await actions[press.action](press, message)
        except Exception:  # the press is still answered, so the user's button stops spinning
            log.exception("button press failed data=%r", query.data)
            answer = "Sorry, something went wrong on my side. Please try again in a moment."
        await query.answer(shorten(answer, ANSWER_LIMIT))

    async def follow(self, press: Press, message: MaybeInaccessibleMessage) -> str:
        """/topics: follow or stop following the pressed topic, then redraw the list."""
        chat_id = message.chat.id
        topic = self._catalog().topics.get(press.topic or "")
        if topic is None:
            return UNKNOWN_TOPIC
        self._storage.remember_chat(chat_id, message.chat.type, message.chat.effective_name or "")
        if press.action == "follow":  # in a forum: to the thread the list was shown in
            changed = bool(self._storage.subscribe(chat_id, [topic.id], _thread(message)))
            answer = f"✅ Following {topic.title}. Alerts will arrive here as news breaks."
        else:
            changed = bool(self._storage.unsubscribe(chat_id, [topic.id]))
            answer = f"🔕 Stopped following {topic.title}."
        followed = self._storage.subscriptions(chat_id)
        keyboard = topics_keyboard(self._catalog().topics, followed)
        await _edit(message, keyboard, text=self._topics_text(chat_id))
        return answer if changed else "Already so; I refreshed the list."

    async def why(self, press: Press, message: MaybeInaccessibleMessage) -> str:
        """Under an alert: reply with which rule (topic or watch) sent it."""
        reasons = self._reasons(press, message)
        if reasons is None:
            return STALE
        text = why_delivery_text(reasons, self._catalog().topics)
        if isinstance(message, Message):
            await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=True)
        else:  # too old for Telegram to show it to us: answer in the chat all the same
            await message.get_bot().send_message(message.chat.id, text, parse_mode=ParseMode.HTML)
        return "Here is why 👇"

    async def mute(self, press: Press, message: MaybeInaccessibleMessage) -> str:
        """Under an alert: stop following its topic (`mute`), or follow it again (`undo`)."""
        reasons = self._reasons(press, message)
        topic = self._catalog().topics.get(press.topic or "")
        if reasons is None or press.topic not in reasons.topics:
            return STALE
        if topic is None:
            return UNKNOWN_TOPIC
        tag = hashtag(topic.id)
        if press.action == "mute":
            removed = self._storage.unsubscribe(reasons.chat_id, [topic.id])
            answer = f"🔕 Muted {tag}: no more of its alerts here." if removed else None
            muted: list[str] = [topic.id]
        else:
            added = self._storage.subscribe(reasons.chat_id, [topic.id], _thread(message))
            answer = f"✅ Following {tag} again." if added else None
            muted = []
        keyboard = delivery_keyboard(self._storage, reasons.delivery_id, muted=muted)
        await _edit(message, keyboard)
        return answer or "Already so; nothing changed."

    async def unwatch(self, press: Press, message: MaybeInaccessibleMessage) -> str:
        """Under an alert: stop the watches that brought it (`unwatch`), or restore them."""
        reasons = self._reasons(press, message)
        if reasons is None or not reasons.watches:
            return STALE
        phrases = [phrase for phrase, _ in reasons.watches]
        if press.action == "unwatch":
            removed = self._storage.remove_watches(reasons.chat_id, phrases)
            answer = "🔕 Stopped watching that. /watchlist shows the rest." if removed else None
        else:
            results = [self._storage.add_watch(reasons.chat_id, p, WATCH_LIMIT) for p in phrases]
            if "full" in results:
                answer = f"This chat already has {WATCH_LIMIT} watches; /unwatch one first."
            else:
                answer = "👁 Watching that again." if "added" in results else None
        await _edit(message, delivery_keyboard(self._storage, reasons.delivery_id))
        return answer or "Already so; nothing changed."

    def _reasons(self, press: Press, message: MaybeInaccessibleMessage) -> DeliveryReasons | None:
        """The delivery a button names, if it is this message's alert in this chat."""
        if press.delivery is None:
            return None
        reasons = self._storage.delivery_reasons(press.delivery)
        if reasons is None or reasons.chat_id != message.chat.id:
            return None  # forged, or a button copied from another chat
        if reasons.message_id is not None and reasons.message_id != message.message_id:
            return None
        return reasons


def _thread(message: MaybeInaccessibleMessage) -> int | None:
    """The forum thread a message is in (None: not a forum, or its General topic), so a topic
    followed from a button goes where the button was pressed, as /subscribe typed there."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


async def _edit(
    message: MaybeInaccessibleMessage,
    keyboard: InlineKeyboardMarkup | None,
    *,
    text: str | None = None,
) -> None:
    """Redraw the pressed message; an unchanged or deleted message is fine to leave."""
    bot = message.get_bot()
    try:
        if text is not None:
            await bot.edit_message_text(
                text,
                chat_id=message.chat.id,
                message_id=message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
            )
        else:
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=message.message_id, reply_markup=keyboard
            )
    except BadRequest as exc:  # "message is not modified", "message to edit not found"
        log.info("could not redraw buttons chat=%d: %s", message.chat.id, exc.message)
