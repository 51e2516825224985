"""Inline buttons: the callback data they carry, and the keyboards of /topics and of alerts.

Callback data is short, versioned text, `v1:<action>[:<argument>…]`, at most Telegram's 64
bytes (a button whose data would not fit is left out):
- `v1:follow:<topic>`, `v1:unfollow:<topic>`  /topics: make the button's state the opposite
  of what it showed (a stale list can never flip a topic the wrong way);
- `v1:why:<delivery>`                        under an alert: which rule sent it;
- `v1:mute:<delivery>:<topic>`, `v1:undo:<delivery>:<topic>`  stop following / follow again;
- `v1:unwatch:<delivery>`, `v1:rewatch:<delivery>`  the watches that brought the alert.
`parse` accepts exactly these shapes; anything else (forged, or from a future or past
version) is None, and the handler answers politely.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..catalog import Topic
from ..storage import DeliveryReasons, Storage
from ..text import shorten

VERSION = "v1"
MAX_DATA_BYTES = 64  # Telegram's limit on callback_data
MAX_MUTE_BUTTONS = 3
_TOPIC = r"[a-z0-9][a-z0-9_-]{0,55}"
_DELIVERY = r"[1-9][0-9]{0,17}"
_SHAPES = {
    "follow": re.compile(rf"({_TOPIC})"),
    "unfollow": re.compile(rf"({_TOPIC})"),
    "why": re.compile(rf"({_DELIVERY})"),
    "mute": re.compile(rf"({_DELIVERY}):({_TOPIC})"),
    "undo": re.compile(rf"({_DELIVERY}):({_TOPIC})"),
    "unwatch": re.compile(rf"({_DELIVERY})"),
    "rewatch": re.compile(rf"({_DELIVERY})"),
}


@dataclass(frozen=True)
class Press:
    """A button press, validated: what to do, and to which topic or delivery."""

    action: str
    topic: str | None = None
    delivery: int | None = None


def callback_data(action: str, *arguments: object) -> str | None:
    """The data for a button, or None when it would exceed Telegram's 64 bytes."""
    data = ":".join([VERSION, action, *map(str, arguments)])
    return data if len(data.encode()) <= MAX_DATA_BYTES else None


def parse(data: str | None) -> Press | None:
    """The press `data` stands for, or None when it is not data this version makes."""
    if not data or len(data) > MAX_DATA_BYTES:
        return None
    version, _, rest = data.partition(":")
    action, _, argument = rest.partition(":")
    shape = _SHAPES.get(action)
    found = shape.fullmatch(argument) if version == VERSION and shape else None
    if found is None:
        return None
    if action in ("follow", "unfollow"):
        return Press(action, topic=found.group(1))
    topic = found.group(2) if action in ("mute", "undo") else None
    return Press(action, topic=topic, delivery=int(found.group(1)))


def hashtag(topic_id: str) -> str:
    return "#" + topic_id.replace("-", "_")


def topics_keyboard(topics: Mapping[str, Topic], followed: Collection[str]) -> InlineKeyboardMarkup:
    """One button per topic, ✅ when this chat follows it; a press flips it."""
    rows = []
    for topic in topics.values():
        following = topic.id in followed
        data = callback_data("unfollow" if following else "follow", topic.id)
        if data is not None:
            label = f"{'✅' if following else '⬜'} {shorten(topic.title, 40)}"
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    return InlineKeyboardMarkup(rows)


def alert_keyboard(
    reasons: DeliveryReasons,
    followed: Collection[str],
    watched: Collection[str],
    *,
    muted: Sequence[str] = (),
) -> InlineKeyboardMarkup:
    """The buttons under one alert in one chat: Why?, Mute for each of the alert's topics the
    chat follows (Undo for those just `muted`), and Unwatch (or Watch again) for the phrases
    of this chat that brought it."""
    rows = [_buttons([("❓ Why?", callback_data("why", reasons.delivery_id))])]
    delivery = reasons.delivery_id
    shown = [t for t in reasons.topics if t in followed or t in muted][:MAX_MUTE_BUTTONS]
    for topic in shown:
        if topic in muted and topic not in followed:
            label, data = f"↩️ Undo: follow {hashtag(topic)}", callback_data("undo", delivery, topic)
        else:
            label, data = f"🔕 Mute {hashtag(topic)}", callback_data("mute", delivery, topic)
        rows.append(_buttons([(label, data)]))
    phrases = [phrase for phrase, _ in reasons.watches]
    if phrases:
        quoted = shorten(", ".join(f"“{p}”" for p in phrases), 40)
        if any(p in watched for p in phrases):
            rows.append(_buttons([(f"🔕 Unwatch {quoted}", callback_data("unwatch", delivery))]))
        else:
            rows.append(_buttons([(f"↩️ Watch {quoted} again", callback_data("rewatch", delivery))]))
    return InlineKeyboardMarkup([row for row in rows if row])


def delivery_keyboard(
    storage: Storage, delivery_id: int, *, muted: Sequence[str] = ()
) -> InlineKeyboardMarkup | None:
    """The buttons for a delivery as things stand now (deliver.py sends them; an edit of the
    message can rebuild them the same way)."""
    reasons = storage.delivery_reasons(delivery_id)
    if reasons is None or storage.chat_kind(reasons.chat_id) == "channel":
        return None  # a channel's readers cannot mute it, and a Why? would post to them all
    followed = set(storage.subscriptions(reasons.chat_id))
    watched = set(storage.watches(reasons.chat_id))
    return alert_keyboard(reasons, followed, watched, muted=muted)


def _buttons(specs: Sequence[tuple[str, str | None]]) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=data) for label, data in specs if data]
