"""Decides which topics an item belongs to, and records exactly why.

Rule semantics (config/README.md explains them to admins; tests/test_match.py holds a table
test for each):

Text
- An item's title and summary, each matched separately, as plain text: HTML tags removed and
  entities decoded (`&amp;`, `&#8217;`), soft hyphens and zero-width characters dropped.
  A topic's `fields` may restrict it to the title or to the summary.

Terms (actor names and aliases, keywords, match_any, exclude)
- Whole words only: `NATO` never matches inside "senator", `Kremlin` not in "Kremlinology".
- Case-insensitive, except that a term written in capitals of up to 3 letters is case-sensitive
  (`US` matches "US troops" and "U.S. troops", never "told us"), and a longer all-caps term also
  matches its Title-case form (`NATO` matches "NATO" and "Nato", not "nato").
- Inflection: words are compared by their Snowball stem as well as their full form, so `troop`
  finds "troops", `invade` finds "invaded", `sanction` finds "sanctioned", `Путин` finds
  "Путина". The stemmer follows the script of each word and the feed's declared language
  (or a topic's `language` for feeds that declare none): English for Latin script, Russian
  for Cyrillic by default. A term in double quotes ("\"arms\"") matches that exact word only.
  A trailing `*` makes the last word a prefix (`annex*` finds "annexation").
- Possessives match the name: "Putin's" and "Putin’s" contain the word `Putin`.
- Phrases match their words in order with only spaces, line breaks, hyphens or dashes between
  them (`Security Council` finds "security\\ncouncil" and "Security-Council", not
  "security, council"); dotted initialisms are one word (`UN` finds "U.N.").
- Accents on Latin letters and typography do not matter (`Zelenskyy` finds "Zelenskýy").

Topics
- An item matches when no `exclude` term occurs, and either a `match_any` term occurs, or at
  least `min_actors` distinct actors and at least `min_keywords` distinct keywords occur. With
  `within = "sentence"`, those actors and keywords must occur together in one sentence.

Speed: the catalog is compiled once into an index from word keys to the term words they can
start; each distinct surface word of the text is resolved once and cached, so matching an item
costs a pass over its words whatever the number of terms, and no per-term work.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache

import Stemmer

from .catalog import Catalog, Topic
from .models import Hit, Item, TopicMatch
from .terms import (
    CLEAN_GAP,
    STEMMERS,
    Case,
    TermWord,
    language_code,
    parse_term,
    script_of_language,
)
from .text import TOKEN, fold_word, html_to_text, sentence_spans

DEFAULT_LANGUAGE = {"LATIN": "en", "CYRILLIC": "ru"}
CACHE_LIMIT = 200_000


class Role(Enum):
    ACTOR = "actor"
    KEYWORD = "keyword"
    MATCH_ANY = "match_any"
    EXCLUDE = "exclude"


@dataclass(frozen=True)
class _Word:
    """One word of a term and how a text word may satisfy it."""

    keys: frozenset[str]
    case: Case
    letters: str  # the word as written, without dots (for the case rules)
    prefix: str | None = None  # folded prefix for `annex*`


@dataclass(frozen=True)
class _Use:
    """One place a term is used: in which topic, in which role, shown under which label."""

    topic: str
    role: Role
    label: str
    term: str


@dataclass
class _Phrase:
    words: tuple[int, ...]  # word ids
    uses: list[_Use] = field(default_factory=list)


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer(STEMMERS[language])
    stemmer.maxCacheSize = 0  # we cache whole words ourselves
    return stemmer


@cache
def _script(word: str) -> str:
    for char in word:
        if char.isalpha():
            return unicodedata.name(char, "OTHER").split(" ", 1)[0]
    return "OTHER"


def _stem_keys(folded: str, languages: Iterable[str]) -> set[str]:
    return {f"~{lang}:{_stemmer(lang).stemWord(folded)}" for lang in languages}


_LANGUAGES_BY_SCRIPT: dict[str, tuple[str, ...]] = {
    script: tuple(sorted(code for code in STEMMERS if script_of_language(code) == script))
    for script in ("LATIN", "CYRILLIC", "GREEK", "ARABIC")
}
Context = tuple[tuple[str, tuple[str, ...]], ...]


class Matcher:
    """A catalog compiled for matching; build once per config load, then call `match`."""

    def __init__(self, catalog: Catalog) -> None:
        self._topics = dict(catalog.topics)
        self._words: list[_Word] = []
        self._word_ids: dict[_Word, int] = {}
        self._phrases: dict[tuple[int, ...], _Phrase] = {}
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._prefixes: dict[str, list[int]] = defaultdict(list)
        self._starting: dict[int, list[_Phrase]] = defaultdict(list)
        for topic in catalog.topics.values():
            for actor_id in topic.actors:
                actor = catalog.actors[actor_id]
                for term in actor.terms:
                    self._add(term, _Use(topic.id, Role.ACTOR, actor.name, term))
            for role, terms in (
                (Role.KEYWORD, topic.keywords),
                (Role.MATCH_ANY, topic.match_any),
                (Role.EXCLUDE, topic.exclude),
            ):
                for term in terms:
                    self._add(term, _Use(topic.id, role, term, term))
        for phrase in self._phrases.values():
            self._starting[phrase.words[0]].append(phrase)
        topic_languages = {t.language for t in catalog.topics.values() if t.language}
        self._default_context = _context(None, topic_languages)
        self._caches: dict[Context, _WordCache] = {}

    # -- compiling ---------------------------------------------------------------------------

    def _add(self, term: str, use: _Use) -> None:
        words = tuple(self._word_id(word) for word in parse_term(term))
        if not words:
            return
        phrase = self._phrases.setdefault(words, _Phrase(words))
        if use not in phrase.uses:
            phrase.uses.append(use)

    def _word_id(self, term_word: TermWord) -> int:
        token, case, exact, prefix = (
            term_word.text,
            term_word.case,
            term_word.exact,
            term_word.prefix,
        )
        folded = fold_word(token)
        keys = {f"={folded}"}
        if not exact and not prefix and case is Case.ANY:
            languages = _LANGUAGES_BY_SCRIPT.get(_script(folded), ())
            # The full form counts as a stem too: Russian stems "Лавров" to "лавр" but
            # "Лаврова" to "лавров", so both must find the name.
            keys |= _stem_keys(folded, languages) | {f"~{lang}:{folded}" for lang in languages}
        word = _Word(frozenset(keys), case, token.replace(".", ""), folded if prefix else None)
        if word not in self._word_ids:
            self._word_ids[word] = len(self._words)
            self._words.append(word)
            if word.prefix is not None:
                self._prefixes[word.prefix[:2]].append(self._word_ids[word])
            else:
                for key in word.keys:
                    self._by_key[key].append(self._word_ids[word])
        return self._word_ids[word]

    # -- matching ----------------------------------------------------------------------------

    def match(self, item: Item) -> tuple[TopicMatch, ...]:
        """The topics `item` belongs to, in catalog order, each with the hits that decided."""
        return self.match_text(item.title, item.summary, language=item.language)

    def match_text(
        self, title: str, summary: str = "", language: str | None = None
    ) -> tuple[TopicMatch, ...]:
        """Like `match`, for a bare title and an HTML or plain-text summary."""
        cache = self._cache_for(language)
        fields = {"title": html_to_text(title), "summary": html_to_text(summary)}
        found: dict[str, dict[Role, dict[str, list[Hit]]]] = {}
        for name, text in fields.items():
            for phrase, hits in self._phrases_in(text, name, cache):
                for use in phrase.uses:
                    labels = found.setdefault(use.topic, {}).setdefault(use.role, {})
                    labels.setdefault(use.label, []).extend(hits)
        results = []
        for topic_id, fired in found.items():
            topic = self._topics[topic_id]
            fired = _in_fields(fired, topic.fields)
            if _decides(topic, fired, fields):
                results.append(_explain(topic, fired))
        order = list(self._topics)
        return tuple(sorted(results, key=lambda m: order.index(m.topic)))

    def _cache_for(self, language: str | None) -> _WordCache:
        context = self._default_context if language is None else _context(language, ())
        word_cache = self._caches.get(context)
        if word_cache is None or len(word_cache) > CACHE_LIMIT:
            word_cache = self._caches[context] = _WordCache(self, dict(context))
        return word_cache

    def _phrases_in(
        self, text: str, field_name: str, cache: _WordCache
    ) -> Iterator[tuple[_Phrase, list[Hit]]]:
        """Every known phrase in `text`, with where it occurs."""
        if not text:
            return
        tokens = TOKEN.findall(text)
        infos = list(map(cache.__getitem__, tokens))
        starts = set().union(*infos)
        if not starts:
            return
        spans: list[tuple[int, int]] | None = None
        for word_id in starts:
            for phrase in self._starting[word_id]:
                if spans is None:
                    spans = [m.span() for m in TOKEN.finditer(text)]
                hits = list(_occurrences(phrase, infos, spans, text, field_name))
                if hits:
                    yield phrase, hits

    def word_matches(self, token: str, context: dict[str, tuple[str, ...]]) -> frozenset[int]:
        """Ids of the term words that the text word `token` satisfies (uncached)."""
        folded = fold_word(token)
        languages = context.get(_script(folded), ())
        keys = {f"={folded}"} | _stem_keys(folded, languages)
        candidates = {wid for key in keys for wid in self._by_key.get(key, ())}
        candidates.update(
            wid
            for wid in self._prefixes.get(folded[:2], ())
            if folded.startswith(self._words[wid].prefix or "\0")
        )
        letters = token.replace(".", "")
        return frozenset(wid for wid in candidates if _case_ok(self._words[wid], letters))


class _WordCache(dict[str, frozenset[int]]):
    """Surface word → term words it satisfies, computed once per distinct word."""

    def __init__(self, matcher: Matcher, context: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._matcher = matcher
        self._context = context

    def __missing__(self, token: str) -> frozenset[int]:
        value = self._matcher.word_matches(token, self._context)
        self[token] = value = value or _EMPTY
        return value


_EMPTY: frozenset[int] = frozenset()


def _context(language: str | None, extra: Iterable[str]) -> Context:
    """Which stemmers apply to the words of each script, for an item in `language`: the
    declared language for its script, else the defaults plus the topics' languages."""
    chosen: dict[str, set[str]] = {s: {lang} for s, lang in DEFAULT_LANGUAGE.items()}
    code = language_code(language)
    if code in STEMMERS:
        chosen[script_of_language(code)] = {code}
    for lang in extra:
        chosen.setdefault(script_of_language(lang), set()).add(lang)
    return tuple(sorted((script, tuple(sorted(langs))) for script, langs in chosen.items()))


def _case_ok(word: _Word, letters: str) -> bool:
    if word.case is Case.ANY:
        return True
    if word.case is Case.EXACT:
        return letters == word.letters
    return letters in (word.letters, word.letters.title())


def _occurrences(
    phrase: _Phrase,
    infos: Sequence[frozenset[int]],
    spans: Sequence[tuple[int, int]],
    text: str,
    field_name: str,
) -> Iterator[Hit]:
    first, rest = phrase.words[0], phrase.words[1:]
    for index, info in enumerate(infos):
        if first not in info or index + len(rest) >= len(infos):
            continue
        end = index
        for offset, word_id in enumerate(rest, start=1):
            gap = text[spans[index + offset - 1][1] : spans[index + offset][0]]
            if word_id not in infos[index + offset] or not CLEAN_GAP.fullmatch(gap):
                break
            end = index + offset
        else:
            start, stop = spans[index][0], spans[end][1]
            yield Hit(term="", role="", field=field_name, start=start, end=stop)


def _in_fields(
    fired: dict[Role, dict[str, list[Hit]]], fields: Sequence[str]
) -> dict[Role, dict[str, list[Hit]]]:
    if set(fields) >= {"title", "summary"}:
        return fired
    kept: dict[Role, dict[str, list[Hit]]] = {}
    for role, labels in fired.items():
        for label, hits in labels.items():
            inside = [h for h in hits if h.field in fields]
            if inside:
                kept.setdefault(role, {})[label] = inside
    return kept


def _decides(topic: Topic, fired: dict[Role, dict[str, list[Hit]]], fields: dict[str, str]) -> bool:
    if fired.get(Role.EXCLUDE):
        return False
    if fired.get(Role.MATCH_ANY):
        return True
    if not (topic.actors or topic.keywords):
        return False
    actors, keywords = fired.get(Role.ACTOR, {}), fired.get(Role.KEYWORD, {})
    if len(actors) < topic.min_actors or len(keywords) < topic.min_keywords:
        return False
    return topic.within != "sentence" or _share_a_sentence(topic, actors, keywords, fields)


def _share_a_sentence(
    topic: Topic,
    actors: dict[str, list[Hit]],
    keywords: dict[str, list[Hit]],
    fields: dict[str, str],
) -> bool:
    """Whether one sentence holds `min_actors` actors and `min_keywords` keywords."""
    for name, text in fields.items():
        for start, end in sentence_spans(text):

            def inside(hits: list[Hit], lo: int = start, hi: int = end, f: str = name) -> bool:
                return any(h.field == f and lo <= h.start and h.end <= hi for h in hits)

            in_actors = sum(1 for hits in actors.values() if inside(hits))
            in_keywords = sum(1 for hits in keywords.values() if inside(hits))
            if in_actors >= topic.min_actors and in_keywords >= topic.min_keywords:
                return True
    return False


def _explain(topic: Topic, fired: dict[Role, dict[str, list[Hit]]]) -> TopicMatch:
    def labels(role: Role) -> tuple[str, ...]:
        """Terms in order of first appearance: title first, then summary."""
        by_label = fired.get(role, {})
        return tuple(sorted(by_label, key=lambda label: min(map(_position, by_label[label]))))

    hits = tuple(
        Hit(term=label, role=role.value, field=h.field, start=h.start, end=h.end)
        for role in (Role.MATCH_ANY, Role.ACTOR, Role.KEYWORD)
        for label, occurrences in fired.get(role, {}).items()
        for h in occurrences
    )
    return TopicMatch(
        topic=topic.id,
        actors=labels(Role.ACTOR),
        keywords=labels(Role.KEYWORD),
        match_any=labels(Role.MATCH_ANY),
        hits=tuple(sorted(hits, key=_position)),
    )


def _position(hit: Hit) -> tuple[bool, int]:
    return (hit.field != "title", hit.start)
