"""Stories in SQLite: which alerts report one development, and the edits that name the later
sources in the message a chat already has.

When Storage queues an alert, `file` compares it with the first report of each story of the
last `stories.WINDOW` (the report that pinged); `bot.stories` decides, with the names that
several of those hours' stories mention counting as common ones (`stories.frequent_names`).
Only the first report: joining a story through any of its reports would let one resemblance
chain a follow-up development, and then every report of it, into the story before it
("recognises the regions" ← "recognises them and orders troops in" ← "troops ordered in"), and
its readers would never be pinged. On three labelled streams of about 250 reports of 51–55
developments each (bench/story_streams.py, the reports that match a topic filed as the bot
files them), comparing with every report swallowed 4, 3 and 0 developments and filed 22, 25
and 27 reports under another development; comparing with first reports swallows none and
files 11, 15 and 15 so, for 2.21, 2.79 and 3.10 pings per development instead of 1.92, 2.56
and 2.76.
A story lasts `stories.WINDOW` from its first report: an outlet that reports the development
later alerts again. Keeping a story open while its later reports come (its first report dated
as its latest) was tried: one ping fewer on the second stream, for 7 more reports filed under
another development of the same day.

Fingerprints are never stored: each alert keeps the inputs (its item and matches, as JSON) and
fingerprints are recomputed from them, so the decider can change freely.
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

The queued edits and their limits are story_edit_outbox.py, a mixin of StoryStore.
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
from .story_edit_outbox import StoryEditOutbox
from .urls import canonical_link

log = logging.getLogger(__name__)


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


class StoryStore(StoryEditOutbox):
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
        """The earliest recent story whose first report is of the same development, else a new
        story."""
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
        # A report joins a story when it reports the development of the story's FIRST report,
        # not merely of a later one: a later report often carries a detail that is the next
        # development's headline ("recognises the regions and orders troops in"), and a chain
        # of resemblances would file that next development, all its reports, under the first.
        for founder, report in self._reports.items():
            if (
                report.story == founder
                and founder not in updated
                and same_story(report.fingerprint, mine.fingerprint, frequent=frequent)
            ):
                return founder
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
