"""SQLite storage: chats and subscriptions, what each feed has shown, and the alert outbox.

One file, created and migrated on open. Marking items seen and queueing their deliveries happen
in one transaction, so a crash can never leave an item "seen" whose alert was not queued.
Calls are synchronous and short; the event loop runs them between awaits, which also makes each
call atomic with respect to the other coroutines.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from .chat_settings import ChatSettings
from .explain import explanation
from .models import Alert, Item, Validators
from .story_store import StoryStore

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE chats (
        chat_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE subscriptions (
        chat_id INTEGER NOT NULL REFERENCES chats(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
        topic TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, topic)
    ) WITHOUT ROWID;
    CREATE INDEX subscriptions_by_topic ON subscriptions(topic);
    CREATE TABLE feeds (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        first_success_at TEXT,
        last_success_at TEXT,
        last_error TEXT,
        last_error_at TEXT,
        failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE seen_items (
        feed TEXT NOT NULL,
        key TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        PRIMARY KEY (feed, key)
    ) WITHOUT ROWID;
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        feed TEXT NOT NULL,
        item_key TEXT NOT NULL,
        link TEXT NOT NULL,
        title TEXT NOT NULL,
        topics TEXT NOT NULL,
        text_html TEXT NOT NULL,
        text_plain TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (feed, item_key)
    );
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id INTEGER NOT NULL REFERENCES alerts(id),
        chat_id INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at TEXT,
        message_id INTEGER,
        UNIQUE (alert_id, chat_id)
    );
    CREATE INDEX deliveries_pending ON deliveries(status, chat_id, id);
    """,
    # 2: why each alert was sent (for /why), found from the message a user replies to.
    """
    ALTER TABLE alerts ADD COLUMN explanation TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX deliveries_by_message ON deliveries(chat_id, message_id);
    """,
    # 3: polite polling (validators, redirects, gone, failure streaks) and identity by link;
    # seen items remember when they were last in their feed, so pruning spares live ones.
    """
    ALTER TABLE feeds ADD COLUMN etag TEXT;
    ALTER TABLE feeds ADD COLUMN last_modified TEXT;
    ALTER TABLE feeds ADD COLUMN body_hash TEXT;
    ALTER TABLE feeds ADD COLUMN moved_to TEXT;
    ALTER TABLE feeds ADD COLUMN moved_candidate TEXT;
    ALTER TABLE feeds ADD COLUMN gone_at TEXT;
    ALTER TABLE feeds ADD COLUMN failing_since TEXT;
    ALTER TABLE feeds ADD COLUMN failure_reported INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN next_poll_at TEXT;
    ALTER TABLE seen_items ADD COLUMN link_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE seen_items ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE feeds ADD COLUMN last_changed_at TEXT;
    ALTER TABLE seen_items ADD COLUMN last_seen_at TEXT;
    UPDATE seen_items SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now');
    CREATE INDEX seen_items_by_link ON seen_items(feed, link_key) WHERE link_key != '';
    CREATE INDEX seen_items_by_age ON seen_items(last_seen_at);
    """,
    # 4: what happened to deliveries (429s, retries, blocks...) for /stats.
    """
    CREATE TABLE delivery_events (
        at REAL NOT NULL,
        kind TEXT NOT NULL,
        chat_id INTEGER
    );
    CREATE INDEX delivery_events_by_time ON delivery_events(at);
    CREATE INDEX deliveries_by_sent_at ON deliveries(sent_at) WHERE status = 'sent';
    """,
    # 5: forum topic threads: a subscription remembers the thread it was made in, a queued
    # alert the thread it goes to (NULL: the chat itself, or a forum's General topic).
    """
    ALTER TABLE subscriptions ADD COLUMN thread_id INTEGER;
    ALTER TABLE deliveries ADD COLUMN thread_id INTEGER;
    """,
    # 6: stories (story_store.py): which alerts report one development (story_id = the id of its
    # first alert), what a story comparison needs of each alert (story_input: item and matches
    # as JSON, so fingerprints are recomputed), deliveries merged into the message a chat already
    # has, and the edits that add "Also reported by" to that message.
    """
    ALTER TABLE alerts ADD COLUMN story_id INTEGER;
    ALTER TABLE alerts ADD COLUMN story_input TEXT NOT NULL DEFAULT '';
    CREATE INDEX alerts_by_created_at ON alerts(created_at);
    CREATE INDEX alerts_by_story ON alerts(story_id);
    ALTER TABLE deliveries ADD COLUMN merged_into INTEGER;
    CREATE INDEX deliveries_by_merged_into ON deliveries(merged_into)
        WHERE merged_into IS NOT NULL;
    CREATE TABLE story_edits (
        delivery_id INTEGER PRIMARY KEY REFERENCES deliveries(id),
        status TEXT NOT NULL DEFAULT 'pending',
        shown TEXT NOT NULL DEFAULT '[]',
        edits INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        edited_at REAL
    );
    CREATE INDEX story_edits_due ON story_edits(status, next_attempt_at);
    """,
    # 7: personal watches (/watch): each chat's phrases, and which of them brought an alert to a
    # chat, with the explanation (for the Why? button and /why).
    """
    CREATE TABLE watches (
        chat_id INTEGER NOT NULL REFERENCES chats(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
        phrase TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, phrase)
    ) WITHOUT ROWID;
    CREATE INDEX watches_by_phrase ON watches(phrase);
    CREATE TABLE watch_hits (
        alert_id INTEGER NOT NULL REFERENCES alerts(id),
        chat_id INTEGER NOT NULL,
        phrase TEXT NOT NULL,
        explanation TEXT NOT NULL,
        PRIMARY KEY (alert_id, chat_id, phrase)
    ) WITHOUT ROWID;
    """,
    # 8: an outbox row is an 'alert' or an admin's 'broadcast' (never merged, no /why).
    """
    ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'alert';
    """,
    # 9: per-chat settings (time zone, digest, quiet hours, pause); when each alert was
    # published, so its time line is rendered in each chat's zone; deliveries kept back are
    # 'held' until next_attempt_at, then go out together as one message ('batch').
    """
    CREATE TABLE chat_settings (
        chat_id INTEGER PRIMARY KEY,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        digest TEXT NOT NULL DEFAULT 'off',
        digest_time TEXT,
        quiet_start TEXT,
        quiet_end TEXT,
        quiet_hold INTEGER NOT NULL DEFAULT 0,
        paused INTEGER NOT NULL DEFAULT 0,
        paused_until TEXT,
        updated_at TEXT NOT NULL
    );
    ALTER TABLE alerts ADD COLUMN published_at TEXT;
    ALTER TABLE deliveries ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX deliveries_held ON deliveries(next_attempt_at) WHERE status = 'held';
    """,
)


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
class DeliveryReasons:
    """Why one alert went to one chat: for its buttons and the Why? answer."""

    delivery_id: int
    chat_id: int
    message_id: int | None
    title: str
    topics: tuple[str, ...]  # every topic the alert matched (the chat may follow fewer)
    explanations: tuple[dict[str, Any], ...]  # per topic, see `explain.explanation`
    watches: tuple[tuple[str, dict[str, Any]], ...]  # (phrase, explanation) of this chat


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


def _now(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="seconds")


class Storage:
    """The bot's database; open with `Storage.open(path)`, close with `close()`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self.stories = StoryStore(connection)

    @classmethod
    def open(cls, path: Path | str) -> Storage:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        storage = cls(connection)
        storage._migrate()
        return storage

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            self._db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

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
        chat_not_found, migrated, plain_text, undeliverable."""
        self._db.execute(
            "INSERT INTO delivery_events VALUES (?, ?, ?)",
            (at if at is not None else time.time(), kind, chat_id),
        )

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

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error; nests by joining the outer one."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._owner = False

    def __enter__(self) -> None:
        self._owner = not self._db.in_transaction
        if self._owner:
            self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if self._owner:
            self._db.execute("COMMIT" if kind is None else "ROLLBACK")


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
