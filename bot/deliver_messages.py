"""What the deliverer sends for a delivery: the message a reader sees, rendered at send time.

`Messages` is the part of `Deliverer` (deliver.py) that turns outbox rows into messages and
marks them sent once Telegram accepts one (the send itself is `Sending`, deliver_send.py):
- a single alert, naming the other outlets that reported its story while it waited, with its
  time line in the chat's time zone and its buttons (built by `keyboard`; failing to build
  them never holds the alert back);
- a merged message, when a chat is over its alert budget: the waiting alerts of one forum
  thread listed together; those that did not fit stay queued for the next one;
- a digest, when a chat's settings kept alerts back (digests, quiet hours with hold, a pause):
  a heading saying why, then one line per story.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

from .chat_settings import ChatSettings
from .deliver_send import Sending
from .digest import digest_message, merged_alerts, story_key
from .storage import Delivery, HeldAlert
from .summarise import in_time_zone, with_sources

# Sends log under the deliverer's name, as they did before they had a module of their own.
log = logging.getLogger("bot.deliver")

# The buttons under one alert (telegram/keyboards.py builds them; None: no buttons).
Keyboard = Callable[[Delivery], InlineKeyboardMarkup | None]


class Messages(Sending):
    """The rendering half of `Deliverer`, which sets the state below."""

    _keyboard: Keyboard | None
    sent: int

    async def _send(self, delivery: Delivery) -> bool:
        # Reports of the same story from other outlets, merged while this one waited.
        links = self._storage.stories.source_links(delivery.id)
        sources = list(links)
        html_text, plain = with_sources(delivery.text_html, delivery.text_plain, sources, links)
        delivery = replace(delivery, text_html=html_text, text_plain=plain)
        markup = self._markup(delivery)
        message = await self._attempt(delivery, delivery.text_html, ParseMode.HTML, markup)
        if message is None:
            return False
        self._storage.mark_sent(delivery.id, message.message_id)
        self._storage.stories.sent(delivery.id, sources)
        self.sent += 1
        log.info("delivered chat=%d delivery=%d", delivery.chat_id, delivery.id)
        return True

    async def _send_merged(self, group: list[Delivery]) -> bool:
        """One message listing what waits for the chat; alerts that did not fit in it stay
        queued for the next one."""
        first = group[0]
        stories = self._storage.stories
        html, plain, shown = merged_alerts(
            [replace(d, feed=", ".join([d.feed, *stories.sources(d.id)])) for d in group]
        )
        return await self._send_combined(
            first, html, plain, [d.id for d in group[:shown]], "merged"
        )

    def _markup(self, delivery: Delivery) -> InlineKeyboardMarkup | None:
        """Buttons are a convenience: failing to build them must not hold the alert back (and
        the plain-text fallback goes without them, in case they were what Telegram refused)."""
        if self._keyboard is None:
            return None
        try:
            return self._keyboard(delivery)
        except Exception:
            log.exception("alert buttons failed chat=%d delivery=%d", delivery.chat_id, delivery.id)
            return None

    async def _send_digest(self, first: Delivery, batch: list[HeldAlert]) -> bool:
        """The alerts the chat kept back, as one message; what does not fit goes next."""
        settings = self._storage.chat_settings(first.chat_id)
        stories = len({story_key(held) for held in batch})  # one line each
        html, plain, shown = digest_message(_digest_heading(settings, stories), batch)
        return await self._send_combined(first, html, plain, shown, "digest")

    async def _send_combined(
        self, first: Delivery, html: str, plain: str, shown: list[int], what: str
    ) -> bool:
        """One message standing for several deliveries (a merged or digest message), sent as
        `first` would be (its chat, thread and attempts); those it shows are marked sent."""
        message = await self._attempt(
            replace(first, text_html=html, text_plain=plain), html, ParseMode.HTML
        )
        if message is None:
            return False
        self._storage.mark_sent_many(shown, message.message_id)
        self.sent += 1
        log.info("delivered %s chat=%d alerts=%d", what, first.chat_id, len(shown))
        return True

    def _in_chat_time(self, delivery: Delivery) -> Delivery:
        """The alert with its time line in the chat's time zone (stored in UTC)."""
        html_text, plain = self._local_time(
            delivery.id, delivery.chat_id, delivery.text_html, delivery.text_plain
        )
        return replace(delivery, text_html=html_text, text_plain=plain)

    def _local_time(
        self, delivery_id: int, chat: int, html_text: str, plain: str
    ) -> tuple[str, str]:
        """An alert's two renderings with the time line in the chat's zone (sends and edits
        alike: an edit must not turn the time back to UTC)."""
        published = self._storage.published_at(delivery_id)
        settings = self._storage.chat_settings(chat)
        if published is None or settings.timezone == "UTC":
            return html_text, plain
        zone = settings.zone
        return in_time_zone(html_text, published, zone), in_time_zone(plain, published, zone)


def _digest_heading(settings: ChatSettings, count: int) -> str:
    """The first line of a message of kept-back alerts: why they were kept, and how many
    stories (lines) it lists."""
    stories = f"{count} {'story' if count == 1 else 'stories'}"
    if settings.digest != "off":
        return f"🗞 Your {settings.digest} digest: {stories}"
    if settings.quiet_hold and settings.has_quiet_hours and not settings.paused:
        return f"🗞 Kept back during your quiet hours: {stories}"
    return f"🗞 Kept back while alerts were paused: {stories}"
