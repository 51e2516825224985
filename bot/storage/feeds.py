"""Feeds and their items: polling state, which items each feed has shown, and the poll
record that marks items seen and queues their alerts in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..explain import explanation
from ..models import Alert, Item, Validators
from .base import StorageBase, _now


@dataclass(frozen=True)
class FeedState:
    """What polling remembers about a feed between polls."""

    name: str
    url: str  # as configured when last polled
    validators: Validators
    moved_to: str | None  # a permanent redirect seen twice in a row: polled instead of url
    moved_candidate: str | None  # a permanent redirect seen once
    first_success_at: str | None
    last_success_at: str | None
    last_error: str | None
    failures: int  # polls failed in a row
    failing_since: str | None
    failure_reported: bool
    gone_at: str | None
    next_poll_at: str | None
    items_seen: int = 0

    @property
    def poll_url(self) -> str:
        return self.moved_to or self.url


class FeedsMixin(StorageBase):
    """Storage's feed state and seen items."""

    # -- feeds and items ---------------------------------------------------------------------

    def has_succeeded(self, feed: str) -> bool:
        """Whether this feed was ever polled successfully (its items are on record)."""
        state = self.feed_state(feed)
        return state is not None and state.first_success_at is not None

    def feed_state(self, feed: str) -> FeedState | None:
        row = self._db.execute("SELECT * FROM feeds WHERE name = ?", (feed,)).fetchone()
        return None if row is None else _feed_state(row)

    def feed_states(self) -> list[FeedState]:
        """Every feed on record, with how many item identities it has shown."""
        rows = self._db.execute(
            """SELECT f.*, (SELECT count(*) FROM seen_items s WHERE s.feed = f.name) AS items_seen
               FROM feeds f ORDER BY f.name"""
        )
        return [_feed_state(row) for row in rows]

    def restart_feed(self, feed: str, url: str) -> None:
        """The configured URL changed: forget validators and redirects, and make the next
        success a first poll (recorded, not alerted), since the new URL may be another feed."""
        self._db.execute(
            """UPDATE feeds SET url = ?, etag = NULL, last_modified = NULL, body_hash = NULL,
                 moved_to = NULL, moved_candidate = NULL, gone_at = NULL,
                 first_success_at = NULL, failures = 0, failing_since = NULL,
                 failure_reported = 0
               WHERE name = ?""",
            (url, feed),
        )

    def unseen(self, feed: str, items: Sequence[Item]) -> list[Item]:
        """The items this feed has not shown before, each once. An item is known by its
        identity, or by its canonical link together with its title: a feed that changed its
        guids repeats links and titles, while a feed that links every item to its home page
        does not repeat titles."""
        # Databases from before canonical links keyed an item without a guid by its raw link;
        # a raw link that differs from the canonical one can only be such an old key.
        old_keys = {item.link for item in items if item.link and item.link != item.link_key}
        keys = {item.key for item in items} | old_keys
        links = {item.link_key for item in items if item.link_key}
        seen_keys = {row[0] for row in self._present("key", feed, keys)}
        seen_links = set(self._present("link_key", feed, links))
        fresh: dict[str, Item] = {}
        for item in items:
            known_link = (item.link_key, title_key(item.title)) in seen_links
            old_key = item.link in old_keys and item.link in seen_keys
            if item.key in seen_keys or old_key or known_link:
                continue
            fresh.setdefault(item.key, item)
        return list(fresh.values())

    def _present(self, column: str, feed: str, values: set[str]) -> list[tuple[str, str]]:
        """(value, title_key) of the seen items of `feed` whose `column` is one of `values`."""
        found: list[tuple[str, str]] = []
        ordered = sorted(values)
        for start in range(0, len(ordered), 500):  # SQLite's limit on bound parameters
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"""SELECT {column}, title_key FROM seen_items
                    WHERE feed = ? AND {column} IN ({marks})""",
                (feed, *chunk),
            )
            found.extend((row[0], row[1]) for row in rows)
        return found

    def record_poll(
        self,
        feed: str,
        url: str,
        items: Sequence[Item],
        alerts: Sequence[Alert],
        validators: Validators | None = None,
        moved_to: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """In one transaction: mark every item of the document seen (now, again), queue each
        alert for its subscribed chats, and note the success. Returns deliveries queued."""
        stamp = _now(now)
        queued = 0
        with self._transaction():
            self._succeeded(feed, url, validators or Validators(), moved_to, stamp)
            self._db.execute(
                """UPDATE feeds SET first_success_at = coalesce(first_success_at, ?),
                     last_changed_at = ? WHERE name = ?""",
                (stamp, stamp, feed),
            )
            self._db.executemany(
                """INSERT INTO seen_items
                     (feed, key, first_seen_at, last_seen_at, link_key, title_key)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (feed, key) DO UPDATE SET last_seen_at = excluded.last_seen_at,
                     link_key = CASE WHEN link_key = '' THEN excluded.link_key ELSE link_key END,
                     title_key = CASE WHEN title_key = '' THEN excluded.title_key
                                      ELSE title_key END""",
                [
                    (feed, item.key, stamp, stamp, item.link_key, title_key(item.title))
                    for item in items
                ],
            )
            for alert in alerts:
                queued += self._queue(alert, stamp)
                self._remember_published(alert, stamp)
        return queued

    def record_not_modified(
        self,
        feed: str,
        url: str,
        validators: Validators,
        moved_to: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """A poll that found the feed unchanged: a success, with nothing to parse."""
        with self._transaction():
            self._succeeded(feed, url, validators, moved_to, _now(now))

    def _succeeded(
        self, feed: str, url: str, validators: Validators, moved_to: str | None, stamp: str
    ) -> None:
        """A success resets the failure streak; a permanent redirect seen on two polls in a
        row becomes the URL polled (one seen once is only a candidate)."""
        self._db.execute(
            """INSERT INTO feeds (name, url, failures) VALUES (?, ?, 0)
               ON CONFLICT (name) DO NOTHING""",
            (feed, url),
        )
        self._db.execute(
            """UPDATE feeds SET last_success_at = :stamp, failures = 0, failing_since = NULL,
                 failure_reported = 0, etag = :etag, last_modified = :modified, body_hash = :hash,
                 moved_to = CASE WHEN :moved IS NOT NULL AND :moved = moved_candidate
                                 THEN :moved ELSE moved_to END,
                 moved_candidate = :moved
               WHERE name = :feed""",
            {
                "stamp": stamp,
                "etag": validators.etag,
                "modified": validators.last_modified,
                "hash": validators.body_hash,
                "moved": moved_to,
                "feed": feed,
            },
        )

    def _queue(self, alert: Alert, now: str) -> int:
        item = alert.item
        row = self._db.execute(
            """INSERT INTO alerts
                 (feed, item_key, link, title, topics, text_html, text_plain, created_at,
                  explanation)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (feed, item_key) DO NOTHING RETURNING id""",
            (
                item.feed,
                item.key,
                item.link,
                item.title,
                json.dumps(alert.topics),
                alert.html,
                alert.plain,
                now,
                json.dumps([explanation(m, item) for m in alert.matches], ensure_ascii=False),
            ),
        ).fetchone()
        if row is None:
            return 0
        marks = ",".join("?" * len(alert.topics))
        # One delivery per chat, to the thread of the chat's oldest matching subscription.
        cursor = self._db.execute(
            f"""INSERT OR IGNORE INTO deliveries (alert_id, chat_id, thread_id)
                SELECT DISTINCT ?, s.chat_id,
                  (SELECT t.thread_id FROM subscriptions t
                   WHERE t.chat_id = s.chat_id AND t.topic IN ({marks})
                   ORDER BY t.created_at, t.topic LIMIT 1)
                FROM subscriptions s
                JOIN chats c ON c.chat_id = s.chat_id
                WHERE c.active = 1 AND s.topic IN ({marks})
                ORDER BY s.chat_id""",
            (row["id"], *alert.topics, *alert.topics),
        )
        queued = cursor.rowcount + self._queue_watches(row["id"], alert)
        # A report of a story a chat already has (or will get) is not a new message for it.
        return queued - self.stories.file(row["id"], alert, now)

    def record_failure(
        self, feed: str, url: str, error: str, now: datetime | None = None
    ) -> FeedState:
        """Note a failed poll; the state says how many polls in a row failed, and since when."""
        stamp = _now(now)
        self._db.execute(
            """INSERT INTO feeds (name, url, last_error, last_error_at, failures, failing_since)
               VALUES (?, ?, ?, ?, 1, ?)
               ON CONFLICT (name) DO UPDATE SET last_error = excluded.last_error,
                 last_error_at = excluded.last_error_at, failures = failures + 1,
                 failing_since = coalesce(failing_since, excluded.failing_since)""",
            (feed, url, error, stamp, stamp),
        )
        state = self.feed_state(feed)
        assert state is not None
        return state

    def mark_failure_reported(self, feed: str) -> None:
        self._db.execute("UPDATE feeds SET failure_reported = 1 WHERE name = ?", (feed,))

    def mark_gone(self, feed: str, url: str, error: str, now: datetime | None = None) -> None:
        """HTTP 410: the feed is not polled again until its URL changes in feeds.toml."""
        self.record_failure(feed, url, error, now)
        self._db.execute("UPDATE feeds SET gone_at = ? WHERE name = ?", (_now(now), feed))

    def set_next_poll(self, feed: str, at: datetime | None) -> None:
        """When the scheduler polls the feed next (None: never), for `feeds` listings."""
        value = _now(at) if at is not None else None
        self._db.execute("UPDATE feeds SET next_poll_at = ? WHERE name = ?", (value, feed))

    def prune_seen(self, older_than: datetime) -> int:
        """Forget item identities not in their feed since `older_than`. Every item of a parsed
        document is stamped with that poll's time; the items of a feed's latest parsed document
        are never pruned, however long the feed stays unchanged (304s) or down, so pruning
        never re-alerts an item still in its feed."""
        cursor = self._db.execute(
            """DELETE FROM seen_items WHERE last_seen_at < ?
                 AND last_seen_at < (SELECT f.last_changed_at FROM feeds f
                                     WHERE f.name = seen_items.feed)""",
            (_now(older_than),),
        )
        return cursor.rowcount


def title_key(title: str) -> str:
    """A short fingerprint of a title, ignoring case and spacing."""
    return hashlib.sha256(" ".join(title.casefold().split()).encode()).hexdigest()[:16]


def _feed_state(row: sqlite3.Row) -> FeedState:
    return FeedState(
        name=row["name"],
        url=row["url"],
        validators=Validators(row["etag"], row["last_modified"], row["body_hash"]),
        moved_to=row["moved_to"],
        moved_candidate=row["moved_candidate"],
        first_success_at=row["first_success_at"],
        last_success_at=row["last_success_at"],
        last_error=row["last_error"],
        failures=row["failures"],
        failing_since=row["failing_since"],
        failure_reported=bool(row["failure_reported"]),
        gone_at=row["gone_at"],
        next_poll_at=row["next_poll_at"],
        items_seen=row["items_seen"] if "items_seen" in row.keys() else 0,  # noqa: SIM118
    )
