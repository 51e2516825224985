"""A topic's rules applied to the terms found in an item, and the decision explained: which
terms fired, in which role, at which characters (the hits `preview` and `/why` show).

The rules are stated in bot/match.py's docstring; finding the terms is bot/match.py's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .catalog import Topic
from .match_index import ACTOR, EXCLUDE, KEYWORD, MATCH_ANY
from .models import Hit, TopicMatch
from .text import sentence_spans

if TYPE_CHECKING:  # match imports this module to decide; only the type comes back
    from .match import Field

Occurrence = tuple[str, int, int]  # field name, first token index, last token index
Fired = dict[str, dict[str, list[Occurrence]]]  # role → term label → where it occurred


def in_fields(fired: Fired, fields: Sequence[str]) -> Fired:
    """The occurrences inside the fields a topic reads (`fields`, title and/or summary)."""
    if len(fields) == 2:
        return fired
    kept: Fired = {}
    for role, labels in fired.items():
        for label, occurrences in labels.items():
            inside = [o for o in occurrences if o[0] in fields]
            if inside:
                kept.setdefault(role, {})[label] = inside
    return kept


def decides(
    topic: Topic, fired: Fired, fields: dict[str, Field], sides: tuple[frozenset[str], ...]
) -> bool:
    """Whether the terms that `fired` make the item belong to `topic`."""
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
    actors: dict[str, list[Occurrence]],
    keywords: dict[str, list[Occurrence]],
    fields: dict[str, Field],
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
    occurrences: list[Occurrence], text_field: Field, sentences: list[tuple[int, int]]
) -> set[int]:
    """Indexes of the sentences of `text_field` that hold one of `occurrences`."""
    found = set()
    for name, first, last in occurrences:
        if name == text_field.name:
            start = text_field.chars(first, last)[0]
            found.add(next((i for i, (lo, hi) in enumerate(sentences) if lo <= start < hi), 0))
    return found


def explain(topic: Topic, fired: Fired, fields: dict[str, Field]) -> TopicMatch:
    """The match of `topic`: its terms that fired by role, and every hit in text order."""
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
