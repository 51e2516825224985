"""Story clustering quality: precision and recall of bot.stories.same_story on hand-labelled
item pairs (tests/data/story_pairs.jsonl), with the threshold curve it was chosen from.

    python bench/stories.py [--show-errors]

Precision: of the pairs we merge, how many are truly one development (a wrong merge hides a
new development: target ≥ 0.95). Recall: of the true same-story pairs, how many we merge
(target ≥ 0.85). Baseline: merging only pairs with the same canonical link.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalog import load_catalog  # noqa: E402
from bot.match import Matcher  # noqa: E402
from bot.models import Item  # noqa: E402
from bot.stories import THRESHOLD, Fingerprint, fingerprint, same_story  # noqa: E402

DATA = ROOT / "tests" / "data" / "story_pairs.jsonl"


def item_of(record: dict[str, str], key: str) -> Item:
    published = datetime.fromisoformat(record["published"]) if record.get("published") else None
    return Item(
        record.get("feed", ""),
        key,
        record["title"],
        record.get("link", ""),
        record.get("summary", ""),
        published,
        record.get("language"),
    )


def score(
    pairs: list[tuple[Fingerprint, Fingerprint, bool]], **options: float
) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for a, b, truth in pairs:
        merged = same_story(a, b, **options)  # type: ignore[arg-type]
        tp += merged and truth
        fp += merged and not truth
        fn += truth and not merged
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    matcher = Matcher(load_catalog(ROOT / "config"))
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    pairs = []
    for row in rows:
        a, b = item_of(row["a"], row["id"] + "a"), item_of(row["b"], row["id"] + "b")
        pairs.append(
            (
                fingerprint(a, matcher.match(a)),
                fingerprint(b, matcher.match(b)),
                bool(row["same_story"]),
            )
        )
    same = sum(1 for *_, truth in pairs if truth)
    print(
        f"{len(pairs)} labelled pairs ({same} same story, {len(pairs) - same} different); targets P ≥ 0.95, R ≥ 0.85"
    )
    link_only = score(pairs, threshold=2.0)
    print(f"baseline, same canonical link only:  P {link_only[0]:.3f}  R {link_only[1]:.3f}")
    print("threshold curve (overlap coefficient of content words, shared actor required):")
    for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
        p, r, tp, fp, fn = score(pairs, threshold=threshold)
        mark = "  ← shipped" if abs(threshold - THRESHOLD) < 1e-9 else ""
        print(f"  {threshold:.2f}: P {p:.3f}  R {r:.3f}  (tp {tp}, fp {fp}, fn {fn}){mark}")
    if args.show_errors:
        for row, (a, b, truth) in zip(rows, pairs, strict=True):
            if same_story(a, b) != truth:
                label = "FN" if truth else "FP"
                print(
                    f"{label} {row['id']} ({row['kind']}): {row['a']['title']!r} | {row['b']['title']!r}"
                )


if __name__ == "__main__":
    main()
