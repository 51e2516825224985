"""Precision and recall of the shipped topics on the hand-labelled set in tests/data.

python bench/relevance.py [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalog import load_catalog  # noqa: E402
from bot.match import Matcher  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "config")
    matcher = Matcher(catalog)
    rows = [
        json.loads(line) for line in (ROOT / "tests/data/relevance.jsonl").open(encoding="utf-8")
    ]
    counts = {
        t: [0, 0, 0] for t in catalog.topics
    }  # true positives, false positives, false negatives
    for row in rows:
        got = {
            m.topic for m in matcher.match_text(row["title"], row["summary"], row.get("language"))
        }
        want = set(row["topics"])
        for topic in counts:
            if topic in got and topic in want:
                counts[topic][0] += 1
            elif topic in got:
                counts[topic][1] += 1
                if args.show_errors:
                    print(f"FP {topic}: {row['id']}: {row['title']}")
            elif topic in want:
                counts[topic][2] += 1
                if args.show_errors:
                    print(f"FN {topic}: {row['id']}: {row['title']}")
    print(
        f"{len(rows)} labelled items (tests/data/relevance.jsonl); targets: precision ≥ 0.95, recall ≥ 0.95"
    )
    totals = [0, 0, 0]
    for topic, (tp, fp, fn) in counts.items():
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        print(
            f"  {topic:22} precision {tp / max(tp + fp, 1):.3f}  recall {tp / max(tp + fn, 1):.3f}  (tp {tp}, fp {fp}, fn {fn})"
        )
    tp, fp, fn = totals
    print(
        f"  {'all topics':22} precision {tp / max(tp + fp, 1):.3f}  recall {tp / max(tp + fn, 1):.3f}"
    )


if __name__ == "__main__":
    main()
