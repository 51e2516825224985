"""The edit outbox of stories: the messages that should name more sources ("Also reported
by: …"), and the bookkeeping of their edits, which deliver.py drains through the same rate
limiter as sends (deliver_edits.py).

A message is edited at most EDITS_PER_MESSAGE times, at least EDIT_SPACING seconds apart, so a
burst of outlets becomes one edit; sources that arrive after the last allowed edit are kept on
record, not shown. A message that lists several alerts (the budget's merged message, a digest)
is not edited: it shows headlines, and its sources were named when it was sent.

A mixin of bot.story_store.StoryStore (reached as `Storage.stories`), which files the reports
and knows each message's sources.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

EDITS_PER_MESSAGE = 3
EDIT_SPACING = 60.0  # seconds between two edits of one message


@dataclass(frozen=True)
class Edit:
    """A sent alert whose message should name more sources."""

    delivery_id: int
    chat_id: int
    message_id: int
    text_html: str  # the alert as first rendered, without the sources line
    text_plain: str
    attempts: int


class StoryEditOutbox(ABC):
    """Queued edits of sent story messages; shares StoryStore's connection."""

    _db: sqlite3.Connection

    @abstractmethod
    def sources(self, delivery_id: int) -> list[str]:
        """The other feeds that reported the story of this delivery to its chat, in order."""

    def _want_edit(self, anchor: int) -> None:
        """The chat's message of the story may need to name one more source."""
        row = self._db.execute(
            """SELECT d.status, d.message_id, e.status AS edit_status, e.shown, e.edits
               FROM deliveries d LEFT JOIN story_edits e ON e.delivery_id = d.id
               WHERE d.id = ?""",
            (anchor,),
        ).fetchone()
        if row["status"] != "sent" or row["message_id"] is None or self._in_digest(anchor):
            return  # a pending anchor is sent with every source; deliver.py checks after
        if row["edit_status"] in ("gave_up", "capped"):
            return
        shown = set(json.loads(row["shown"] or "[]"))
        if set(self.sources(anchor)) <= shown:
            return  # e.g. the same outlet again: nothing new to name
        status = "capped" if (row["edits"] or 0) >= EDITS_PER_MESSAGE else "pending"
        self._db.execute(
            """INSERT INTO story_edits (delivery_id, status) VALUES (?, ?)
               ON CONFLICT (delivery_id) DO UPDATE SET status = excluded.status""",
            (anchor, status),
        )

    def _in_digest(self, delivery_id: int) -> bool:
        """Whether the delivery went out as a line of a merged or digest message (even a
        digest of one): editing that message would turn it into a full alert."""
        row = self._db.execute(
            """SELECT d.batch, (SELECT count(*) FROM deliveries o
                 WHERE o.chat_id = d.chat_id AND o.message_id = d.message_id) AS sharing
               FROM deliveries d WHERE d.id = ?""",
            (delivery_id,),
        ).fetchone()
        return bool(row["batch"]) or row["sharing"] > 1

    def sent(self, delivery_id: int, shown: list[str]) -> None:
        """The anchor went out naming `shown`; a report merged while it was in flight still
        needs an edit."""
        current = self.sources(delivery_id)
        if not current:
            return
        status = "pending" if set(current) - set(shown) else "done"
        self._db.execute(
            """INSERT INTO story_edits (delivery_id, status, shown) VALUES (?, ?, ?)
               ON CONFLICT (delivery_id) DO UPDATE
               SET status = excluded.status, shown = excluded.shown""",
            (delivery_id, status, json.dumps(shown, ensure_ascii=False)),
        )

    # -- the edit outbox (deliver.py) ---------------------------------------------------------

    def due_edits(self, now: float, limit: int = 100) -> list[Edit]:
        rows = self._db.execute(
            """SELECT e.delivery_id, d.chat_id, d.message_id, a.text_html, a.text_plain,
                      e.attempts
               FROM story_edits e
               JOIN deliveries d ON d.id = e.delivery_id
               JOIN alerts a ON a.id = d.alert_id
               JOIN chats c ON c.chat_id = d.chat_id AND c.active = 1
               WHERE e.status = 'pending' AND e.next_attempt_at <= ?
                 AND d.status = 'sent' AND d.message_id IS NOT NULL
               ORDER BY e.next_attempt_at, e.delivery_id LIMIT ?""",
            (now, limit),
        )
        return [Edit(*row) for row in rows]

    def next_edit_at(self) -> float | None:
        """When the earliest pending edit of an active chat becomes due."""
        row = self._db.execute(
            """SELECT min(e.next_attempt_at) FROM story_edits e
               JOIN deliveries d ON d.id = e.delivery_id
               JOIN chats c ON c.chat_id = d.chat_id AND c.active = 1
               WHERE e.status = 'pending' AND d.status = 'sent'"""
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def edited(self, delivery_id: int, shown: list[str], now: float, changed: bool) -> None:
        """The message now names `shown` (`changed`: an edit was made; else Telegram said
        it was already so). Sources that arrived meanwhile keep the edit pending."""
        row = self._db.execute(
            "SELECT edits FROM story_edits WHERE delivery_id = ?", (delivery_id,)
        ).fetchone()
        edits = (row["edits"] if row else 0) + int(changed)
        wanted = set(self.sources(delivery_id)) - set(shown)
        status = "done" if not wanted else "capped" if edits >= EDITS_PER_MESSAGE else "pending"
        self._db.execute(
            """UPDATE story_edits SET status = ?, shown = ?, edits = ?, attempts = 0,
                 last_error = NULL,
                 next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END,
                 edited_at = CASE WHEN ? THEN ? ELSE edited_at END
               WHERE delivery_id = ?""",
            (
                status,
                json.dumps(shown, ensure_ascii=False),
                edits,
                changed,
                now + EDIT_SPACING,
                changed,
                now,
                delivery_id,
            ),
        )

    def postpone_edit(self, delivery_id: int, until: float, error: str) -> None:
        self._db.execute(
            """UPDATE story_edits SET next_attempt_at = ?, last_error = ?,
                 attempts = attempts + 1 WHERE delivery_id = ?""",
            (until, error, delivery_id),
        )

    def give_up_edit(self, delivery_id: int, error: str) -> None:
        """The message cannot be edited (deleted, too old): never try this one again."""
        self._db.execute(
            "UPDATE story_edits SET status = 'gave_up', last_error = ? WHERE delivery_id = ?",
            (error, delivery_id),
        )

    def prune_edits(self, older_than: datetime) -> int:
        """Forget the edit bookkeeping of alerts created before `older_than`: their stories
        closed long ago, so no report will join them."""
        cursor = self._db.execute(
            """DELETE FROM story_edits WHERE delivery_id IN (
                 SELECT d.id FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                 WHERE a.created_at < ?)""",
            (older_than.isoformat(timespec="seconds"),),
        )
        return cursor.rowcount
