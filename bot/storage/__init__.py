"""SQLite storage: chats and subscriptions, what each feed has shown, and the alert outbox.

One file, created and migrated on open. Marking items seen and queueing their deliveries happen
in one transaction, so a crash can never leave an item "seen" whose alert was not queued.
Calls are synchronous and short; the event loop runs them between awaits, which also makes each
call atomic with respect to the other coroutines.

`Storage` is one object made of one mixin per concern, all sharing the connection and the
transactions of base.py: schema.py (the migrations), chats.py (chats, subscriptions, forum
threads), feeds.py (feed state, seen items, the poll record), outbox.py (deliveries and their
marks, events, /stats), watch_store.py (personal watches, why an alert was sent),
broadcasts.py (admin operations) and chat_settings_store.py (chat settings, held alerts).
Stories are `Storage.stories` (story_store.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..story_store import StoryStore
from ..urls import canonical_link
from .broadcasts import BroadcastsMixin
from .chat_settings_store import ChatSettingsMixin, HeldAlert
from .chats import ChatsMixin
from .feeds import FeedsMixin, FeedState, title_key
from .outbox import Delivery, DeliveryStats, OutboxMixin
from .schema import _MIGRATIONS, RECANONICALISE_LINKS
from .watch_store import DeliveryReasons, WatchesMixin

__all__ = [
    "RECANONICALISE_LINKS",
    "_MIGRATIONS",
    "Delivery",
    "DeliveryReasons",
    "DeliveryStats",
    "FeedState",
    "HeldAlert",
    "Storage",
    "title_key",
]


class Storage(
    ChatsMixin, FeedsMixin, OutboxMixin, WatchesMixin, BroadcastsMixin, ChatSettingsMixin
):
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
        # For migrations that re-canonicalise stored links (schema.RECANONICALISE_LINKS).
        connection.create_function("canonical_link", 1, _canonical_link, deterministic=True)
        storage = cls(connection)
        storage._migrate()
        return storage

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            self._db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def _canonical_link(value: str | None) -> str | None:
    """canonical_link for SQL: NULL stays NULL."""
    return None if value is None else canonical_link(value)
