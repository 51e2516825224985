"""Storage upgrades in place: a database from an older release opens and keeps its data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.models import Item
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
        delivery = storage.delivery_for_message(7, 42)
        assert delivery is not None
        sent = storage.delivery_reasons(delivery)
        assert sent is not None
        assert sent.title == "Old alert"
        assert sent.explanations == ()  # sent before explanations were stored
        assert storage.delivery_for_message(7, 43) is None
    finally:
        storage.close()


def test_items_seen_before_canonical_links_are_still_known_after_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.sqlite3"
    old = sqlite3.connect(path)
    for number, script in enumerate(_MIGRATIONS[:2], start=1):
        old.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    raw = "https://News.example.org/a?utm_source=rss"
    old.execute(
        "INSERT INTO feeds (name, url, first_success_at, last_success_at, failures)"
        " VALUES ('World', 'https://e.org/f', '2022-02-01T00:00:00+00:00', '2022-02-01', 0)"
    )
    old.execute("INSERT INTO seen_items VALUES ('World', ?, '2022-02-01T00:00:00+00:00')", (raw,))
    old.commit()
    old.close()

    storage = Storage.open(path)
    try:
        item = Item(
            "World",
            "https://news.example.org/a",
            "Kyiv talks",
            raw,
            link_key="https://news.example.org/a",
        )
        assert storage.unseen("World", [item]) == [], "the v2 key was the raw link"
        storage.record_poll("World", "https://e.org/f", [item], [])
        churned = Item("World", "new-guid", "Kyiv talks", raw, link_key=item.link_key)
        assert storage.unseen("World", [churned]) == [], "the upgrade filled in link and title"
        assert storage.prune_seen(datetime.now(UTC)) == 0, "still in the feed: never pruned"
    finally:
        storage.close()
