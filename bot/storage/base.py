"""What every part of `Storage` shares: the connection, the story store, transactions, the
timestamp format, and the calls one concern makes on another.

`Storage` (storage/__init__.py) combines one mixin per concern; each mixin subclasses
`StorageBase`, so it type-checks on its own. A method one mixin calls on another is declared
here as abstract and implemented by the mixin that owns it, which comes before `StorageBase` in
`Storage`'s method order; a `Storage` missing one of them cannot be instantiated.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from datetime import UTC, datetime

from ..models import Alert
from ..story_store import StoryStore


def _now(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="seconds")


class StorageBase(ABC):
    """The connection and story store every storage mixin works on (set by `Storage`)."""

    _db: sqlite3.Connection
    stories: StoryStore

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # -- calls across concerns (implemented by the mixin named) -------------------------------

    @abstractmethod
    def set_chat_active(self, chat_id: int, active: bool) -> None:
        """chats.py"""

    @abstractmethod
    def _cancel_unwanted(self, chat_id: int) -> None:
        """chats.py"""

    @abstractmethod
    def _queue_watches(self, alert_id: int, alert: Alert) -> int:
        """watch_store.py"""

    @abstractmethod
    def _still_watched(self, chat_id: int) -> set[int]:
        """watch_store.py"""

    @abstractmethod
    def _move_watches(self, old_id: int, new_id: int) -> None:
        """watch_store.py"""

    @abstractmethod
    def _remember_published(self, alert: Alert, stamp: str) -> None:
        """chat_settings_store.py"""


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
