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
  With `sides` (lists of actor ids), the actors must also include one of every side (an
  American and a Russian for diplomacy between them; two Kremlin voices are not a dialogue).

Speed: the catalog is compiled once into an index from word keys to the term words they can
start; each distinct surface word of the text is resolved once and cached, so matching an item
costs a pass over its words whatever the number of terms, and no per-term work.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import compress

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
from .text import TOKEN, fold_word, html_to_text, sentence_spans, tokens

DEFAULT_LANGUAGE = {"LATIN": "en", "CYRILLIC": "ru"}
CACHE_LIMIT = 200_000


# Roles of a term in a topic (plain strings: this is the hot path, and they go to JSON as-is).
ACTOR, KEYWORD, MATCH_ANY, EXCLUDE = "actor", "keyword", "match_any", "exclude"


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
    role: str
    label: str


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
        self._sides = {
            topic.id: tuple(frozenset(catalog.actors[a].name for a in side) for side in topic.sides)
            for topic in catalog.topics.values()
        }
        for topic in catalog.topics.values():
            for actor_id in topic.actors:
                actor = catalog.actors[actor_id]
                for term in actor.terms:
                    self._add(term, _Use(topic.id, ACTOR, actor.name))
            for role, terms in (
                (KEYWORD, topic.keywords),
                (MATCH_ANY, topic.match_any),
                (EXCLUDE, topic.exclude),
            ):
                for term in terms:
                    self._add(term, _Use(topic.id, role, term))
        for phrase in self._phrases.values():
            self._starting[phrase.words[0]].append(phrase)
        topic_languages = {t.language for t in catalog.topics.values() if t.language}
        self._default_context = _context(None, topic_languages)
        self._order = {topic_id: index for index, topic_id in enumerate(self._topics)}
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
        folded = fold_word(term_word.text)
        keys = {f"={folded}"}
        prefix = term_word.prefix
        if not term_word.exact and not prefix and term_word.case is Case.ANY:
            languages = _LANGUAGES_BY_SCRIPT.get(_script(folded), ())
            # The full form counts as a stem too: Russian stems "Лавров" to "лавр" but
            # "Лаврова" to "лавров", so both must find the name.
            keys |= _stem_keys(folded, languages) | {f"~{lang}:{folded}" for lang in languages}
        letters = term_word.text.replace(".", "")
        word = _Word(frozenset(keys), term_word.case, letters, folded if prefix else None)
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
        fields = [_Field("title", html_to_text(title), cache)]
        if summary:
            fields.append(_Field("summary", html_to_text(summary), cache))
        found: dict[str, dict[str, dict[str, list[_Occurrence]]]] = {}
        for text_field in fields:
            for phrase, occurrences in self._phrases_in(text_field):
                for use in phrase.uses:
                    labels = found.setdefault(use.topic, {}).setdefault(use.role, {})
                    labels.setdefault(use.label, []).extend(occurrences)
        if not found:
            return ()
        by_name = {f.name: f for f in fields}
        results = []
        for topic_id, fired in found.items():
            topic = self._topics[topic_id]
            fired = _in_fields(fired, topic.fields)
            if _decides(topic, fired, by_name, self._sides[topic_id]):
                results.append(_explain(topic, fired, by_name))
        return tuple(sorted(results, key=lambda m: self._order[m.topic]))

    def _cache_for(self, language: str | None) -> _WordCache:
        context = self._default_context if language is None else _context(language, ())
        word_cache = self._caches.get(context)
        if word_cache is None or len(word_cache) > CACHE_LIMIT:
            word_cache = self._caches[context] = _WordCache(self, dict(context))
        return word_cache

    def _phrases_in(self, text_field: _Field) -> Iterator[tuple[_Phrase, list[_Occurrence]]]:
        """Every known phrase in the field, with its occurrences as token ranges."""
        infos = text_field.infos
        starts = set().union(*infos)
        if not starts:
            return
        positions: dict[int, list[int]] = defaultdict(list)
        for index in compress(range(len(infos)), infos):  # only words that start a term
            for word_id in infos[index]:
                positions[word_id].append(index)
        for word_id in starts:
            for phrase in self._starting[word_id]:
                found = [
                    occurrence
                    for index in positions[word_id]
                    if (occurrence := text_field.phrase_at(index, phrase.words)) is not None
                ]
                if found:
                    yield phrase, found

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


_Occurrence = tuple[str, int, int]  # field name, first token index, last token index


class _Field:
    """One field's plain text and its words, resolved against the term index; character
    spans are computed only when needed (phrase gaps, explanations, sentences)."""

    def __init__(self, name: str, text: str, cache: _WordCache) -> None:
        self.name = name
        self.text = text
        self.infos = list(map(cache.__getitem__, tokens(text))) if text else []
        self._spans: list[tuple[int, int]] | None = None

    @property
    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = [m.span() for m in TOKEN.finditer(self.text)]
        return self._spans

    def phrase_at(self, index: int, words: tuple[int, ...]) -> _Occurrence | None:
        """The occurrence of the phrase `words` starting at token `index`, if there is one."""
        last = index + len(words) - 1
        if last >= len(self.infos):
            return None
        for offset in range(1, len(words)):
            if words[offset] not in self.infos[index + offset]:
                return None
        for offset in range(1, len(words)):
            gap = self.text[self.spans[index + offset - 1][1] : self.spans[index + offset][0]]
            if not CLEAN_GAP.fullmatch(gap):
                return None
        return (self.name, index, last)

    def chars(self, first: int, last: int) -> tuple[int, int]:
        return self.spans[first][0], self.spans[last][1]


def _in_fields(
    fired: dict[str, dict[str, list[_Occurrence]]], fields: Sequence[str]
) -> dict[str, dict[str, list[_Occurrence]]]:
    if len(fields) == 2:
        return fired
    kept: dict[str, dict[str, list[_Occurrence]]] = {}
    for role, labels in fired.items():
        for label, occurrences in labels.items():
            inside = [o for o in occurrences if o[0] in fields]
            if inside:
                kept.setdefault(role, {})[label] = inside
    return kept


def _decides(
    topic: Topic,
    fired: dict[str, dict[str, list[_Occurrence]]],
    fields: dict[str, _Field],
    sides: tuple[frozenset[str], ...],
) -> bool:
    if fired.get(EXCLUDE):
        return False
    if fired.get(MATCH_ANY):
        return True
    if not (topic.actors or topic.keywords):
        return False
    actors, keywords = fired.get(ACTOR, {}), fired.get(KEYWORD, {})
    if len(actors) < topic.min_actors or len(keywords) < topic.min_keywords:
        return False
    if not all(side.intersection(actors) for side in sides):
        return False
    return topic.within != "sentence" or _share_a_sentence(topic, actors, keywords, fields)


def _share_a_sentence(
    topic: Topic,
    actors: dict[str, list[_Occurrence]],
    keywords: dict[str, list[_Occurrence]],
    fields: dict[str, _Field],
) -> bool:
    """Whether one sentence holds `min_actors` actors and `min_keywords` keywords."""
    for text_field in fields.values():
        sentences = sentence_spans(text_field.text)
        actor_sets = [_sentences_of(o, text_field, sentences) for o in actors.values()]
        keyword_sets = [_sentences_of(o, text_field, sentences) for o in keywords.values()]
        for index in range(len(sentences)):
            in_actors = sum(1 for found in actor_sets if index in found)
            in_keywords = sum(1 for found in keyword_sets if index in found)
            if in_actors >= topic.min_actors and in_keywords >= topic.min_keywords:
                return True
    return False


def _sentences_of(
    occurrences: list[_Occurrence], text_field: _Field, sentences: list[tuple[int, int]]
) -> set[int]:
    """Indexes of the sentences of `text_field` that hold one of `occurrences`."""
    found = set()
    for name, first, last in occurrences:
        if name == text_field.name:
            start = text_field.chars(first, last)[0]
            found.add(next((i for i, (lo, hi) in enumerate(sentences) if lo <= start < hi), 0))
    return found


def _explain(
    topic: Topic, fired: dict[str, dict[str, list[_Occurrence]]], fields: dict[str, _Field]
) -> TopicMatch:
    hits = []
    for role in (MATCH_ANY, ACTOR, KEYWORD):
        for label, occurrences in fired.get(role, {}).items():
            for name, first, last in dict.fromkeys(occurrences):
                start, end = fields[name].chars(first, last)
                hits.append(Hit(term=label, role=role, field=name, start=start, end=end))
    hits.sort(key=_position)

    def labels(role: str) -> tuple[str, ...]:
        """Terms in order of first appearance: title first, then summary."""
        return tuple(dict.fromkeys(h.term for h in hits if h.role == role))

    return TopicMatch(
        topic=topic.id,
        actors=labels(ACTOR),
        keywords=labels(KEYWORD),
        match_any=labels(MATCH_ANY),
        hits=tuple(hits),
    )


def _position(hit: Hit) -> tuple[bool, int, int]:
    return (hit.field != "title", hit.start, -hit.end)
