"""Config that is legal but probably wrong: warnings, not errors, so the bot still starts.

Shared aliases between actors, terms an exclude always vetoes, terms listed twice, words that
mix scripts (a Cyrillic `і` pasted into `Putin`), actors no topic uses. Each warning names the
file and key like the errors do; `check-config` and reloads show them to the admin.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .errors import ConfigProblem
from .text import fold_word

if TYPE_CHECKING:  # catalog imports this module to build the Catalog; only types go back
    from .catalog import Actor, Topic


def _folded(term: str) -> str:
    return " ".join(fold_word(w) for w in term.strip('"').split())


def config_warnings(
    actors: Mapping[str, Actor], topics: Mapping[str, Topic], file: str
) -> list[ConfigProblem]:
    """Legal but probably wrong: shared aliases, terms an exclude always vetoes, terms listed
    twice, words that mix scripts (a Cyrillic `і` pasted into `Putin`), actors no topic uses."""
    found: list[ConfigProblem] = []
    owners: dict[str, str] = {}
    for actor in actors.values():
        for index, term in enumerate(actor.terms):
            where = (
                f"actors.{actor.id}.name"
                if index == 0
                else f"actors.{actor.id}.aliases[{index - 1}]"
            )
            found += _term_warnings(term, file, where)
        for term in dict.fromkeys(_folded(t) for t in actor.terms):
            if term in owners and owners[term] != actor.id:
                message = f"alias {term!r} is shared with actor {owners[term]!r}"
                found.append(ConfigProblem(file, f"actors.{actor.id}", message))
            owners.setdefault(term, actor.id)
    used = {actor_id for topic in topics.values() for actor_id in topic.actors}
    for actor_id in actors:
        if actor_id not in used:
            message = "no topic lists this actor, so it never matches anything"
            found.append(ConfigProblem(file, f"actors.{actor_id}", message))
    for topic in topics.values():
        excluded = {_folded(t) for t in topic.exclude}
        for field in ("keywords", "match_any", "exclude"):
            seen: set[str] = set()
            for index, term in enumerate(getattr(topic, field)):
                where = f"topics.{topic.id}.{field}[{index}]"
                found += _term_warnings(term, file, where)
                if term in seen:
                    found.append(ConfigProblem(file, where, f"{term!r} is listed twice"))
                seen.add(term)
                if field != "exclude" and _folded(term) in excluded:
                    message = f"{term!r} is also an exclude term, so it can never match"
                    found.append(ConfigProblem(file, where, message))
    return found


def _term_warnings(term: str, file: str, where: str) -> list[ConfigProblem]:
    for word in term.split():
        scripts = {_script_of(char) for char in word if char.isalpha()}
        if len(scripts) > 1:
            names = " and ".join(sorted(scripts))
            message = f"{term!r} mixes {names} letters in one word; it will only match that mix"
            return [ConfigProblem(file, where, message)]
    return []


def _script_of(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"
