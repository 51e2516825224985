"""Story clustering on real feeds: which reports bot.stories merges in snapshots of real news
feeds, and how many of those merges a reader would call one development.

    python bench/stories_realworld.py [--corpus DIR] [--list] [--unlabelled]

The labelled pairs of bench/stories.py are written by hand, about one crisis, with clean
one-paragraph descriptions. Real feeds are not: video channels' descriptions end in "Subscribe!"
and a row of social links, some feeds put the whole article in the description, and every
period has names of its own that most of its news mentions (Covid in 2020, an MP's murder in
October 2021). This audit runs the shipped decision over the snapshots in the shared corpus
(../shared/corpus/news/feeds: one file per feed and moment, "<feed>-<moment>.xml"): the items
of each moment are filed into stories as the bot files its alerts (each compared, in order of
publication, with the first report of every story of the six hours before it, from other
feeds), with the topic matches of config/; each merge is one item joining a story.

Precision only: a reader's verdict on each merge is in bench/data/realworld_story_labels.jsonl,
one line per pair of items named by snapshot file and entry key, with no text of the items
(the news is not ours to copy). Merges nobody has judged yet are counted, and listed with
--unlabelled so they can be judged and added. Recall cannot be read off this corpus: that would
need a verdict on every pair, and bench/stories.py measures it on the labelled pairs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalog import load_catalog  # noqa: E402
from bot.fetch import FetchResult  # noqa: E402
from bot.match import Matcher  # noqa: E402
from bot.models import Item  # noqa: E402
from bot.parse import parse_feed  # noqa: E402
from bot.stories import (  # noqa: E402
    FREQUENT_STORIES,
    WINDOW,
    Fingerprint,
    fingerprint,
    frequent_names,
    same_story,
    why_same,
)

CORPUS = ROOT.parent / "shared" / "corpus" / "news" / "feeds"
LABELS = ROOT / "bench" / "data" / "realworld_story_labels.jsonl"
_SNAPSHOT = re.compile(r"(?P<feed>.+?)-(?P<moment>\d{4}-\d\d-\d\d(?:T\d{4}Z)?)$")


@dataclass(frozen=True)
class Report:
    name: str  # "<snapshot file>#<entry key>": how the labels name an item
    feed: str
    item: Item
    fingerprint: Fingerprint


def snapshots(corpus: Path, matcher: Matcher) -> dict[str, list[Report]]:
    """The reports of each moment, from every feed snapshot taken then."""
    moments: dict[str, list[Report]] = defaultdict(list)
    for path in sorted(corpus.glob("*.xml")):
        found = _SNAPSHOT.match(path.stem)
        if not found:
            continue
        items = parse_feed(found["feed"], FetchResult(path.as_uri(), path.read_bytes()))
        for item in items:
            if item.published is None:
                continue
            moments[found["moment"]].append(
                Report(
                    f"{path.name}#{item.key}",
                    found["feed"],
                    item,
                    fingerprint(item, matcher.match(item)),
                )
            )
    return moments


def merges(
    moments: dict[str, list[Report]], frequent_stories: int | None = FREQUENT_STORIES
) -> tuple[int, list[tuple[Report, Report]]]:
    """(comparisons made, pairs merged) over every moment. The reports of a moment are filed
    as the bot files alerts: in order of publication, each compared with the first reports of
    the stories of the window before it, with the names frequent in their stories (`frequent_names`) counting
    as common, and joining the story of the first whose first report (bot/story_store.py) is
    the same development."""
    compared, merged = 0, []
    for reports in moments.values():
        story_of: dict[str, int] = {}
        founder: dict[str, bool] = {}  # the report started its story (the others join one)
        filed: list[Report] = []
        for number, report in enumerate(sorted(reports, key=_published)):
            assert report.item.published
            recent = [
                earlier
                for earlier in filed
                if earlier.item.published
                and report.item.published - earlier.item.published <= WINDOW
            ]
            frequent = (
                frequent_names(
                    [(story_of[r.name], r.fingerprint) for r in recent], frequent_stories
                )
                if frequent_stories
                else frozenset()
            )
            story_of[report.name] = number
            for earlier in recent:
                if earlier.feed == report.feed or not founder[earlier.name]:
                    continue
                compared += 1
                if same_story(earlier.fingerprint, report.fingerprint, frequent=frequent):
                    merged.append((earlier, report))
                    story_of[report.name] = story_of[earlier.name]
                    break
            founder[report.name] = story_of[report.name] == number
            filed.append(report)
    return compared, merged


def _published(report: Report) -> datetime:
    assert report.item.published
    return report.item.published


def load_labels(path: Path) -> dict[frozenset[str], bool]:
    if not path.exists():
        return {}
    labels = {}
    for line in path.open(encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            labels[frozenset((row["a"], row["b"]))] = bool(row["same_story"])
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of feed snapshots")
    parser.add_argument("--list", action="store_true", help="list every merge with its verdict")
    parser.add_argument(
        "--unlabelled", action="store_true", help="list merges without a verdict, as JSON lines"
    )
    parser.add_argument(
        "--frequent-stories",
        type=int,
        default=FREQUENT_STORIES,
        help="names in this many recent stories count as common (0: none do)",
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus} (pass --corpus DIR)")
    matcher = Matcher(load_catalog(ROOT / "config"))
    moments = snapshots(args.corpus, matcher)
    compared, merged = merges(moments, args.frequent_stories)
    labels = load_labels(LABELS)
    right = sum(labels.get(frozenset((a.name, b.name))) is True for a, b in merged)
    wrong = sum(labels.get(frozenset((a.name, b.name))) is False for a, b in merged)
    unjudged = len(merged) - right - wrong
    reports = sum(len(r) for r in moments.values())
    print(
        f"{reports} reports in {len(moments)} moments; {compared} pairs of different feeds "
        f"within {WINDOW}; {len(merged)} merged"
    )
    judged = right + wrong
    precision = f"{right / judged:.3f}" if judged else "n/a"
    print(f"judged merges: {right} one development, {wrong} not: precision {precision}")
    print(f"merges not yet judged: {unjudged}")
    for a, b in merged:
        verdict = labels.get(frozenset((a.name, b.name)))
        if args.list:
            mark = {True: "same", False: "WRONG", None: "?"}[verdict]
            print(f"{mark:5} {a.item.title[:70]!r} | {b.item.title[:70]!r}")
            print(f"      {why_same(a.fingerprint, b.fingerprint)[:300]}")
        elif args.unlabelled and verdict is None:
            print(json.dumps({"a": a.name, "b": b.name, "same_story": None}))
            print(f"# {a.item.title[:90]!r} | {b.item.title[:90]!r}")


if __name__ == "__main__":
    main()
