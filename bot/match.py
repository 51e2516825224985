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

This module matches an item: it reads its fields and finds the catalog's phrases in them.
Compiling the catalog is bot/match_index.py; applying a topic's rules to what was found, and
explaining the decision as hits, is bot/match_rules.py.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator

from .catalog import Catalog
from .match_index import Context, Phrase, TermIndex, WordCache, language_context
from .match_rules import Fired, Occurrence, decides, explain, in_fields
from .models import Item, TopicMatch
from .terms import CLEAN_GAP
from .text import html_to_text, tokens

CACHE_LIMIT = 200_000


class Matcher:
    """A catalog compiled for matching; build once per config load, then call `match`."""

    def __init__(self, catalog: Catalog) -> None:
        self._topics = dict(catalog.topics)
        self._index = TermIndex(catalog)
        self._sides = {
            topic.id: tuple(frozenset(catalog.actors[a].name for a in side) for side in topic.sides)
            for topic in catalog.topics.values()
        }
        topic_languages = {t.language for t in catalog.topics.values() if t.language}
        self._default_context = language_context(None, tuple(sorted(topic_languages)))
        for languages in dict(self._default_context).values():
            for language in languages:  # the usual stemmers now, not on the first item
                self._index.stems(language)
        self._order = {topic_id: index for index, topic_id in enumerate(self._topics)}
        self._caches: dict[Context, WordCache] = {}

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
        fields = [Field("title", title_text, title_words, cache)]
        if summary_text:
            fields.append(Field("summary", summary_text, summary_words, cache))
        found: dict[str, Fired] = {}
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
            fired = in_fields(fired, topic.fields)
            if decides(topic, fired, by_name, self._sides[topic_id]):
                results.append(explain(topic, fired, by_name))
        return tuple(sorted(results, key=lambda m: self._order[m.topic]))

    def _cache_for(self, language: str | None) -> WordCache:
        context = self._default_context if language is None else language_context(language, ())
        word_cache = self._caches.get(context)
        if word_cache is None or len(word_cache) > CACHE_LIMIT:
            word_cache = self._caches[context] = WordCache(self._index, dict(context))
        return word_cache

    def _phrases_in(self, text_field: Field) -> Iterator[tuple[Phrase, list[Occurrence]]]:
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
        starting = self._index.starting
        for word_id in sorted(starts):  # a fixed order: explanations list terms alike every run
            for phrase in starting[word_id]:
                found = [
                    occurrence
                    for index in positions[word_id]
                    if (occurrence := text_field.phrase_at(index, phrase.words)) is not None
                ]
                if found:
                    yield phrase, found


class Field:
    """One field's plain text and its words, resolved against the term index; character
    spans are computed only when needed (phrase gaps, explanations, sentences)."""

    def __init__(self, name: str, text: str, words: list[str], cache: WordCache) -> None:
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

    def phrase_at(self, index: int, words: tuple[int, ...]) -> Occurrence | None:
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
