"""Matcher speed: items/second with a large catalog, against a naive regex-per-term baseline.

    python bench/match.py [--items 20000] [--terms 5000] [--topics 50]

Builds a catalog of synthetic topics (actors, keywords, match_any, exclude; one- to
three-word terms), matches ~1 KB synthetic items with light HTML, and prints: items/s and
µs/item for our matcher; the same for the naive baseline (one compiled case-insensitive
regex per term, tried in turn, on a sample); the cost curve from 500 to 20,000 terms; and
the catalog build time for 20,000 terms. Single-threaded: one core.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.catalog import Catalog, load_catalog
from bot.match import Matcher

SEED = 20220224
# Ordinary text and terms are built from different syllables, so that an item matches only
# where a term was deliberately put in it (about a third of items), as in real news.
TEXT_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "za",
    "bre",
    "dan",
    "gor",
    "ist",
    "kol",
    "mar",
    "nov",
    "pet",
    "ros",
    "tor",
    "ul",
]
# 20 syllables, 2 to 4 per word: about 168,000 possible term words, so that (as with real
# names and keywords) few terms share words by accident. (With 10 syllables, 20,000 terms
# saturated the 11,100 possible words and every word started dozens of phrases.)
TERM_SYLLABLES = [
    "xa", "qe", "jy", "fu", "wi", "yx", "zq", "vh", "bj", "kx",
    "qo", "xu", "jex", "fyq", "wox", "zy", "vq", "hx", "jq", "kw",
]  # fmt: skip


def word(rng: random.Random, syllables: list[str] = TEXT_SYLLABLES) -> str:
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def term(rng: random.Random) -> str:
    return " ".join(word(rng, TERM_SYLLABLES) for _ in range(rng.choice([1, 1, 1, 2, 2, 3])))


def catalog_toml(terms: int, topics: int, rng: random.Random) -> tuple[str, list[str]]:
    per_topic = max(terms // topics, 4)
    lines: list[str] = []
    all_terms: list[str] = []
    for t in range(topics):
        actors = [f"a{t}_{i}" for i in range(per_topic // 4)]
        for actor in actors:
            aliases = [term(rng), term(rng)]
            all_terms += aliases
            lines += [f"[actors.{actor}]", f'name = "{aliases[0]}"', f'aliases = ["{aliases[1]}"]']
        keywords = [term(rng) for _ in range(per_topic // 4)]
        match_any = [term(rng) for _ in range(per_topic // 8)]
        exclude = [term(rng) for _ in range(per_topic // 8)]
        all_terms += keywords + match_any + exclude
        quoted = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"  # noqa: E731
        lines += [
            f"[topics.t{t}]",
            f'title = "Topic {t}"',
            f"actors = {quoted(actors)}",
            f"keywords = {quoted(keywords)}",
            f"match_any = {quoted(match_any)}",
            f"exclude = {quoted(exclude)}",
        ]
    return "\n".join(lines), all_terms


def build(toml: str) -> Catalog:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "topics.toml").write_text(toml, encoding="utf-8")
        (Path(folder) / "feeds.toml").write_text('[[feeds]]\nname="x"\nurl="https://x.org/f"\n')
        return load_catalog(Path(folder))


def items(
    count: int, vocabulary: list[str], terms: list[str], rng: random.Random
) -> list[tuple[str, str]]:
    made = []
    for _ in range(count):
        words = [rng.choice(vocabulary) for _ in range(150)]
        if rng.random() < 0.3:  # some items mention a term or two
            for _ in range(rng.randint(1, 3)):
                words.insert(rng.randrange(len(words)), rng.choice(terms))
        title = " ".join(words[:12]).capitalize()
        body = " ".join(words[12:])
        summary = f"<p>{body[:400]}</p><p>{body[400:]} &amp; more.</p>"
        made.append((title, summary))
    return made


def rate(matcher: Matcher, sample: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for title, summary in sample:
        matcher.match_text(title, summary)
    return len(sample) / (time.perf_counter() - start)


def naive_rate(terms: list[str], sample: list[tuple[str, str]]) -> float:
    patterns = [re.compile(r"\b" + re.escape(t) + r"\b", re.IGNORECASE) for t in terms]
    start = time.perf_counter()
    for title, summary in sample:
        text = f"{title}\n{summary}"
        for pattern in patterns:
            pattern.search(text)
    return len(sample) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--terms", type=int, default=5_000)
    parser.add_argument("--topics", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(SEED)
    vocabulary = [word(rng) for _ in range(20_000)] + [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "on",
        "said",
    ] * 200
    toml, terms = catalog_toml(args.terms, args.topics, rng)
    matcher = Matcher(build(toml))
    sample = items(args.items, vocabulary, terms, rng)
    size = sum(len(t) + len(s) for t, s in sample) / len(sample)
    matched = sum(1 for t, s in sample if matcher.match_text(t, s))

    ours = max(rate(matcher, sample) for _ in range(3))  # best of 3: least disturbed run
    naive = naive_rate(terms, sample[:200])
    print(
        f"catalog: {args.topics} topics, {len(terms)} terms; items: {args.items} of ~{size:.0f} bytes, {matched} match"
    )
    print(f"newsbot matcher: {ours:,.0f} items/s, {1e6 / ours:.1f} µs/item (goal ≥ 20,000 items/s)")
    print(f"naive baseline (regex per term): {naive:,.1f} items/s, {1e6 / naive:,.0f} µs/item")
    print(f"speed-up over baseline: {ours / naive:,.0f}× (goal ≥ 100×)")

    print("cost curve (terms → µs/item):")
    for size_terms in (500, 1_000, 2_000, 5_000, 10_000, 20_000):
        curve_rng = random.Random(SEED)
        curve_toml, curve_terms = catalog_toml(size_terms, args.topics, curve_rng)
        curve_matcher = Matcher(build(curve_toml))
        # Items that mention this catalog's terms as often as the main sample does.
        curve_sample = items(5_000, vocabulary, curve_terms, curve_rng)
        rate(curve_matcher, curve_sample)  # warm the word cache, as a running bot has it
        curve_rate = max(rate(curve_matcher, curve_sample) for _ in range(3))
        print(f"  {size_terms:>6} terms: {1e6 / curve_rate:6.1f} µs/item")

    big_toml, big_terms = catalog_toml(20_000, args.topics, random.Random(SEED))
    start = time.perf_counter()
    Matcher(build(big_toml))
    print(
        f"build time for {len(big_terms)} terms (load, validate, compile, English and Russian"
        f" stem indexes): {time.perf_counter() - start:.2f} s (goal < 2 s)"
    )


if __name__ == "__main__":
    main()
