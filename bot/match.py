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
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
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
from .text import fold_word, html_to_text, sentence_spans, tokens

DEFAULT_LANGUAGE = {"LATIN": "en", "CYRILLIC": "ru"}
CACHE_LIMIT = 200_000


# Roles of a term in a topic (plain strings: this is the hot path, and they go to JSON as-is).
ACTOR, KEYWORD, MATCH_ANY, EXCLUDE = "actor", "keyword", "match_any", "exclude"


@dataclass(frozen=True)
class _Word:
    """One word of a term and how a text word may satisfy it."""

    folded: str  # compared with the folded text word
    stemmed: bool  # also compared by stem (not for "quoted" words, prefixes and acronyms)
    script: str  # selects the stemmers that apply
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


Context = tuple[tuple[str, tuple[str, ...]], ...]


class Matcher:
    """A catalog compiled for matching; build once per config load, then call `match`."""

    def __init__(self, catalog: Catalog) -> None:
        self._topics = dict(catalog.topics)
        self._words: list[_Word] = []
        self._word_ids: dict[_Word, int] = {}
        self._term_word_ids: dict[TermWord, int] = {}
        self._phrases: dict[tuple[int, ...], _Phrase] = {}
        self._by_form: dict[str, list[int]] = defaultdict(list)
        self._by_stem: dict[str, dict[str, list[int]]] = {}  # language → stem → word ids
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
        self._default_context = _context(None, tuple(sorted(topic_languages)))
        for languages in dict(self._default_context).values():
            for language in languages:  # the usual stemmers now, not on the first item
                self._stems(language)
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
        known = self._term_word_ids.get(term_word)
        if known is not None:  # the same word in another term or topic: compiled already
            return known
        self._term_word_ids[term_word] = word_id = self._compile_word(term_word)
        return word_id

    def _compile_word(self, term_word: TermWord) -> int:
        folded = fold_word(term_word.text)
        prefix = term_word.prefix
        stemmed = not term_word.exact and not prefix and term_word.case is Case.ANY
        letters = term_word.text.replace(".", "")
        word = _Word(
            folded, stemmed, _script(folded), term_word.case, letters, folded if prefix else None
        )
        word_id = self._word_ids.get(word)
        if word_id is None:
            word_id = self._word_ids[word] = len(self._words)
            self._words.append(word)
            if word.prefix is not None:
                self._prefixes[word.prefix[:2]].append(word_id)
            else:
                self._by_form[folded].append(word_id)
        return word_id

    # -- matching ----------------------------------------------------------------------------

    def match(self, item: Item) -> tuple[TopicMatch, ...]:
        """The topics `item` belongs to, in catalog order, each with the hits that decided."""
        return self.match_text(item.title, item.summary, language=item.language)

    def match_text(
        self, title: str, summary: str = "", language: str | None = None
    ) -> tuple[TopicMatch, ...]:
        """Like `match`, for a bare title and an HTML or plain-text summary."""
        cache = self._cache_for(language)
        title_text = html_to_text(title)
        summary_text = html_to_text(summary) if summary else ""
        title_words = tokens(title_text) if title_text else []
        summary_words = tokens(summary_text) if summary_text else []
        # The common case, no word of the item in any term, decided in C: one dict lookup per
        # word (a word never seen before is resolved once, by the cache's __missing__).
        lookup = cache.__getitem__
        if not any(map(lookup, title_words)) and not any(map(lookup, summary_words)):
            return ()
        fields = [_Field("title", title_text, title_words, cache)]
        if summary_text:
            fields.append(_Field("summary", summary_text, summary_words, cache))
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
        words = text_field.words
        cache = text_field.cache
        deque(map(cache.__getitem__, words), maxlen=0)  # resolve any word not seen before
        known = cache.known.intersection(words)
        if not known:
            return
        starts: set[int] = set().union(*map(cache.__getitem__, known))
        positions: dict[int, list[int]] = defaultdict(list)
        for index, token in enumerate(words):
            if token in known:
                for word_id in cache[token]:
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
        candidates = set(self._by_form.get(folded, ()))
        for language in languages:
            stem = _stemmer(language).stemWord(folded)
            candidates.update(self._stems(language).get(stem, ()))
        candidates.update(
            wid
            for wid in self._prefixes.get(folded[:2], ())
            if folded.startswith(self._words[wid].prefix or "\0")
        )
        letters = token.replace(".", "")
        return frozenset(wid for wid in candidates if _case_ok(self._words[wid], letters))

    def _stems(self, language: str) -> dict[str, list[int]]:
        """Stem → ids of the term words with that stem in `language`, built on first use:
        a catalog is only ever stemmed in the languages its feeds actually use. A word's full
        form counts as a stem too: Russian stems "Лавров" to "лавр" but "Лаврова" to "лавров",
        so both must find the name."""
        index = self._by_stem.get(language)
        if index is None:
            index = defaultdict(list)
            script = script_of_language(language)
            stem = _stemmer(language).stemWord
            for word_id, word in enumerate(self._words):
                if word.stemmed and word.script == script:
                    stemmed = stem(word.folded)
                    index[stemmed].append(word_id)
                    if stemmed != word.folded:
                        index[word.folded].append(word_id)
            self._by_stem[language] = index  # published whole: a reader never sees it half-built
        return index


class _WordCache(dict[str, frozenset[int]]):
    """Surface word → term words it satisfies, computed once per distinct word."""

    def __init__(self, matcher: Matcher, context: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._matcher = matcher
        self._context = context
        self.known: set[str] = set()  # the words that satisfy at least one term word

    def __missing__(self, token: str) -> frozenset[int]:
        value = self._matcher.word_matches(token, self._context)
        self[token] = value = value or _EMPTY
        if value:
            self.known.add(token)
        return value


_EMPTY: frozenset[int] = frozenset()


@cache
def _context(language: str | None, extra: tuple[str, ...]) -> Context:
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

    def __init__(self, name: str, text: str, words: list[str], cache: _WordCache) -> None:
        self.name = name
        self.text = text
        self.cache = cache
        self.words = words
        self._spans: list[tuple[int, int]] = []
        self._scanned = 0  # character offset just past the last span computed

    def span(self, index: int) -> tuple[int, int]:
        """Character (start, end) of word `index`, computed up to it on first need: most
        items need the spans of a few words near the start, if any."""
        spans = self._spans
        if index < len(spans):
            return spans[index]
        # Every word character belongs to a word, so each word's first occurrence after the
        # previous word is that word: str.find beats re-running the TOKEN regex.
        find = self.text.find
        position = self._scanned
        for word in self.words[len(spans) : index + 1]:
            start = find(word, position)
            position = start + len(word)
            spans.append((start, position))
        self._scanned = position
        return spans[index]

    def phrase_at(self, index: int, words: tuple[int, ...]) -> _Occurrence | None:
        """The occurrence of the phrase `words` starting at token `index`, if there is one."""
        last = index + len(words) - 1
        if last >= len(self.words):
            return None
        for offset in range(1, len(words)):
            if words[offset] not in self.cache[self.words[index + offset]]:
                return None
        for offset in range(1, len(words)):
            gap = self.text[self.span(index + offset - 1)[1] : self.span(index + offset)[0]]
            if not CLEAN_GAP.fullmatch(gap):
                return None
        return (self.name, index, last)

    def chars(self, first: int, last: int) -> tuple[int, int]:
        return self.span(first)[0], self.span(last)[1]


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
