"""Chats, their subscriptions, and the forum threads their alerts go to.

Unsubscribing cancels what is still queued for topics (and watches) the chat no longer wants,
reviving a story's later reports that had been merged into a cancelled alert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

from .base import StorageBase, _now


class ChatsMixin(StorageBase):
    """Storage's chats, subscriptions and forum threads."""

    # -- chats and subscriptions ------------------------------------------------------------

    def chat_kind(self, chat_id: int) -> str:
        """'private', 'group', 'supergroup' or 'channel' ('' for a chat never seen)."""
        row = self._db.execute("SELECT kind FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return "" if row is None else str(row["kind"])

    def remember_chat(self, chat_id: int, kind: str, title: str) -> None:
        """Record a chat that talked to the bot, and mark it active again."""
        self._db.execute(
            """INSERT INTO chats (chat_id, kind, title, active, created_at)
               VALUES (?, ?, ?, 1, ?)
               ON CONFLICT (chat_id) DO UPDATE
               SET kind = excluded.kind, title = excluded.title, active = 1""",
            (chat_id, kind, title, _now()),
        )

    def subscribe(
        self, chat_id: int, topics: Iterable[str], thread_id: int | None = None
    ) -> list[str]:
        """Subscribe the chat (its alerts for these topics go to forum thread `thread_id`, if
        given); return the topics that were not subscribed before."""
        added = []
        # To the microsecond: an alert for two topics goes to the older subscription's thread,
        # even when both were made within a second.
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")
        with self._transaction():
            for topic in topics:
                cursor = self._db.execute(
                    """INSERT OR IGNORE INTO subscriptions (chat_id, topic, created_at, thread_id)
                       VALUES (?, ?, ?, ?)""",
                    (chat_id, topic, stamp, thread_id),
                )
                if cursor.rowcount:
                    added.append(topic)
        return added

    def unsubscribe(self, chat_id: int, topics: Iterable[str] | None = None) -> list[str]:
        """Remove the given subscriptions (all when `topics` is None); return those removed."""
        with self._transaction():
            current = self.subscriptions(chat_id)
            removed = current if topics is None else [t for t in topics if t in current]
            self._db.executemany(
                "DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?",
                [(chat_id, topic) for topic in removed],
            )
            self._cancel_unwanted(chat_id)
        return removed

    def _cancel_unwanted(self, chat_id: int) -> None:
        """Alerts still queued for a chat that no longer follows any of their topics (nor
        watches a phrase that matched them) are not sent: someone who just unsubscribed must
        not get them a minute later."""
        kept = set(self.subscriptions(chat_id))
        rows = self._db.execute(
            """SELECT d.id, a.topics FROM deliveries d JOIN alerts a ON a.id = d.alert_id
               WHERE d.chat_id = ? AND d.status IN ('pending', 'held') AND a.kind = 'alert'""",
            (chat_id,),
        ).fetchall()
        watched = self._still_watched(chat_id)
        unwanted = [
            (row["id"],)
            for row in rows
            if not kept & set(json.loads(row["topics"])) and row["id"] not in watched
        ]
        self._db.executemany(
            "UPDATE deliveries SET status = 'cancelled', last_error = 'unsubscribed' WHERE id = ?",
            unwanted,
        )
        revived = [self._revive_merged(anchor) for (anchor,) in unwanted]  # each, not the first
        if any(revived):
            self._cancel_unwanted(chat_id)  # what was revived may be unwanted too

    def _revive_merged(self, anchor: int) -> bool:
        """The delivery that later reports of its story were merged into is cancelled: the
        earliest of them becomes the chat's delivery of the story (the chat may still want
        it, by a watch or another topic), and the rest merge into it."""
        children = [
            row["id"]
            for row in self._db.execute(
                "SELECT id FROM deliveries WHERE merged_into = ? AND status = 'merged' ORDER BY id",
                (anchor,),
            )
        ]
        if not children:
            return False
        self._db.execute(
            "UPDATE deliveries SET status = 'pending', merged_into = NULL WHERE id = ?",
            (children[0],),
        )
        self._db.execute(
            "UPDATE deliveries SET merged_into = ? WHERE merged_into = ? AND status = 'merged'",
            (children[0], anchor),
        )
        return True

    def subscriptions(self, chat_id: int) -> list[str]:
        rows = self._db.execute(
            "SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY topic", (chat_id,)
        )
        return [row["topic"] for row in rows]

    def set_chat_active(self, chat_id: int, active: bool) -> None:
        self._db.execute("UPDATE chats SET active = ? WHERE chat_id = ?", (int(active), chat_id))

    # -- forum threads (groups and channels track) ------------------------------------------

    def move_to_thread(
        self, chat_id: int, topics: Iterable[str], thread_id: int | None
    ) -> list[str]:
        """Route topics the chat already follows to another forum thread (None: General);
        return those that moved. Alerts already queued keep the thread they were queued for."""
        moved = []
        with self._transaction():
            for topic in topics:
                cursor = self._db.execute(
                    """UPDATE subscriptions SET thread_id = ?
                       WHERE chat_id = ? AND topic = ? AND thread_id IS NOT ?""",
                    (thread_id, chat_id, topic, thread_id),
                )
                if cursor.rowcount:
                    moved.append(topic)
        return moved

    def subscription_threads(self, chat_id: int) -> dict[str, int | None]:
        """Each topic the chat follows, with the forum thread its alerts go to."""
        rows = self._db.execute(
            "SELECT topic, thread_id FROM subscriptions WHERE chat_id = ? ORDER BY topic",
            (chat_id,),
        )
        return {row["topic"]: row["thread_id"] for row in rows}

    def forget_thread(self, chat_id: int, thread_id: int) -> None:
        """The forum thread was deleted: what was routed there goes to the General topic."""
        with self._transaction():
            self._db.execute(
                "UPDATE subscriptions SET thread_id = NULL WHERE chat_id = ? AND thread_id = ?",
                (chat_id, thread_id),
            )
            self._db.execute(
                """UPDATE deliveries SET thread_id = NULL
                   WHERE chat_id = ? AND thread_id = ? AND status IN ('pending', 'held')""",
                (chat_id, thread_id),
            )

    # -- end of forum threads ----------------------------------------------------------------
