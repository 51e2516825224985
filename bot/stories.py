"""Which alerts report the same development: one ping per story, not one per outlet.

Two items are the same story when they were published within `window` of each other and
either carry the same canonical link, or share at least one matched actor and say similar
enough things. "Similar enough" compares content words: title and summary, case and accents
folded, inflection removed by the Snowball stemmer of each word's script, function words and
numbers dropped, and the matched actors' canonical names added (so "Zelensky" and "Zelenskyy",
or "Путин" and "Putin", count as one word). The score is the overlap coefficient
|A ∩ B| / min(|A|, |B|): a short headline that is wholly contained in a longer report scores
high, while two developments about the same actors share only the actors and a few generic
words. The threshold is chosen on tests/data/story_pairs.jsonl (bench/stories.py), where
precision matters most: merging a genuinely new development into an old story would hide it.

Pure: items and their matches in, decisions out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import Stemmer

from .models import Item, TopicMatch
from .text import fold_word, html_to_text, tokens
from .urls import canonical_link, is_site_root

WINDOW = timedelta(hours=6)
THRESHOLD = 0.5


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _words(
    "a an the and or but of to in on at by for with from as into over after before about "
    "is are was were be been being has have had will would could should may might can says "
    "said say tells told it its this that these those he she they we you his her their our "
    "not no new more than up out also amid since during while under against between"
)
_RU_STOPWORDS = _words("и в во не на с со о об по к ко из за для от до что как а но же")


@dataclass(frozen=True)
class Fingerprint:
    """What a story comparison needs of an item."""

    words: frozenset[str]
    actors: frozenset[str]
    link: str  # canonical, "" when none or a home page
    published: datetime | None


def fingerprint(item: Item, matches: Sequence[TopicMatch] = ()) -> Fingerprint:
    actors = frozenset(actor for match in matches for actor in match.actors)
    text = f"{html_to_text(item.title)}\n{html_to_text(item.summary)}"
    words = frozenset(_content_words(text)) | {f"@{actor}" for actor in actors}
    link = canonical_link(item.link) if item.link else ""
    return Fingerprint(words, actors, "" if is_site_root(link) else link, item.published)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    if not a.words or not b.words:
        return 0.0
    return len(a.words & b.words) / min(len(a.words), len(b.words))


def same_story(
    a: Fingerprint, b: Fingerprint, *, window: timedelta = WINDOW, threshold: float = THRESHOLD
) -> bool:
    if a.published and b.published and abs(a.published - b.published) > window:
        return False
    if a.link and a.link == b.link:
        return True
    return bool(a.actors & b.actors) and similarity(a, b) >= threshold


def _content_words(text: str) -> Iterable[str]:
    for token in tokens(text):
        word = fold_word(token)
        if len(word) < 3 or word.isdigit() or word in _STOPWORDS or word in _RU_STOPWORDS:
            continue
        yield _stem(word)


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def _stem(word: str) -> str:
    language = "russian" if "\u0400" <= word[0] <= "\u04ff" else "english"
    return str(_stemmer(language).stemWord(word))
