"""Personal watches (`/watch Putin`): a chat's own keywords, matched like a topic's terms.

A watched phrase is a term with the semantics of config/README.md (whole words, inflection,
case rules for acronyms, "quotes" for an exact word, a trailing `*` for a prefix). A phrase
that names a known actor (its name or one of its aliases, ignoring case and accents) stands
for the actor: `/watch Putin` also catches "Путин" and "Vladimir Putin". Phrases are data
handed to the same Matcher as the topics, never compiled into a pattern.

All chats' phrases are compiled into one Matcher (each distinct phrase once, as a one-term
rule), so matching an item costs one pass over its words whatever the number of chats and
watches; it is rebuilt lazily, on the first item after the watches or the catalog changed.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from .catalog import Actor, Catalog, Topic
from .explain import terms_with_text, why_text
from .match import Matcher
from .models import Alert, Item, TopicMatch, WatchMatch
from .storage import DeliveryReasons, Storage
from .summarise import summarise
from .terms import parse_term, term_problem
from .text import fold_word

WATCH_LIMIT = 20  # phrases per chat
PHRASE_LIMIT = 100  # characters per phrase
MIN_LETTERS = 2  # "a" would match nearly every item
WATCH_LABEL = "watch"  # the hashtag of an alert that only a watch brought (#watch)


def normalise(phrase: str) -> str:
    """The phrase as stored: surrounding and repeated spaces removed."""
    return " ".join(phrase.split())


def watch_problem(phrase: str) -> str | None:
    """Why `phrase` cannot be watched, said to a user, or None when it can."""
    if len(phrase) > PHRASE_LIMIT:
        return f"That is {len(phrase)} characters; a watch may have at most {PHRASE_LIMIT}."
    letters = sum(len(word.text.replace(".", "")) for word in parse_term(phrase))
    if letters < MIN_LETTERS:
        return f"A watch needs at least {MIN_LETTERS} letters or digits to look for."
    problem = term_problem(phrase)
    if problem is not None:
        between = sorted({c for c in phrase if not (c.isalnum() or c.isspace() or c in '-"*')})
        named = " ".join(f"“{c}”" for c in between) or "what separates them"
        return (
            f"I match whole words, and {named} between words can never match as one phrase. "
            "Write the words with only spaces or hyphens between them, or watch each on its own."
        )
    return None


def actor_names(catalog: Catalog) -> dict[str, Actor]:
    """Every way of writing a known actor, folded (case and accents ignored) → the actor."""
    names: dict[str, Actor] = {}
    for actor in catalog.actors.values():
        for term in actor.terms:
            names.setdefault(_folded(term), actor)
    return names


def actor_for(phrase: str, names: Mapping[str, Actor]) -> Actor | None:
    """The known actor `phrase` names, if any (a "quoted" or prefix* phrase never does)."""
    if phrase.startswith('"') or phrase.endswith("*"):
        return None
    return names.get(_folded(phrase))


def watch_key(phrase: str, names: Mapping[str, Actor]) -> str:
    """What a phrase watches, for telling duplicates apart: the actor it names (so "Putin"
    and "Путин" are one watch), else its words with case and accents folded."""
    actor = actor_for(phrase, names)
    return f"actor:{actor.id}" if actor else f"words:{_folded(phrase)}"


def same_watches(phrase: str, current: Iterable[str], catalog: Catalog) -> list[str]:
    """Those of `current` that watch what `phrase` watches."""
    names = actor_names(catalog)
    key = watch_key(phrase, names)
    return [other for other in current if watch_key(other, names) == key]


def watch_rule(phrase: str, names: Mapping[str, Actor]) -> Topic:
    """The one-term rule a watched phrase compiles to (its id is the phrase)."""
    actor = actor_for(phrase, names)
    return Topic(
        id=phrase,
        title=phrase,
        description="",
        actors=(actor.id,) if actor else (),
        keywords=(),
        match_any=() if actor else (phrase,),
        exclude=(),
        min_actors=1,
        min_keywords=0,
    )


def compile_watches(phrases: Iterable[str], catalog: Catalog) -> Matcher:
    """One Matcher for all `phrases`; its matches' `topic` is the phrase."""
    names = actor_names(catalog)
    rules = {phrase: watch_rule(phrase, names) for phrase in phrases}
    return Matcher(Catalog(catalog.actors, MappingProxyType(rules), ()))


def watch_matches(matcher: Matcher, item: Item) -> tuple[WatchMatch, ...]:
    return tuple(WatchMatch(match.topic, match) for match in matcher.match(item))


class WatchIndex:
    """Every chat's watches, compiled; `match` an item to learn which phrases it satisfies."""

    def __init__(self, storage: Storage, catalog: Callable[[], Catalog]) -> None:
        self._storage = storage
        self._catalog = catalog
        self._built: tuple[Catalog, int] | None = None
        self._matcher: Matcher | None = None

    def match(self, item: Item) -> tuple[WatchMatch, ...]:
        matcher = self._current()
        return watch_matches(matcher, item) if matcher is not None else ()

    def _current(self) -> Matcher | None:
        catalog = self._catalog()
        wanted = (catalog, self._storage.watch_generation)
        if self._built is None or self._built[0] is not catalog or self._built[1] != wanted[1]:
            phrases = self._storage.watched_phrases()
            self._matcher = compile_watches(phrases, catalog) if phrases else None
            self._built = wanted
        return self._matcher


def decide(item: Item, matcher: Matcher, watches: WatchIndex | None) -> Alert | None:
    """The alert for `item` if a topic or a watch wants it. The text is the topics' alert
    when a topic matched (so topic followers see what they always saw); an item only watches
    want is rendered with its watch hits in bold and #watch in place of topic hashtags."""
    matches = matcher.match(item)
    watched = watches.match(item) if watches is not None else ()
    if matches:
        return replace(summarise(item, matches), watches=watched)
    if not watched:
        return None
    hits = tuple(hit for watch in watched for hit in watch.match.hits)
    rendered = summarise(item, [TopicMatch(WATCH_LABEL, hits=hits)])
    return Alert(item, (), rendered.html, rendered.plain, watches=watched)


def watch_lines(phrase: str, record: Mapping[str, Any]) -> list[str]:
    """Telegram HTML lines saying why a watch fired: the phrase and the text it matched."""
    hits = record.get("hits", [])
    found = terms_with_text(hits, "match_any", html.escape) + terms_with_text(
        hits, "actor", html.escape
    )
    rule = (
        "Rule: any name of this actor, in any form."
        if record.get("actors")
        else "Rule: the phrase as whole words, in any inflected form."
    )
    return [
        f"👁 <b>Your watch</b> “{html.escape(phrase)}”",
        f"• Matched: {', '.join(found)}" if found else "• Matched the phrase.",
        f"<i>{rule}</i>",
    ]


def why_delivery_text(reasons: DeliveryReasons, topics: Mapping[str, Topic]) -> str:
    """The Why? answer for one alert in one chat: its topics' rules, then this chat's watches
    that matched it (never another chat's)."""
    lines = [why_text(reasons.title, reasons.explanations, topics)]
    for phrase, record in reasons.watches:
        lines += ["", *watch_lines(phrase, record)]
    return "\n".join(lines)


def also_catches(phrase: str, catalog: Catalog) -> Sequence[str]:
    """The other names a watch on `phrase` catches (empty when it names no actor)."""
    actor = actor_for(phrase, actor_names(catalog))
    if actor is None:
        return ()
    return [t for t in actor.terms if _folded(t) != _folded(phrase)]


def _folded(term: str) -> str:
    return " ".join(fold_word(word) for word in term.strip().split())
