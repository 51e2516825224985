"""Storage upgrades in place: a database from an older release opens and keeps its data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import _MIGRATIONS, Storage


def test_a_version_1_database_is_migrated_and_its_alerts_keep_working(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(f"BEGIN; {_MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    old.execute("INSERT INTO chats VALUES (7, 'private', 'A', 1, '2022-02-24')")
    old.execute(
        "INSERT INTO alerts (feed, item_key, link, title, topics, text_html, text_plain, created_at)"
        " VALUES ('F', 'k', 'https://e.org/a', 'Old alert', '[\"crisis\"]', 'h', 'p', 'now')"
    )
    old.execute(
        "INSERT INTO deliveries (alert_id, chat_id, status, message_id) VALUES (1, 7, 'sent', 42)"
    )
    old.commit()
    old.close()

    storage = Storage.open(path)
    try:
        sent = storage.sent_alert(7, 42)
        assert sent is not None
        assert sent.title == "Old alert"
        assert sent.explanations == ()  # sent before explanations were stored
        assert storage.sent_alert(7, 43) is None
    finally:
        storage.close()
