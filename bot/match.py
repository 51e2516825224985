"""Decides which topics an item belongs to, and records why.

Rule semantics (the contract `config/README.md` explains to admins):

- Text: an item's title and its summary, with HTML tags stripped and entities decoded. A phrase
  never spans from the title into the summary.
- Terms match whole words only, case-insensitively: `NATO` matches "Nato allies" but never
  "senator"; a phrase (`Security Council`) matches its words in order with only spaces or
  punctuation between them.
- An actor is found when its name or any alias occurs; it counts once however often it occurs.
- A topic matches when no `exclude` term occurs, and either a `match_any` term occurs, or at
  least `min_actors` distinct actors of the topic and at least `min_keywords` distinct keywords
  occur.

The catalog is compiled once into an index from each term's first word to the terms starting
with it, so matching an item costs one pass over its words, however many terms there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from .catalog import Catalog, Topic
from .models import Item, TopicMatch
from .text import html_to_text, words


class Role(Enum):
    ACTOR = "actor"
    KEYWORD = "keyword"
    MATCH_ANY = "match_any"
    EXCLUDE = "exclude"


@dataclass(frozen=True)
class _Use:
    """One place a term is used: in which topic, in which role, shown under which label."""

    topic: str
    role: Role
    label: str


class Matcher:
    """A catalog compiled for matching; build once per config load, then call `match`."""

    def __init__(self, catalog: Catalog) -> None:
        self._topics = dict(catalog.topics)
        self._uses: dict[tuple[str, ...], list[_Use]] = defaultdict(list)
        for topic in catalog.topics.values():
            for actor_id in topic.actors:
                actor = catalog.actors[actor_id]
                self._add(actor.terms, _Use(topic.id, Role.ACTOR, actor.name))
            for role, terms in (
                (Role.KEYWORD, topic.keywords),
                (Role.MATCH_ANY, topic.match_any),
                (Role.EXCLUDE, topic.exclude),
            ):
                for term in terms:
                    self._add([term], _Use(topic.id, role, term))
        self._by_first_word: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in self._uses:
            self._by_first_word[phrase[0]].append(phrase)

    def _add(self, terms: Iterable[str], use: _Use) -> None:
        for term in terms:
            phrase = tuple(words(term))
            if phrase and use not in self._uses[phrase]:
                self._uses[phrase].append(use)

    def match(self, item: Item) -> tuple[TopicMatch, ...]:
        """The topics `item` belongs to, in catalog order, each with the terms that fired."""
        return self.match_text(item.title, item.summary)

    def match_text(self, title: str, summary: str = "") -> tuple[TopicMatch, ...]:
        """Like `match`, for a bare title and an HTML or plain-text summary."""
        found: dict[str, dict[Role, list[str]]] = defaultdict(lambda: defaultdict(list))
        for field in (title, summary):
            for phrase in self._phrases_in(words(html_to_text(field))):
                for use in self._uses[phrase]:
                    labels = found[use.topic][use.role]
                    if use.label not in labels:
                        labels.append(use.label)
        return tuple(
            TopicMatch(
                topic=topic.id,
                actors=tuple(fired[Role.ACTOR]),
                keywords=tuple(fired[Role.KEYWORD]),
                match_any=tuple(fired[Role.MATCH_ANY]),
            )
            for topic in self._topics.values()
            if (fired := found.get(topic.id)) is not None and _decides(topic, fired)
        )

    def _phrases_in(self, tokens: list[str]) -> list[tuple[str, ...]]:
        """The known phrases occurring in `tokens`, each once, in order of first occurrence."""
        present: dict[tuple[str, ...], None] = {}
        for start, token in enumerate(tokens):
            for phrase in self._by_first_word.get(token, ()):
                if tuple(tokens[start : start + len(phrase)]) == phrase:
                    present[phrase] = None
        return list(present)


def _decides(topic: Topic, fired: dict[Role, list[str]]) -> bool:
    if fired[Role.EXCLUDE]:
        return False
    if fired[Role.MATCH_ANY]:
        return True
    if not (topic.actors or topic.keywords):
        return False
    return (
        len(fired[Role.ACTOR]) >= topic.min_actors
        and len(fired[Role.KEYWORD]) >= topic.min_keywords
    )
