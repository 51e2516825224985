"""The catalog compiled for matching: every term split into words, indexed by the keys a text
word can reach them by (folded form, stem per language, two-letter prefix), and the answer
for each distinct text word cached per language context.

bot/match.py states the rules these words follow and finds phrases with this index;
bot/match_rules.py applies the topic rules to what was found.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import Stemmer

from .catalog import Catalog
from .terms import STEMMERS, Case, TermWord, language_code, parse_term, script_of_language
from .text import fold_word

DEFAULT_LANGUAGE = {"LATIN": "en", "CYRILLIC": "ru"}

# Roles of a term in a topic (plain strings: this is the hot path, and they go to JSON as-is).
ACTOR, KEYWORD, MATCH_ANY, EXCLUDE = "actor", "keyword", "match_any", "exclude"


@dataclass(frozen=True)
class Word:
    """One word of a term and how a text word may satisfy it."""

    folded: str  # compared with the folded text word
    stemmed: bool  # also compared by stem (not for "quoted" words, prefixes and acronyms)
    script: str  # selects the stemmers that apply
    case: Case
    letters: str  # the word as written, without dots (for the case rules)
    prefix: str | None = None  # folded prefix for `annex*`


@dataclass(frozen=True)
class Use:
    """One place a term is used: in which topic, in which role, shown under which label."""

    topic: str
    role: str
    label: str


@dataclass
class Phrase:
    words: tuple[int, ...]  # word ids
    uses: list[Use] = field(default_factory=list)


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


class TermIndex:
    """Every term of a catalog as word ids and phrases, and the lookups from text words."""

    def __init__(self, catalog: Catalog) -> None:
        self._words: list[Word] = []
        self._word_ids: dict[Word, int] = {}
        self._term_word_ids: dict[TermWord, int] = {}
        self._phrases: dict[tuple[int, ...], Phrase] = {}
        self._by_form: dict[str, list[int]] = defaultdict(list)
        self._by_stem: dict[str, dict[str, list[int]]] = {}  # language → stem → word ids
        self._prefixes: dict[str, list[int]] = defaultdict(list)
        # Word id → the phrases it starts (read on the hot path, hence a plain attribute).
        self.starting: dict[int, list[Phrase]] = defaultdict(list)
        for topic in catalog.topics.values():
            for actor_id in topic.actors:
                actor = catalog.actors[actor_id]
                for term in actor.terms:
                    self._add(term, Use(topic.id, ACTOR, actor.name))
            for role, terms in (
                (KEYWORD, topic.keywords),
                (MATCH_ANY, topic.match_any),
                (EXCLUDE, topic.exclude),
            ):
                for term in terms:
                    self._add(term, Use(topic.id, role, term))
        for phrase in self._phrases.values():
            self.starting[phrase.words[0]].append(phrase)

    # -- compiling ---------------------------------------------------------------------------

    def _add(self, term: str, use: Use) -> None:
        words = tuple(self._word_id(word) for word in parse_term(term))
        if not words:
            return
        phrase = self._phrases.setdefault(words, Phrase(words))
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
        word = Word(
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

    # -- looking up --------------------------------------------------------------------------

    def word_matches(self, token: str, context: dict[str, tuple[str, ...]]) -> frozenset[int]:
        """Ids of the term words that the text word `token` satisfies (uncached)."""
        folded = fold_word(token)
        languages = context.get(_script(folded), ())
        candidates = set(self._by_form.get(folded, ()))
        for language in languages:
            stem = _stemmer(language).stemWord(folded)
            candidates.update(self.stems(language).get(stem, ()))
        candidates.update(
            wid
            for wid in self._prefixes.get(folded[:2], ())
            if folded.startswith(self._words[wid].prefix or "\0")
        )
        letters = token.replace(".", "")
        return frozenset(wid for wid in candidates if _case_ok(self._words[wid], letters))

    def stems(self, language: str) -> dict[str, list[int]]:
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


class WordCache(dict[str, frozenset[int]]):
    """Surface word → term words it satisfies, computed once per distinct word."""

    def __init__(self, index: TermIndex, context: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._index = index
        self._context = context
        self.known: set[str] = set()  # the words that satisfy at least one term word

    def __missing__(self, token: str) -> frozenset[int]:
        value = self._index.word_matches(token, self._context)
        self[token] = value = value or _EMPTY
        if value:
            self.known.add(token)
        return value


_EMPTY: frozenset[int] = frozenset()


@cache
def language_context(language: str | None, extra: tuple[str, ...]) -> Context:
    """Which stemmers apply to the words of each script, for an item in `language`: the
    declared language for its script, else the defaults plus the topics' languages."""
    chosen: dict[str, set[str]] = {s: {lang} for s, lang in DEFAULT_LANGUAGE.items()}
    code = language_code(language)
    if code in STEMMERS:
        chosen[script_of_language(code)] = {code}
    for lang in extra:
        chosen.setdefault(script_of_language(lang), set()).add(lang)
    return tuple(sorted((script, tuple(sorted(langs))) for script, langs in chosen.items()))


def _case_ok(word: Word, letters: str) -> bool:
    if word.case is Case.ANY:
        return True
    if word.case is Case.EXACT:
        return letters == word.letters
    return letters in (word.letters, word.letters.title())
