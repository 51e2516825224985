"""What one item says happened, as story clustering compares it (bot/stories.py): its "event
signature", computed from the title, the lead of the description
(`feed_boilerplate.lead_text`: a long description's tail, a video channel's footer of links or
a whole article, would only add words that any two reports share) and the item's topic matches
alone:

- names: the matched actors and match_any terms, and the capitalised words of the text:
  places, people and bodies that bot/story_concepts.py NAMES knows by their canonical key
  (Kyiv/Kiev/Київ/Киев, Bakhmut/Артемовск, DPR/ДНР), others transliterated to Latin with the
  first five letters kept ("Пригожина", "Prigozhin's" → "prigo"). How much a shared name
  counts is the comparison's business (bot/stories.py);
- numbers, one key however written (92,000 / 92 000 / 92 тыс.; $1.85bn / 1,85 млрд), which
  two reports of one development tend to repeat;
- kinds of development (phone call, talks, visit, strike, sanctions …: a hand-written lexicon
  in bot/story_lexicon.py, English and Russian, inflection folded by prefixes);
- concepts: words of the domain, English, Russian and Ukrainian, folded into language-neutral
  ids by bot/story_concepts.py (troops/soldiers/войска/військ → troops; withdraw/pull back/
  отвод → withdraw), so that paraphrases and translations share evidence;
- content words: concept ids and name keys where the lexicons know a word, else Snowball
  stems (function words dropped).

Pure and cheap: a fingerprint is built once per alert and compared many times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

import Stemmer

from .feed_boilerplate import lead_text, unwrap_lines
from .models import Item, TopicMatch
from .story_concepts import CONCEPTS, NAMES, WEAK_CONCEPTS
from .story_lexicon import (
    COMMON_NAMES,
    DOMAIN_WORDS,
    EVENT_KINDS,
    PHASES,
    REFERENCES,
    TRANSLITERATION,
)
from .story_lexicon_match import Lexicon, compile_lexicon, phrase_at, phrase_heads
from .text import fold_word, html_to_text, sentence_spans, tokens
from .urls import canonical_link, is_site_root


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _words(
    "a an the and or but of to in on at by for with from as into over after before about "
    "is are was were be been being has have had will would could should may might can says "
    "said say tells told it its this that these those he she they we you his her their our "
    "not no new more than up out also amid since during while under against between"
)
_RU_STOPWORDS = _words("и в во не на с со о об по к ко из за для от до что как а но же")
_DOMAIN_WORDS = _words(DOMAIN_WORDS)
# A figure with its thousands separators (comma, space) or decimal point/comma, and the word
# for thousands, millions or billions that may follow it, in English, Russian or Ukrainian.
_SCALES = {
    "k": 1e3, "thousand": 1e3, "тыс": 1e3, "тысяч": 1e3, "тысячи": 1e3, "тис": 1e3,
    "тисяч": 1e3, "тисячі": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "млн": 1e6, "миллиона": 1e6, "миллионов": 1e6, "мільйона": 1e6, "мільйонів": 1e6,
    "bn": 1e9, "billion": 1e9, "billions": 1e9, "млрд": 1e9, "миллиарда": 1e9,
    "миллиардов": 1e9, "мільярда": 1e9, "мільярдів": 1e9,
}  # fmt: skip
_NUMBER = re.compile(
    # Not a figure: digits glued to letters by a hyphen name a thing (COVID-19, Su-27, S-300).
    r"(?<![\w.,])(?<![^\W\d_]-)(?P<digits>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d(?:[\d,.]*\d)?)"
    r"(?:\s?(?P<scale>" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")\.?(?!\w))?",
    re.IGNORECASE,
)


def _prefix_patterns(table: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
    return {
        kind: re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, prefixes)) + ")")
        for kind, prefixes in table.items()
    }


_EVENT_PATTERNS = _prefix_patterns(EVENT_KINDS)
_PHASE_PATTERNS = _prefix_patterns(PHASES)
_REFERENCE_PATTERN = _prefix_patterns({"reference": REFERENCES})


_CONCEPT_LEXICON = compile_lexicon(CONCEPTS)
_NAME_LEXICON = compile_lexicon(NAMES)


def _lookup(lexicon: Lexicon, words: Sequence[str]) -> list[tuple[int, int, frozenset[str]]]:
    """(start, length, ids) of each word or phrase of `words` the lexicon knows."""
    found: list[tuple[int, int, frozenset[str]]] = []
    index = 0
    while index < len(words):
        length, ids = 0, frozenset[str]()
        for head in _phrase_heads_cached(lexicon is _NAME_LEXICON, words[index]):
            length, ids = phrase_at(lexicon, head, words, index)
            if length:
                break
        if not length:
            ids = lexicon.word(words[index])
            length = 1
        if ids:
            found.append((index, length, ids))
        index += length
    return found


# Bounded: a long-running bot sees an open-ended vocabulary.
@lru_cache(maxsize=1 << 16)
def _phrase_heads_cached(names: bool, word: str) -> tuple[str, ...]:
    return phrase_heads(_NAME_LEXICON if names else _CONCEPT_LEXICON, word)


@dataclass(frozen=True)
class Fingerprint:
    """What a story comparison needs of an item: its event signature."""

    link: str  # canonical, "" when none or a home page
    published: datetime | None
    actors: frozenset[str]  # matched actors and match_any terms, as the catalog names them
    names: frozenset[str]  # name keys: catalog terms and capitalised words of the text
    maybe_names: frozenset[str]  # capitalised only because they open a sentence
    numbers: frozenset[str]
    events: frozenset[str]  # kinds of development the text reports
    title_events: frozenset[str]  # … its title reports
    words: frozenset[str]  # content words: concept ids, name keys, else stems
    title_words: frozenset[str]  # … of the title
    concepts: frozenset[
        str
    ]  # language-neutral concept and name ids of the text, weak ones left out
    title_concepts: frozenset[str]  # … of the title
    title_phases: frozenset[str]  # stages of a development the title reports (planned, ended …)
    cyrillic: bool  # the title is written in Cyrillic (Russian, Ukrainian)
    title_names: frozenset[str]  # names of the title that are not common
    title_numbers: frozenset[str]  # figures of the title
    title_refers: bool  # the title reports a reply to or consequence of another development
    quote: bool  # the title quotes someone ("Kuleba: …", "… 'not a bluff'")
    # name keys of every word of the text, capitalised or not: "Drama Theatre" is no name the
    # other item lacks when it says "the theatre"
    mentions: frozenset[str] = frozenset()
    # concepts of the headline outside quotation marks: what it reports, not what someone said
    title_claims: frozenset[str] = frozenset()


def _common_keys() -> frozenset[str]:
    keys: set[str] = set()
    for written in COMMON_NAMES:
        keys.update(name_key(token) for token in tokens(written))
    return frozenset(keys)


def fingerprint(item: Item, matches: Sequence[TopicMatch] = ()) -> Fingerprint:
    # Only the lead of the description: a long one (a full article, a video channel's
    # footer of links and "Subscribe!") adds words that any two reports share.
    title, summary = html_to_text(item.title), lead_text(html_to_text(unwrap_lines(item.summary)))
    text = f"{title}\n{summary}"
    actors = frozenset(term for m in matches for term in (*m.actors, *m.match_any))
    names, maybe_names = _names(title, summary)
    core = headline_core(title)
    in_title, _ = _names(core, "")  # a capitalised opener is too often a common noun
    names |= {key for term in actors for key in catalog_keys(term)}
    link = canonical_link(item.link) if item.link else ""
    return Fingerprint(
        link="" if is_site_root(link) else link,
        published=item.published,
        actors=actors,
        names=frozenset(names),
        maybe_names=frozenset(maybe_names - names),
        numbers=frozenset(_numbers(text)),
        events=_events(text),
        title_events=_events(title),
        words=frozenset(_content_words(text)),
        title_words=frozenset(_content_words(title)),
        concepts=_concepts(text),
        title_concepts=_concepts(core),
        title_phases=_kinds(title, _PHASE_PATTERNS),
        cyrillic=_is_cyrillic(title),
        title_names=frozenset(in_title - _COMMON),
        title_numbers=frozenset(_numbers(title)),
        title_refers=bool(_kinds(title, _REFERENCE_PATTERN)),
        quote=bool(_speaker(title) or _QUOTED.search(title)),
        mentions=frozenset(name_key(token) for token in tokens(text)),
        title_claims=_concepts(_QUOTED.sub(" ", core)),
    )


# "Kuleba: …", "Odesa governor: …" (who speaks), "… – Operational Command South" (who says so)
_SPEAKER = re.compile(r"^\W*(?:\w[\w.'’-]*\s+){0,3}\w[\w.'’-]*\s*:\s+")
# A colon-led section label is no speaker: "Ukraine war: …", "LIVE: …", "Poland blast: …".
# fmt: off
_LABEL_WORDS = frozenset((
    "war", "crisis", "conflict", "live", "analysis", "explainer", "update", "updates", "latest",
    "breaking", "exclusive", "watch", "opinion", "factbox", "timeline", "blast", "attack",
    "explosion", "invasion", "talks", "news", "война", "війна", "кризис", "криза", "онлайн",
))
# fmt: on


def _speaker(title: str) -> str:
    """Who a headline quotes ("Kuleba: …", "Odesa governor: …"), or "" when it quotes nobody
    (no colon-led prefix, or a section label such as "Ukraine war:")."""
    found = _SPEAKER.match(title)
    if not found or _LABEL_WORDS.intersection(t.casefold() for t in tokens(found.group())):
        return ""
    return found.group()


_SOURCE = re.compile(r"\s+[-–—]\s+(?:\w[\w.'’-]*\s+){0,4}\w[\w.'’-]*\W*$")


_QUOTED = re.compile(r"(?:^|\s)['‘\"“«][^'’\"”»]{3,}['’\"”»]")


def headline_core(title: str) -> str:
    """What a headline says happened, without who says it: the speaker of a quote ("Kuleba:
    …") and a trailing source ("… – Defense Ministry") are left out, and the quote starts a
    sentence. Who reports or reacts is no development of its own."""
    core = _SOURCE.sub("", _SPEAKER.sub("", title))
    return core.replace(": ", ". ")


def _is_cyrillic(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return sum("\u0400" <= char <= "\u04ff" for char in letters) > len(letters) / 2


def name_key(token: str) -> str:
    """A name as stories compare it: folded, Cyrillic transliterated, its first five letters
    (which folds inflection and possessives: "Пригожина" and "Prigozhin's" → "prigo")."""
    word = fold_word(token).replace("ё", "е")
    canonical = _NAME_LEXICON.word(word)
    if canonical:
        return min(canonical)
    if not word.isascii():
        word = "".join(TRANSLITERATION.get(char, char) for char in word)
    # Spellings differ most in i/y ("Shoigu", "Шойгу" → "shoygu"; "Zelenskyy", "Zelenskiy").
    return word.replace("y", "i")[:5]


def catalog_keys(term: str) -> set[str]:
    """A matched catalog term as a name key: the last word of an actor's name ("putin" for
    "Путин", via "Vladimir Putin") or of a match_any term. A name ending in a common noun
    ("European gas buyers") adds nothing: its aliases are in the text."""
    words = tokens(term)
    return {name_key(words[-1])} if words and words[-1][0].isupper() else set()


def _names(title: str, summary: str) -> tuple[set[str], set[str]]:
    names: set[str] = set()
    openers: set[str] = set()
    for part in (title, summary):
        title_case = part is title and _is_title_case(part)
        for start, end in sentence_spans(part):
            written = tokens(part[start:end])
            folded = [fold_word(token).replace("ё", "е") for token in written]
            index = 0
            while index < len(written):
                token, length = written[index], 1
                if token[0].isupper():
                    # A name the lexicon knows is a name wherever it stands in a sentence.
                    length, known = _phrase_name(folded, index)
                    known = known or min(_NAME_LEXICON.word(folded[index]), default="")
                    key = known or name_key(token)
                    if known:
                        names.add(known)
                    elif token.casefold() in _STOPWORDS or len(key) < 2 or key.isdigit():
                        pass
                    else:
                        (openers if index == 0 or title_case else names).add(key)
                index += length
    return names, openers


def _phrase_name(folded: Sequence[str], index: int) -> tuple[int, str]:
    """A name of several words starting at folded[index] ("Black Sea", "Северного потока"):
    (how many words, its key), or (1, "") when none."""
    for head in _phrase_heads_cached(True, folded[index]):
        length, ids = phrase_at(_NAME_LEXICON, head, folded, index)
        if length:
            return length, min(ids)
    return 1, ""


def _is_title_case(text: str) -> bool:
    """Whether a headline capitalises every word ("Russia Moves Troops To Belarus")."""
    long_words = [token for token in tokens(text) if len(token) > 3]
    return len(long_words) >= 4 and sum(t[0].isupper() for t in long_words) > 0.7 * len(long_words)


def _numbers(text: str) -> Iterable[str]:
    """Figures as one key however written: "92,000", "92 000", "92 тыс." and "92k" are
    "92000"; "$1.85bn", "1.85 billion" and "1,85 млрд" are "1850000000"."""
    for match in _NUMBER.finditer(text):
        written, scale = match.group("digits"), match.group("scale")
        digits = re.sub(r"[\s\u00a0\u202f]", "", written)
        if "," in digits and not re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
            digits = digits.replace(",", ".")  # a decimal comma: "1,85"
        digits = digits.replace(",", "")
        if digits.count(".") > 1:
            continue  # a date or a version, not a figure
        if scale is None and len(digits.replace(".", "")) < 2:
            continue  # single digits are everywhere
        if scale is None and len(digits) == 4 and digits[:2] in ("19", "20"):
            continue  # years date the story, not the event
        value = float(digits) * _SCALES[scale.casefold().rstrip(".")] if scale else float(digits)
        yield f"{value:.12g}"


def _events(text: str) -> frozenset[str]:
    return _kinds(text, _EVENT_PATTERNS)


def _kinds(text: str, patterns: dict[str, re.Pattern[str]]) -> frozenset[str]:
    folded = text.casefold() + " "
    return frozenset(kind for kind, pattern in patterns.items() if pattern.search(folded))


def _content_words(text: str) -> Iterable[str]:
    """Concept ids and place/people keys where the lexicons know a word (so that paraphrases
    and translations agree), Snowball stems of the other content words."""
    folded = [fold_word(token).replace("ё", "е") for token in tokens(text)]
    known = {}
    for start, length, ids in _lookup(_CONCEPT_LEXICON, folded):
        for offset in range(length):
            known[start + offset] = ids if offset == 0 else frozenset()
    for index, word in enumerate(folded):
        if index in known:
            yield from (f"#{concept}" for concept in known[index])
            continue
        name = _NAME_LEXICON.word(word)
        if name:
            yield f"@{min(name)}"
        elif not (
            len(word) < 3
            or word.isdigit()
            or word in _STOPWORDS
            or word in _RU_STOPWORDS
            or word in _DOMAIN_WORDS
        ):
            yield _stem(word)


def _concepts(text: str) -> frozenset[str]:
    folded = [fold_word(token).replace("ё", "е") for token in tokens(text)]
    found = {concept for _, _, ids in _lookup(_CONCEPT_LEXICON, folded) for concept in ids}
    found |= {f"@{min(ids)}" for _, _, ids in _lookup(_NAME_LEXICON, folded)}
    return frozenset(found - WEAK_CONCEPTS)


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def _stem(word: str) -> str:
    language = "russian" if "\u0400" <= word[0] <= "\u04ff" else "english"
    return str(_stemmer(language).stemWord(word))


_COMMON = _common_keys()
