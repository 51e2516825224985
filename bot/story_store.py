"""Stories in SQLite: which alerts report one development, and the edits that name the later
sources in the message a chat already has.

When Storage queues an alert, `file` compares it with the alerts of the last `stories.WINDOW`;
`bot.stories` decides, with the names that several of those alerts' stories mention counting
as common ones (`stories.frequent_names`). Fingerprints are never stored: each alert keeps
the inputs (its item and matches, as JSON) and fingerprints are recomputed from them, so the
decider can change freely.
An alert that joins a story takes the story's id (the id of the story's first alert).

Reports of one outlet are its own business: an item of the same feed with the same link is the
outlet's update of its article (the dedupe lets a changed headline through on purpose), so it
alerts again; the same feed re-publishing the development under another link joins the story.

Per chat, the earliest pending or sent delivery of the story is its anchor. A later report's
delivery to that chat becomes 'merged' into the anchor: no new message. The other sources of an
anchor are the feeds of the reports merged into it. A pending anchor is sent naming them all
(deliver.py builds the text at send time); a sent one gets an edit queued in `story_edits`,
which deliver.py drains through the same rate limiter as sends. A chat without an anchor (it
follows a topic only the later report matched) gets a normal alert, its anchor from then on.

A message is edited at most EDITS_PER_MESSAGE times, at least EDIT_SPACING seconds apart, so a
burst of outlets becomes one edit; sources that arrive after the last allowed edit are kept on
record, not shown. A message that lists several alerts (the budget's merged message) is not
edited: it shows headlines, and its sources were named when it was sent.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from .models import Alert, Hit, Item, TopicMatch
from .stories import WINDOW, fingerprint, frequent_names, same_story
from .urls import canonical_link

log = logging.getLogger(__name__)

EDITS_PER_MESSAGE = 3
EDIT_SPACING = 60.0  # seconds between two edits of one message


@dataclass(frozen=True)
class Edit:
    """A sent alert whose message should name more sources."""

    delivery_id: int
    chat_id: int
    message_id: int
    text_html: str  # the alert as first rendered, without the sources line
    text_plain: str
    attempts: int


@dataclass(frozen=True)
class StoryStats:
    stories_merged: int  # stories with more than one report, created in the period
    messages_edited: int  # messages last edited in the period to name more sources


@dataclass(frozen=True)
class _Report:
    """What the story decision needs of a stored alert."""

    feed: str
    link: str  # canonical
    story: int
    fingerprint: Any  # bot.stories' own type; only same_story reads it


class StoryStore:
    """Reached as `Storage.stories`; shares its connection and transactions."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        # alert id → report: a cache of the last WINDOW's fingerprints, rebuilt after a restart.
        self._reports: dict[int, _Report] = {}

    # -- filing a report (inside Storage's queueing transaction) -----------------------------

    def file(self, alert_id: int, alert: Alert, now: str) -> int:
        """Put the just-queued `alert` in its story; return how many of its deliveries were
        merged into a message their chat already has or is about to get."""
        story = alert_id
        try:
            self._db.execute(
                "UPDATE alerts SET story_input = ? WHERE id = ?", (_encode(alert), alert_id)
            )
            seen = datetime.fromisoformat(now)
            mine = _Report(
                alert.item.feed,
                _link(alert.item),
                alert_id,
                fingerprint(_dated(alert.item, seen), alert.matches),
            )
            story = self._story_of(alert_id, mine, seen)
            self._reports[alert_id] = replace(mine, story=story)
        except Exception:  # a bug in the story decision must never stop an alert: own story
            log.exception("story decision failed feed=%r item=%r", alert.item.feed, alert.item.link)
        self._db.execute("UPDATE alerts SET story_id = ? WHERE id = ?", (story, alert_id))
        if story == alert_id:
            return 0
        merged = self._merge_deliveries(alert_id, story)
        log.info(
            "story joined feed=%r item=%r story=%d merged=%d",
            alert.item.feed,
            alert.item.link,
            story,
            merged,
        )
        return merged

    def _story_of(self, alert_id: int, mine: _Report, seen: datetime) -> int:
        """The story of the earliest recent report of the same development, else a new one."""
        since = (seen - WINDOW).isoformat(timespec="seconds")
        recent = [
            row[0]
            for row in self._db.execute(
                """SELECT id FROM alerts WHERE created_at >= ? AND id != ?
                   AND story_input != '' ORDER BY id""",
                (since, alert_id),
            )
        ]
        self._reports = {
            alert: report for alert in recent if (report := self._recall(alert)) is not None
        }
        # An outlet's new headline on an article already in a story is news of its own.
        updated = {
            report.story
            for report in self._reports.values()
            if report.feed == mine.feed and report.link and report.link == mine.link
        }
        # What these hours' news keeps mentioning, in several stories, is no evidence of one.
        frequent = frequent_names(
            (report.story, report.fingerprint) for report in self._reports.values()
        )
        for report in self._reports.values():
            if report.story not in updated and same_story(
                report.fingerprint, mine.fingerprint, frequent=frequent
            ):
                return report.story
        return alert_id

    def _recall(self, alert_id: int) -> _Report | None:
        """The cached report of a stored alert, else rebuilt from its stored inputs (None if
        they cannot be read: that alert is left out of stories)."""
        if (cached := self._reports.get(alert_id)) is not None:
            return cached
        row = self._db.execute(
            "SELECT id, story_id, story_input, created_at FROM alerts WHERE id = ?", (alert_id,)
        ).fetchone()
        try:
            return _report(row)
        except (ValueError, TypeError, KeyError):
            log.warning("story input unreadable alert=%d: left out of stories", alert_id)
            return None

    def _merge_deliveries(self, alert_id: int, story: int) -> int:
        rows = self._db.execute(
            """SELECT n.id,
                 (SELECT min(o.id) FROM deliveries o JOIN alerts a ON a.id = o.alert_id
                  WHERE a.story_id = ? AND o.chat_id = n.chat_id AND o.id != n.id
                    AND o.thread_id IS n.thread_id  -- a forum thread's message, not another's
                    AND o.status IN ('pending', 'sent')) AS anchor
               FROM deliveries n WHERE n.alert_id = ? AND n.status = 'pending'""",
            (story, alert_id),
        ).fetchall()
        merged = [(row["anchor"], row["id"]) for row in rows if row["anchor"] is not None]
        self._db.executemany(
            "UPDATE deliveries SET status = 'merged', merged_into = ? WHERE id = ?", merged
        )
        for anchor, _ in merged:
            self._want_edit(anchor)
        return len(merged)

    def _want_edit(self, anchor: int) -> None:
        """The chat's message of the story may need to name one more source."""
        row = self._db.execute(
            """SELECT d.status, d.message_id, e.status AS edit_status, e.shown, e.edits
               FROM deliveries d LEFT JOIN story_edits e ON e.delivery_id = d.id
               WHERE d.id = ?""",
            (anchor,),
        ).fetchone()
        if row["status"] != "sent" or row["message_id"] is None or self._in_digest(anchor):
            return  # a pending anchor is sent with every source; deliver.py checks after
        if row["edit_status"] in ("gave_up", "capped"):
            return
        shown = set(json.loads(row["shown"] or "[]"))
        if set(self.sources(anchor)) <= shown:
            return  # e.g. the same outlet again: nothing new to name
        status = "capped" if (row["edits"] or 0) >= EDITS_PER_MESSAGE else "pending"
        self._db.execute(
            """INSERT INTO story_edits (delivery_id, status) VALUES (?, ?)
               ON CONFLICT (delivery_id) DO UPDATE SET status = excluded.status""",
            (anchor, status),
        )

    def _in_digest(self, delivery_id: int) -> bool:
        """Whether the delivery went out as a line of a merged or digest message (even a
        digest of one): editing that message would turn it into a full alert."""
        row = self._db.execute(
            """SELECT d.batch, (SELECT count(*) FROM deliveries o
                 WHERE o.chat_id = d.chat_id AND o.message_id = d.message_id) AS sharing
               FROM deliveries d WHERE d.id = ?""",
            (delivery_id,),
        ).fetchone()
        return bool(row["batch"]) or row["sharing"] > 1

    # -- what a message shows ---------------------------------------------------------------

    def sources(self, delivery_id: int) -> list[str]:
        """The other feeds that reported the story of this delivery to its chat, in order."""
        return list(self.source_links(delivery_id))

    def source_links(self, delivery_id: int) -> dict[str, str]:
        """feed → link of its first report, for the other feeds that reported the story of
        this delivery to its chat, in order."""
        rows = self._db.execute(
            """SELECT a.feed, a.link, min(m.id) FROM deliveries m
               JOIN alerts a ON a.id = m.alert_id
               WHERE m.merged_into = :id AND a.feed != (
                 SELECT own.feed FROM deliveries d JOIN alerts own ON own.id = d.alert_id
                 WHERE d.id = :id)
               GROUP BY a.feed ORDER BY min(m.id)""",
            {"id": delivery_id},
        )
        return {row["feed"]: row["link"] for row in rows}

    def sent(self, delivery_id: int, shown: list[str]) -> None:
        """The anchor went out naming `shown`; a report merged while it was in flight still
        needs an edit."""
        current = self.sources(delivery_id)
        if not current:
            return
        status = "pending" if set(current) - set(shown) else "done"
        self._db.execute(
            """INSERT INTO story_edits (delivery_id, status, shown) VALUES (?, ?, ?)
               ON CONFLICT (delivery_id) DO UPDATE
               SET status = excluded.status, shown = excluded.shown""",
            (delivery_id, status, json.dumps(shown, ensure_ascii=False)),
        )

    # -- the edit outbox (deliver.py) ---------------------------------------------------------

    def due_edits(self, now: float, limit: int = 100) -> list[Edit]:
        rows = self._db.execute(
            """SELECT e.delivery_id, d.chat_id, d.message_id, a.text_html, a.text_plain,
                      e.attempts
               FROM story_edits e
               JOIN deliveries d ON d.id = e.delivery_id
               JOIN alerts a ON a.id = d.alert_id
               JOIN chats c ON c.chat_id = d.chat_id AND c.active = 1
               WHERE e.status = 'pending' AND e.next_attempt_at <= ?
                 AND d.status = 'sent' AND d.message_id IS NOT NULL
               ORDER BY e.next_attempt_at, e.delivery_id LIMIT ?""",
            (now, limit),
        )
        return [Edit(*row) for row in rows]

    def next_edit_at(self) -> float | None:
        """When the earliest pending edit of an active chat becomes due."""
        row = self._db.execute(
            """SELECT min(e.next_attempt_at) FROM story_edits e
               JOIN deliveries d ON d.id = e.delivery_id
               JOIN chats c ON c.chat_id = d.chat_id AND c.active = 1
               WHERE e.status = 'pending' AND d.status = 'sent'"""
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def edited(self, delivery_id: int, shown: list[str], now: float, changed: bool) -> None:
        """The message now names `shown` (`changed`: an edit was made; else Telegram said
        it was already so). Sources that arrived meanwhile keep the edit pending."""
        row = self._db.execute(
            "SELECT edits FROM story_edits WHERE delivery_id = ?", (delivery_id,)
        ).fetchone()
        edits = (row["edits"] if row else 0) + int(changed)
        wanted = set(self.sources(delivery_id)) - set(shown)
        status = "done" if not wanted else "capped" if edits >= EDITS_PER_MESSAGE else "pending"
        self._db.execute(
            """UPDATE story_edits SET status = ?, shown = ?, edits = ?, attempts = 0,
                 last_error = NULL,
                 next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END,
                 edited_at = CASE WHEN ? THEN ? ELSE edited_at END
               WHERE delivery_id = ?""",
            (
                status,
                json.dumps(shown, ensure_ascii=False),
                edits,
                changed,
                now + EDIT_SPACING,
                changed,
                now,
                delivery_id,
            ),
        )

    def postpone_edit(self, delivery_id: int, until: float, error: str) -> None:
        self._db.execute(
            """UPDATE story_edits SET next_attempt_at = ?, last_error = ?,
                 attempts = attempts + 1 WHERE delivery_id = ?""",
            (until, error, delivery_id),
        )

    def give_up_edit(self, delivery_id: int, error: str) -> None:
        """The message cannot be edited (deleted, too old): never try this one again."""
        self._db.execute(
            "UPDATE story_edits SET status = 'gave_up', last_error = ? WHERE delivery_id = ?",
            (error, delivery_id),
        )

    def prune_edits(self, older_than: datetime) -> int:
        """Forget the edit bookkeeping of alerts created before `older_than`: their stories
        closed long ago, so no report will join them."""
        cursor = self._db.execute(
            """DELETE FROM story_edits WHERE delivery_id IN (
                 SELECT d.id FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                 WHERE a.created_at < ?)""",
            (older_than.isoformat(timespec="seconds"),),
        )
        return cursor.rowcount

    def stats(self, since: datetime) -> StoryStats:
        merged = self._db.execute(
            """SELECT count(*) FROM (SELECT story_id FROM alerts
               WHERE story_id IS NOT NULL AND story_id != id AND created_at >= ?
               GROUP BY story_id)""",
            (since.isoformat(timespec="seconds"),),
        ).fetchone()[0]
        edited = self._db.execute(
            "SELECT count(*) FROM story_edits WHERE edited_at >= ?", (since.timestamp(),)
        ).fetchone()[0]
        return StoryStats(merged, edited)


def _link(item: Item) -> str:
    """The item's canonical link by today's rules: a stored report's link_key was computed by
    the rules of its day (bot/urls.py drops more parameters over time)."""
    return canonical_link(item.link) if item.link else ""


def _dated(item: Item, seen: datetime) -> Item:
    """An item without a date is dated when it was seen, so the story window applies to it."""
    return item if item.published else replace(item, published=seen)


def _report(row: sqlite3.Row) -> _Report:
    item, matches = _decode(row["story_input"])
    seen = datetime.fromisoformat(row["created_at"])
    return _Report(
        item.feed,
        _link(item),
        row["story_id"] or row["id"],
        fingerprint(_dated(item, seen), matches),
    )


def _encode(alert: Alert) -> str:
    item = asdict(alert.item)
    item["published"] = alert.item.published.isoformat() if alert.item.published else None
    matches = [asdict(match) for match in alert.matches]
    return json.dumps({"item": item, "matches": matches}, ensure_ascii=False, default=str)


def _decode(text: str) -> tuple[Item, tuple[TopicMatch, ...]]:
    data = json.loads(text)
    fields = data["item"]
    published = fields["published"]
    item = Item(**{**fields, "published": datetime.fromisoformat(published) if published else None})
    matches = tuple(
        TopicMatch(
            **{
                **match,
                **{key: tuple(value) for key, value in match.items() if isinstance(value, list)},
                "hits": tuple(Hit(**hit) for hit in match.get("hits", ())),
            }
        )
        for match in data["matches"]
    )
    return item, matches
