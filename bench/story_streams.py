"""Stories as a reader meets them: pings per development in a stream of reports.

    python bench/story_streams.py [STREAM.jsonl ...]

bench/stories.py scores the story decision pair by pair. A reader does not see pairs: outlets
report a development one after another, and each report joins the story whose first report
it matches (or starts a story of its own, which pings). This bench replays labelled streams of
reports through the production path (bot.storage.Storage.record_poll into a scratch SQLite
file, which files each alert with bot.story_store) in order of publication, only those that
match a topic of config/ (the bot files nothing else), and counts what a reader who follows
every topic gets, for the developments the stream's writer named:

- pings per development that reaches a reader (1.0 is the goal; every filed report pinging is
  the baseline), and pings about developments no topic is meant to alert;
- developments that got no ping of their own: every report of them joined the story of
  another development, so the reader was never told ("swallowed", the failure to avoid);
- reports filed into another development's story (each of these hides its report's words
  behind an "Also reported by" line).

It also reports relevance on the same reports: how many of the developments a topic should
alert (all but those listed in bench/data/stream_scope.json) match a topic of config/.

A stream is a JSON-lines file of reports: {"id", "development", "feed", "title", "summary",
"published", "link"}; reports with the same "development" are one development. The streams in
tests/data/story_stream_*.jsonl were written by writers who never saw the method: the first
was measured once and then used to choose how reports join stories (first reports only) and
to fill the topics' gaps; the second was measured once after that, then its relevance misses
filled too (see the commit history for the figures at each step).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Collection
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalog import load_catalog  # noqa: E402
from bot.match import Matcher  # noqa: E402
from bot.models import Item  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.summarise import summarise  # noqa: E402
from bot.urls import canonical_link  # noqa: E402

STREAMS = sorted((ROOT / "tests" / "data").glob("story_stream_*.jsonl"))
# Developments of the streams no topic is meant to alert (Navalny's death, Moldova's vote).
SCOPE = ROOT / "bench" / "data" / "stream_scope.json"
READER = 1  # the chat that follows every topic


@dataclass(frozen=True)
class Report:
    id: str
    development: str
    item: Item


def load_stream(path: Path) -> list[Report]:
    reports = []
    for number, line in enumerate(path.open(encoding="utf-8"), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        published = datetime.fromisoformat(row["published"])
        item = Item(
            row["feed"],
            f"{path.stem}:{number}",
            row["title"],
            row.get("link", ""),
            row.get("summary", ""),
            published,
        )
        reports.append(Report(row["id"], row["development"], item))
    return sorted(reports, key=lambda report: (report.item.published or datetime.min, report.id))


def file_stream(reports: list[Report], matcher: Matcher, topics: list[str]) -> dict[str, str]:
    """Queue every report as the poller would, in order of publication; report id → the id of
    the report whose story it joined (itself when it started one)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "stream.sqlite3"
        storage = Storage.open(path)
        try:
            storage.remember_chat(READER, "private", "reader")
            storage.subscribe(READER, topics)
            for report in reports:
                item = report.item
                storage.record_poll(
                    item.feed,
                    f"https://{item.feed}.example.org/feed",
                    [item],
                    [summarise(item, matcher.match(item))],
                    now=item.published,
                )
        finally:
            storage.close()
        # The stories as stored (alerts.story_id is the id of the story's first alert).
        with closing(sqlite3.connect(path)) as db:
            rows = db.execute("SELECT id, item_key, story_id FROM alerts").fetchall()
    report_of = {report.item.key: report.id for report in reports}
    by_alert = {alert: report_of[key] for alert, key, _ in rows}
    return {report_of[key]: by_alert[story] for _, key, story in rows}


@dataclass(frozen=True)
class Outcome:
    developments: int  # in-scope developments with a report that matches a topic
    pings: int  # messages about them: stories a report of theirs started
    stray_pings: int  # messages about out-of-scope developments
    swallowed: int  # of `developments`, those none of whose reports started a story
    filed: int  # reports that match a topic (the only ones the bot files)
    misfiled: int  # of `filed`, those in a story another development started

    def line(self) -> str:
        return (
            f"{self.pings / self.developments:.2f} pings per development ({self.pings} for the "
            f"{self.developments} that reach a reader; {self.stray_pings} about out-of-scope "
            f"ones); {self.swallowed} never pinged; {self.misfiled} of {self.filed} filed "
            f"reports in another development's story"
        )


def outcome(
    filed: list[Report], story_of: dict[str, str], out_of_scope: Collection[str]
) -> Outcome:
    """What a reader who follows every topic gets from the `filed` reports, filed into the
    stories `story_of` (report id → the id of the report that started its story)."""
    development = {report.id: report.development for report in filed}
    reached = {report.development for report in filed} - set(out_of_scope)
    starters = [report for report in filed if story_of[report.id] == report.id]
    pinged = {report.development for report in starters}
    return Outcome(
        developments=len(reached),
        pings=sum(report.development in reached for report in starters),
        stray_pings=sum(report.development not in reached for report in starters),
        swallowed=len(reached - pinged),
        filed=len(filed),
        misfiled=sum(development[story_of[report.id]] != report.development for report in filed),
    )


def link_only(reports: list[Report]) -> dict[str, str]:
    """The baseline a plain RSS bot could do: one story per canonical link."""
    first: dict[str, str] = {}
    story_of = {}
    for report in reports:
        link = canonical_link(report.item.link) if report.item.link else report.id
        story_of[report.id] = first.setdefault(link, report.id)
    return story_of


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("streams", nargs="*", type=Path, default=STREAMS)
    args = parser.parse_args()
    if not args.streams:
        sys.exit("no streams: pass STREAM.jsonl files (tests/data/story_stream_*.jsonl)")
    catalog = load_catalog(ROOT / "config")
    matcher, topics = Matcher(catalog), list(catalog.topics)
    scope = json.loads(SCOPE.read_text(encoding="utf-8"))
    for path in args.streams:
        reports = load_stream(path)
        sizes = Counter(report.development for report in reports)
        print(
            f"{path.name}: {len(reports)} reports of {len(sizes)} developments "
            f"({min(sizes.values())}–{max(sizes.values())} reports each)"
        )
        out_of_scope = scope.get(path.name, {})
        wanted = [report for report in reports if report.development not in out_of_scope]
        found = [report for report in wanted if matcher.match(report.item)]
        stray = sum(
            bool(matcher.match(report.item))
            for report in reports
            if report.development in out_of_scope
        )
        print(
            f"  relevance: {len(found)} of {len(wanted)} reports of the developments a topic "
            f"should alert match one (recall {len(found) / len(wanted):.3f}); developments "
            f"reaching a reader: {len({r.development for r in found})} of "
            f"{len({r.development for r in wanted})}; reports of the "
            f"{len(out_of_scope)} out-of-scope developments matching: {stray}"
        )
        # The bot files only what matches a topic; the rest never reaches a reader.
        filed = [report for report in reports if matcher.match(report.item)]
        every = outcome(filed, {report.id: report.id for report in filed}, out_of_scope)
        print(f"  every report pings (no stories):  {every.line()}")
        same_link = outcome(filed, link_only(filed), out_of_scope)
        print(f"  same link only (baseline):        {same_link.line()}")
        story_of = file_stream(filed, matcher, topics)
        print(
            f"  stories (shipped):                {outcome(filed, story_of, out_of_scope).line()}"
        )
        development = {report.id: report.development for report in filed}
        wrong: dict[str, list[str]] = defaultdict(list)
        for report in filed:
            if development[story_of[report.id]] != report.development:
                wrong[report.development].append(f"{report.id}→{story_of[report.id]}")
        for name, ids in sorted(wrong.items()):
            print(f"    {name} filed in another development's story: {', '.join(ids)}")


if __name__ == "__main__":
    main()
