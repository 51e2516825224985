"""The alert outbox: deliveries due, their marks (sent, postponed, failed), what happened to
them (events, for /stats), chats given up or moved to a supergroup.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .base import StorageBase, _now


@dataclass(frozen=True)
class Delivery:
    """One alert owed to one chat."""

    id: int
    chat_id: int
    text_html: str
    text_plain: str
    attempts: int
    title: str = ""
    link: str = ""
    feed: str = ""
    thread_id: int | None = None  # the forum topic thread it goes to; None: the chat itself
    kind: str = "alert"  # or "broadcast" (an admin's message: never held, merged or explained)


@dataclass(frozen=True)
class DeliveryStats:
    queue_depth: int
    sent_last_hour: int
    failures_last_day: dict[str, int]
    inactive_chats: int
    latency_p50: float | None  # seconds from the item being seen to its delivery, last day
    latency_p95: float | None
    delivered_last_day: int
    stories_merged_last_day: int = 0  # stories reported by more than one item
    messages_edited_last_day: int = 0  # alerts edited to name the story's other sources
    held: int = 0  # kept back by chats' settings (digest, quiet hours with hold, pause)


def _quantile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, int(share * len(values)))]


class OutboxMixin(StorageBase):
    """Storage's outbox: what is owed to chats and what became of it."""

    # -- outbox ------------------------------------------------------------------------------

    def due_deliveries(self, now: float, limit: int = 100, after_id: int = 0) -> list[Delivery]:
        """Pending deliveries ready to send: per chat only its oldest, so order is kept;
        `after_id` pages through them."""
        rows = self._db.execute(
            """SELECT d.id, d.chat_id, d.attempts, a.text_html, a.text_plain, a.title, a.link,
                      a.feed, d.thread_id, a.kind
               FROM deliveries d
               JOIN alerts a ON a.id = d.alert_id
               JOIN chats c ON c.chat_id = d.chat_id AND c.active = 1
               WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND d.id > ?
                 AND d.id = (SELECT min(id) FROM deliveries
                             WHERE chat_id = d.chat_id AND status = 'pending')
               ORDER BY d.id LIMIT ?""",
            (now, after_id, limit),
        )
        return [_delivery(r) for r in rows]

    def pending_for_chat(self, chat_id: int) -> list[Delivery]:
        """What is owed to one chat and may go out merged, oldest first: the alerts up to the
        next broadcast, or that broadcast alone when it is next (a broadcast is never merged
        into a digest of alerts)."""
        rows = self._db.execute(
            """SELECT d.id, d.chat_id, d.attempts, a.text_html, a.text_plain, a.title, a.link,
                      a.feed, d.thread_id, a.kind
               FROM deliveries d JOIN alerts a ON a.id = d.alert_id
               WHERE d.chat_id = ? AND d.status = 'pending' ORDER BY d.id""",
            (chat_id,),
        )
        group: list[Delivery] = []
        for row in rows:
            if row["kind"] != "alert":
                return group or [_delivery(row)]
            group.append(_delivery(row))
        return group

    def recent_sends(self, since: float) -> list[tuple[int, float]]:
        """(chat, time) of each message sent since `since` (epoch seconds); a merged message
        of several alerts counts once."""
        rows = self._db.execute(
            """SELECT chat_id, min(sent_at) AS at FROM deliveries
               WHERE status = 'sent' AND sent_at >= ?
               GROUP BY chat_id, coalesce(message_id, id)""",
            (_now(datetime.fromtimestamp(since, UTC)),),
        )
        return [(row["chat_id"], datetime.fromisoformat(row["at"]).timestamp()) for row in rows]

    def mark_sent_many(self, delivery_ids: Sequence[int], message_id: int | None) -> None:
        """Several alerts went out as one (merged) message."""
        with self._transaction():
            for delivery_id in delivery_ids:
                self.mark_sent(delivery_id, message_id)

    def record_event(self, kind: str, chat_id: int | None = None, at: float | None = None) -> None:
        """Something /stats counts: rate_limited, network, server_error, timeout, blocked,
        chat_not_found, migrated, plain_text, undeliverable, thread_not_found, topic_closed,
        general_closed."""
        self._db.execute(
            "INSERT INTO delivery_events VALUES (?, ?, ?)",
            (at if at is not None else time.time(), kind, chat_id),
        )

    # -- closed forum threads: when General was last told (deliver_threads.py) ---------------

    def closed_thread_noticed_at(self, chat_id: int, thread_id: int) -> float | None:
        """When the chat was last told that this closed thread's alerts come to General."""
        row = self._db.execute(
            "SELECT noticed_at FROM closed_threads WHERE chat_id = ? AND thread_id = ?",
            (chat_id, thread_id),
        ).fetchone()
        return None if row is None else float(row["noticed_at"])

    def note_closed_thread(self, chat_id: int, thread_id: int, at: float) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO closed_threads VALUES (?, ?, ?)", (chat_id, thread_id, at)
        )

    # -- /stats --------------------------------------------------------------------------------

    def delivery_stats(self, now: datetime | None = None) -> DeliveryStats:
        """Queue depth, sends in the last hour, failures by kind and end-to-end latency (item
        seen → delivered) over the last day, and chats that cannot be reached."""
        now = now or datetime.now(UTC)
        hour_ago, day_ago = _now(now - timedelta(hours=1)), _now(now - timedelta(days=1))
        depth, held = self._db.execute(
            """SELECT count(*) FILTER (WHERE status = 'pending'),
                      count(*) FILTER (WHERE status = 'held')
               FROM deliveries WHERE status IN ('pending', 'held')"""
        ).fetchone()
        depth = depth or 0
        sent_hour = self._db.execute(
            "SELECT count(*) FROM deliveries WHERE status = 'sent' AND sent_at >= ?", (hour_ago,)
        ).fetchone()[0]
        failures = dict(
            self._db.execute(
                """SELECT kind, count(*) FROM delivery_events WHERE at >= ?
                   GROUP BY kind ORDER BY count(*) DESC""",
                ((now - timedelta(days=1)).timestamp(),),
            ).fetchall()
        )
        inactive = self._db.execute("SELECT count(*) FROM chats WHERE active = 0").fetchone()[0]
        delays = sorted(
            (datetime.fromisoformat(r[0]) - datetime.fromisoformat(r[1])).total_seconds()
            for r in self._db.execute(
                """SELECT d.sent_at, a.created_at FROM deliveries d
                   JOIN alerts a ON a.id = d.alert_id
                   WHERE d.status = 'sent' AND d.sent_at >= ? AND d.batch = 0""",
                (day_ago,),
            )
        )
        stories = self.stories.stats(now - timedelta(days=1))
        return DeliveryStats(
            depth,
            sent_hour,
            failures,
            inactive,
            _quantile(delays, 0.5),
            _quantile(delays, 0.95),
            len(delays),
            stories.stories_merged,
            stories.messages_edited,
            held or 0,
        )

    def prune_events(self, older_than: datetime) -> int:
        cursor = self._db.execute(
            "DELETE FROM delivery_events WHERE at < ?", (older_than.timestamp(),)
        )
        return cursor.rowcount

    def prune_alerts(self, older_than: datetime) -> int:
        """Forget alerts created before `older_than` once nothing is owed for them: their
        finished deliveries (sent, cancelled, merged, given up), the watch hits and story
        edits that explain them, then the alerts. What is still pending or held stays, however
        old. Returns how many alerts were forgotten. (/why on a message older than this says
        it no longer knows.)"""
        cutoff = _now(older_than)
        old = """SELECT id FROM alerts a WHERE created_at < :cutoff AND NOT EXISTS (
                   SELECT 1 FROM deliveries d
                   WHERE d.alert_id = a.id AND d.status IN ('pending', 'held'))"""
        with self._transaction():
            self._db.execute(
                f"""DELETE FROM story_edits WHERE delivery_id IN (
                      SELECT id FROM deliveries WHERE alert_id IN ({old}))""",
                {"cutoff": cutoff},
            )
            self._db.execute(
                f"DELETE FROM watch_hits WHERE alert_id IN ({old})", {"cutoff": cutoff}
            )
            self._db.execute(
                f"DELETE FROM deliveries WHERE alert_id IN ({old})", {"cutoff": cutoff}
            )
            cursor = self._db.execute(
                """DELETE FROM alerts WHERE created_at < :cutoff AND NOT EXISTS (
                     SELECT 1 FROM deliveries d WHERE d.alert_id = alerts.id)""",
                {"cutoff": cutoff},
            )
        return cursor.rowcount

    def next_retry_at(self) -> float | None:
        """When the earliest postponed delivery of an active chat becomes due."""
        row = self._db.execute(
            """SELECT min(d.next_attempt_at) AS at FROM deliveries d
               JOIN chats c ON c.chat_id = d.chat_id AND c.active = 1
               WHERE d.status = 'pending'
                 AND d.id = (SELECT min(id) FROM deliveries
                             WHERE chat_id = d.chat_id AND status = 'pending')"""
        ).fetchone()
        return None if row["at"] is None else float(row["at"])

    def mark_sent(self, delivery_id: int, message_id: int | None) -> None:
        self._db.execute(
            """UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?,
                 attempts = attempts + 1 WHERE id = ?""",
            (_now(), message_id, delivery_id),
        )

    def postpone(self, delivery_id: int, until: float, error: str) -> None:
        self._db.execute(
            """UPDATE deliveries SET next_attempt_at = ?, last_error = ?,
                 attempts = attempts + 1 WHERE id = ?""",
            (until, error, delivery_id),
        )

    def mark_failed(self, delivery_id: int, error: str) -> None:
        """Telegram refuses this alert in every form: keep it on record, stop retrying it."""
        self._db.execute(
            """UPDATE deliveries SET status = 'failed', last_error = ?,
                 attempts = attempts + 1 WHERE id = ?""",
            (error, delivery_id),
        )

    def give_up_chat(self, chat_id: int, error: str) -> None:
        """The chat cannot receive messages: deactivate it and park what was owed to it."""
        with self._transaction():
            self.set_chat_active(chat_id, False)
            self._db.execute(
                """UPDATE deliveries SET status = 'undeliverable', last_error = ?
                   WHERE chat_id = ? AND status IN ('pending', 'held')""",
                (error, chat_id),
            )

    def move_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its subscriptions and pending alerts follow it."""
        with self._transaction():
            self._db.execute(
                """INSERT OR IGNORE INTO chats (chat_id, kind, title, active, created_at)
                   SELECT ?, 'supergroup', title, 1, created_at FROM chats WHERE chat_id = ?""",
                (new_id, old_id),
            )
            self._db.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            self._db.execute(  # sent ones stay: their message ids belong to the old group
                """UPDATE OR IGNORE deliveries SET chat_id = ?
                   WHERE chat_id = ? AND status IN ('pending', 'held')""",
                (new_id, old_id),
            )
            self._db.execute(
                "UPDATE OR IGNORE chat_settings SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            self._move_watches(old_id, new_id)
            self._db.execute("UPDATE chats SET active = 0 WHERE chat_id = ?", (old_id,))


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        row["id"],
        row["chat_id"],
        row["text_html"],
        row["text_plain"],
        row["attempts"],
        row["title"],
        row["link"],
        row["feed"],
        row["thread_id"],
        row["kind"],
    )
