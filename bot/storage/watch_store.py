"""Personal watches (/watch): each chat's phrases, the alerts they brought, and why an alert
went to a chat (for the Why? button and /why). The matcher is in bot/watches.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..explain import explanation
from ..models import Alert
from .base import StorageBase, _now


@dataclass(frozen=True)
class DeliveryReasons:
    """Why one alert went to one chat: for its buttons and the Why? answer."""

    delivery_id: int
    chat_id: int
    message_id: int | None
    title: str
    topics: tuple[str, ...]  # every topic the alert matched (the chat may follow fewer)
    explanations: tuple[dict[str, Any], ...]  # per topic, see `explain.explanation`
    watches: tuple[tuple[str, dict[str, Any]], ...]  # (phrase, explanation) of this chat


class WatchesMixin(StorageBase):
    """Storage's personal watches and delivery reasons."""

    # -- personal watches (/watch) ------------------------------------------------------------
    # One block, so that merging other changes to Storage stays easy. Phrases are data: the
    # matcher compiles them with the term rules of topics (watches.py), never as a pattern.

    watch_generation = 0  # bumped on every change to any chat's watches: WatchIndex recompiles

    def watches(self, chat_id: int) -> list[str]:
        """The phrases this chat watches, oldest first."""
        rows = self._db.execute(
            "SELECT phrase FROM watches WHERE chat_id = ? ORDER BY created_at, phrase", (chat_id,)
        )
        return [row["phrase"] for row in rows]

    def watched_phrases(self) -> list[str]:
        """Every phrase some chat watches, once each: what the watch matcher compiles."""
        rows = self._db.execute("SELECT DISTINCT phrase FROM watches ORDER BY phrase")
        return [row["phrase"] for row in rows]

    def add_watch(self, chat_id: int, phrase: str, limit: int) -> str:
        """Watch `phrase` in this chat: "added", "exists", or "full" (the chat has `limit`)."""
        with self._transaction():
            current = self.watches(chat_id)
            if phrase in current:
                return "exists"
            if len(current) >= limit:
                return "full"
            self._db.execute("INSERT INTO watches VALUES (?, ?, ?)", (chat_id, phrase, _now()))
        self.watch_generation += 1
        return "added"

    def remove_watches(self, chat_id: int, phrases: Iterable[str]) -> list[str]:
        """Stop watching `phrases`; return those removed. Queued alerts that only they brought
        are cancelled, as for /unsubscribe."""
        with self._transaction():
            current = self.watches(chat_id)
            removed = [p for p in dict.fromkeys(phrases) if p in current]
            self._db.executemany(
                "DELETE FROM watches WHERE chat_id = ? AND phrase = ?",
                [(chat_id, phrase) for phrase in removed],
            )
            self._cancel_unwanted(chat_id)
        self.watch_generation += 1
        return removed

    def delivery_for_message(self, chat_id: int, message_id: int) -> int | None:
        """The delivery the bot sent to `chat_id` as message `message_id`, if any."""
        row = self._db.execute(
            """SELECT min(id) AS id FROM deliveries
               WHERE chat_id = ? AND message_id = ? AND status = 'sent'""",
            (chat_id, message_id),
        ).fetchone()
        return None if row["id"] is None else int(row["id"])

    def delivery_reasons(self, delivery_id: int) -> DeliveryReasons | None:
        """Why a delivery was owed to its chat: the alert's topics and their explanations,
        and the phrases this chat watches that matched it (other chats' are not shown)."""
        row = self._db.execute(
            """SELECT d.id, d.chat_id, d.alert_id, d.message_id, d.status, a.title, a.topics,
                      a.explanation
               FROM deliveries d JOIN alerts a ON a.id = d.alert_id
               WHERE d.id = ? AND a.kind = 'alert'""",
            (delivery_id,),
        ).fetchone()
        if row is None:
            return None
        watched = self._db.execute(
            """SELECT phrase, explanation FROM watch_hits
               WHERE alert_id = ? AND chat_id = ? ORDER BY phrase""",
            (row["alert_id"], row["chat_id"]),
        )
        return DeliveryReasons(
            delivery_id=row["id"],
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            title=row["title"],
            topics=tuple(json.loads(row["topics"])),
            explanations=tuple(json.loads(row["explanation"])),
            watches=tuple((w["phrase"], json.loads(w["explanation"])) for w in watched),
        )

    def _queue_watches(self, alert_id: int, alert: Alert) -> int:
        """Queue `alert` for the active chats watching a phrase it matched; each chat once,
        even when it also follows one of the alert's topics. Returns deliveries queued."""
        queued = 0
        for watch in alert.watches:
            record = json.dumps(explanation(watch.match, alert.item), ensure_ascii=False)
            chats = """FROM watches w JOIN chats c ON c.chat_id = w.chat_id
                       WHERE c.active = 1 AND w.phrase = ?"""
            self._db.execute(
                f"INSERT OR IGNORE INTO watch_hits SELECT ?, w.chat_id, w.phrase, ? {chats}",
                (alert_id, record, watch.phrase),
            )
            cursor = self._db.execute(
                f"""INSERT OR IGNORE INTO deliveries (alert_id, chat_id)
                    SELECT ?, w.chat_id {chats} ORDER BY w.chat_id""",
                (alert_id, watch.phrase),
            )
            queued += cursor.rowcount
        return queued

    def _still_watched(self, chat_id: int) -> set[int]:
        """The chat's pending or held deliveries that a phrase it still watches brought."""
        rows = self._db.execute(
            """SELECT DISTINCT d.id FROM deliveries d
               JOIN watch_hits h ON h.alert_id = d.alert_id AND h.chat_id = d.chat_id
               JOIN watches w ON w.chat_id = h.chat_id AND w.phrase = h.phrase
               WHERE d.chat_id = ? AND d.status IN ('pending', 'held')""",
            (chat_id,),
        )
        return {row["id"] for row in rows}

    def _move_watches(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its watches move with its subscriptions."""
        self._db.execute(
            "UPDATE OR IGNORE watches SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
        )
        self._db.execute(
            "UPDATE OR IGNORE watch_hits SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
        )
        self.watch_generation += 1

    # -- end of personal watches ---------------------------------------------------------------
