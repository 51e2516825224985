"""Per-chat settings (time zone, digest, quiet hours, pause) and the alerts they hold back
until their release, with each alert's publication time for rendering in the chat's zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time

from ..chat_settings import ChatSettings
from ..models import Alert
from .base import StorageBase, _now


class ChatSettingsMixin(StorageBase):
    """Storage's chat settings and held alerts."""

    # -- chat settings and held alerts (digests, quiet hours, pause) ---------------------------
    # A delivery kept back is 'held' with its release time in next_attempt_at; when that comes,
    # `release_held` makes it 'pending' again with batch = 1, and the chat's released alerts
    # go out as one message. All of it is in the outbox, so a restart loses nothing, and a
    # release time passed while the bot was down is simply due at startup.

    def chat_settings(self, chat_id: int) -> ChatSettings:
        """The chat's settings (the defaults when it never changed any)."""
        row = self._db.execute(
            "SELECT * FROM chat_settings WHERE chat_id = ?", (chat_id,)
        ).fetchone()
        if row is None:
            return ChatSettings()
        return ChatSettings(
            timezone=row["timezone"],
            digest=row["digest"],
            digest_time=_clock(row["digest_time"]),
            quiet_start=_clock(row["quiet_start"]),
            quiet_end=_clock(row["quiet_end"]),
            quiet_hold=bool(row["quiet_hold"]),
            paused=bool(row["paused"]),
            paused_until=_moment(row["paused_until"]),
        )

    def save_chat_settings(self, chat_id: int, settings: ChatSettings) -> None:
        self._db.execute(
            """INSERT OR REPLACE INTO chat_settings
                 (chat_id, timezone, digest, digest_time, quiet_start, quiet_end, quiet_hold,
                  paused, paused_until, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                chat_id,
                settings.timezone,
                settings.digest,
                _clock_text(settings.digest_time),
                _clock_text(settings.quiet_start),
                _clock_text(settings.quiet_end),
                int(settings.quiet_hold),
                int(settings.paused),
                _now(settings.paused_until) if settings.paused_until else None,
                _now(),
            ),
        )

    def hold(self, chat_id: int, until: float) -> int:
        """Keep back everything pending for the chat (not what was just released) until
        `until` (epoch seconds); returns how many deliveries were held."""
        cursor = self._db.execute(
            """UPDATE deliveries SET status = 'held', next_attempt_at = ?
               WHERE chat_id = ? AND status = 'pending' AND batch = 0
                 AND alert_id IN (SELECT id FROM alerts WHERE kind = 'alert')""",
            (until, chat_id),
        )
        return cursor.rowcount

    def replan_held(self, chat_id: int, until: float) -> int:
        """The chat's settings changed: what it has held goes out at `until` instead."""
        cursor = self._db.execute(
            "UPDATE deliveries SET next_attempt_at = ? WHERE chat_id = ? AND status = 'held'",
            (until, chat_id),
        )
        return cursor.rowcount

    def release_held(self, now: float) -> int:
        """Held deliveries whose time has come become pending, to go out as one message."""
        cursor = self._db.execute(
            """UPDATE deliveries SET status = 'pending', batch = 1, next_attempt_at = 0
               WHERE status = 'held' AND next_attempt_at <= ?""",
            (now,),
        )
        return cursor.rowcount

    def next_release_at(self) -> float | None:
        """When the earliest held delivery of an active chat is released."""
        row = self._db.execute(
            """SELECT min(d.next_attempt_at) AS at FROM deliveries d
               JOIN chats c ON c.chat_id = d.chat_id AND c.active = 1
               WHERE d.status = 'held'"""
        ).fetchone()
        return None if row["at"] is None else float(row["at"])

    def is_released(self, delivery_id: int) -> bool:
        """Whether the delivery was held and released (so it is not held again)."""
        row = self._db.execute(
            "SELECT batch FROM deliveries WHERE id = ?", (delivery_id,)
        ).fetchone()
        return row is not None and bool(row["batch"])

    def released_batch(self, chat_id: int) -> list[HeldAlert]:
        """The chat's released deliveries, oldest first: one digest-style message."""
        rows = self._db.execute(
            """SELECT d.id, a.title, a.link, a.feed, a.topics, a.story_id, d.thread_id
               FROM deliveries d
               JOIN alerts a ON a.id = d.alert_id
               WHERE d.chat_id = ? AND d.status = 'pending' AND d.batch = 1 ORDER BY d.id""",
            (chat_id,),
        ).fetchall()
        return [
            HeldAlert(
                r["id"],
                r["title"],
                r["link"],
                r["feed"],
                tuple(json.loads(r["topics"])),
                story=r["story_id"],
                others=tuple(self.stories.sources(r["id"])),  # reports merged into it
                thread_id=r["thread_id"],
            )
            for r in rows
        ]

    def held_summary(self, chat_id: int) -> tuple[int, float | None]:
        """How many deliveries the chat has held, and when the first is released."""
        row = self._db.execute(
            """SELECT count(*) AS held, min(next_attempt_at) AS at FROM deliveries
               WHERE chat_id = ? AND status = 'held'""",
            (chat_id,),
        ).fetchone()
        return int(row["held"]), None if row["at"] is None else float(row["at"])

    def published_at(self, delivery_id: int) -> datetime | None:
        """When the delivery's item was published, as its alert shows it (None: not known,
        or an alert stored before this was recorded)."""
        row = self._db.execute(
            """SELECT a.published_at FROM deliveries d JOIN alerts a ON a.id = d.alert_id
               WHERE d.id = ?""",
            (delivery_id,),
        ).fetchone()
        return None if row is None else _moment(row["published_at"])

    def _remember_published(self, alert: Alert, stamp: str) -> None:
        """The publication time the alert's text shows (a future one is shown as the time we
        saw it, as `summarise` does)."""
        published = alert.item.published
        if published is None:
            return
        shown = min(published, datetime.fromisoformat(stamp))
        self._db.execute(
            """UPDATE alerts SET published_at = ?
               WHERE feed = ? AND item_key = ? AND published_at IS NULL""",
            (shown.isoformat(), alert.item.feed, alert.item.key),
        )

    # -- end of chat settings -----------------------------------------------------------------


# -- chat settings helpers ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeldAlert:
    """A delivery released from hold, as a digest line needs it."""

    id: int
    title: str
    link: str
    feed: str
    topics: tuple[str, ...]
    story: int | None = None  # the story it belongs to (story_store.py), if known
    others: tuple[str, ...] = ()  # other feeds whose reports of it were merged into it
    thread_id: int | None = None  # the forum thread it goes to (a digest goes per thread)


def _clock(value: str | None) -> clock_time | None:
    return None if value is None else clock_time.fromisoformat(value)


def _clock_text(value: clock_time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
