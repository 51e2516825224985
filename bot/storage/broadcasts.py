"""Admin operations: an admin's broadcast queued for every active chat through the outbox,
and how many chats follow each topic.
"""

from __future__ import annotations

import time
from datetime import datetime

from .base import StorageBase, _now


class BroadcastsMixin(StorageBase):
    """Storage's admin operations."""

    # -- admin operations: broadcasts and topics with subscribers (admin-ops) -----------------

    def queue_broadcast(self, text_html: str, text_plain: str, now: datetime | None = None) -> int:
        """Queue an admin's message for every active chat, through the outbox like an alert
        (same pacing, same retries); return how many chats it is queued for."""
        stamp = _now(now)
        with self._transaction():
            row = self._db.execute(
                """INSERT INTO alerts (feed, item_key, link, title, topics, text_html,
                     text_plain, created_at, kind)
                   VALUES ('', ?, '', ?, '[]', ?, ?, ?, 'broadcast') RETURNING id""",
                (f"broadcast:{time.time_ns()}", text_plain[:100], text_html, text_plain, stamp),
            ).fetchone()
            cursor = self._db.execute(
                """INSERT INTO deliveries (alert_id, chat_id)
                   SELECT ?, chat_id FROM chats WHERE active = 1 ORDER BY chat_id""",
                (row["id"],),
            )
        return cursor.rowcount

    def subscribers_by_topic(self) -> dict[str, int]:
        """How many active chats follow each topic, including topics the config dropped."""
        rows = self._db.execute(
            """SELECT s.topic, count(*) FROM subscriptions s
               JOIN chats c ON c.chat_id = s.chat_id AND c.active = 1 GROUP BY s.topic"""
        )
        return {row[0]: row[1] for row in rows}

    # -- end of admin operations ---------------------------------------------------------------
