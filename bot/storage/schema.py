"""The database schema: the migrations `Storage.open` applies, in order, to a new or older file.

To change the schema, APPEND one migration at the end of the tuple (with a comment line saying
its purpose); never edit an old one, since databases in use have already run it.

Migrations may call the SQL function `canonical_link(text)`, which `Storage.open` registers
before migrating: it is bot.urls.canonical_link as the code being run defines it.

Rewriting identities after the canonical-link rules change (`RECANONICALISE_LINKS`). Stored
keys come in three kinds: a guid (kept as the feed wrote it), a canonical link (an item whose
guid is missing or shared), and a text hash; `link_key` is always a canonical link. The rules
only ever drop more (bot/urls.py), so canonical_link(stored canonical link) is the key the new
code computes from the raw link, and no raw link is needed:

- every link_key is re-canonicalised in place: the item's link, spelled the new way;
- a key that is a link gets a copy under its new spelling, and the old row stays. A key equal
  to its link_key was a link, or a guid that happens to read as the same URL; which one cannot
  be told from the row, and the copy covers both: the item is known by the old key (the guid)
  and by the new one (the link). Rows under the spelling no longer computed are refreshed by
  no poll and pruned like any item gone from its feed.

Two old keys that are now one link (the same article with a rotating `taid`) collapse into one
copy (INSERT OR IGNORE). Alerts keep their item_key: what decides "seen" is seen_items, and
stories recompute canonical links from the raw link (story_store.py), so nothing reads an
alert's key as a link. A lookup that also tried the old spelling would have to keep every
past version of the rules alive; a one-off rewrite keeps one rule set in the code.
When what canonical_link drops changes again, append `RECANONICALISE_LINKS` again.
"""

# Re-canonicalises stored link identities with the current bot.urls rules (see above).
RECANONICALISE_LINKS = """
    INSERT OR IGNORE INTO seen_items
        (feed, key, first_seen_at, last_seen_at, link_key, title_key)
    SELECT feed, canonical_link(key), first_seen_at, last_seen_at, canonical_link(link_key),
        title_key
    FROM seen_items
    WHERE link_key != '' AND key = link_key AND canonical_link(key) != key;
    UPDATE seen_items SET link_key = canonical_link(link_key)
    WHERE link_key != '' AND canonical_link(link_key) != link_key;
    """

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
    # 10: forum topic threads found closed (TOPIC_CLOSED): when the chat's General topic was
    # last told that a thread's alerts come there instead (at most once a day per thread).
    """
    CREATE TABLE closed_threads (
        chat_id INTEGER NOT NULL,
        thread_id INTEGER NOT NULL,
        noticed_at REAL NOT NULL,
        PRIMARY KEY (chat_id, thread_id)
    ) WITHOUT ROWID;
    """,
    # 11: canonical links drop more tracking parameters (Reuters' taid, Euronews' _ope, xtor,
    # CMP, ITO, ns_*, at_*…): stored link keys, and keys that are links, are re-canonicalised,
    # so an item seen before the upgrade is not alerted again.
    RECANONICALISE_LINKS,
)
