"""Why an alert was sent, as data (stored with the alert, printed by `preview --json`) and as
the short text `/why` replies with."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .catalog import Topic
from .models import Item, TopicMatch
from .text import html_to_text

ROLE_LABELS = (
    ("match_any", "Strong signal"),
    ("actor", "Actors"),
    ("keyword", "Keywords"),
)


def explanation(match: TopicMatch, item: Item | None = None) -> dict[str, Any]:
    """One topic's match as JSON: the terms that fired, and each place they fired. With the
    item, each hit also carries the text it matched ("Putin’s" for the actor Vladimir Putin)."""
    texts = {}
    if item is not None:
        texts = {"title": html_to_text(item.title), "summary": html_to_text(item.summary)}
    hits = []
    for hit in match.hits:
        record: dict[str, Any] = {
            "term": hit.term,
            "role": hit.role,
            "field": hit.field,
            "start": hit.start,
            "end": hit.end,
        }
        if hit.field in texts:
            record["text"] = texts[hit.field][hit.start : hit.end]
        hits.append(record)
    return {
        "topic": match.topic,
        "actors": list(match.actors),
        "keywords": list(match.keywords),
        "match_any": list(match.match_any),
        "hits": hits,
    }


def why_text(
    title: str, explanations: Sequence[Mapping[str, Any]], topics: Mapping[str, Topic]
) -> str:
    """The /why reply (Telegram HTML): per topic, the rule and the terms that satisfied it."""
    lines = [f"<b>Why you got</b> “{html.escape(title)}”"]
    for record in explanations:
        topic = topics.get(record["topic"])
        name = topic.title if topic else record["topic"]
        lines.append("")
        lines.append(f"<b>{html.escape(name)}</b> (#{record['topic'].replace('-', '_')})")
        for role, label in ROLE_LABELS:
            found = terms_with_text(record.get("hits", []), role, html.escape)
            if found:
                lines.append(f"• {label}: {', '.join(found)}")
        if topic is not None:
            lines.append(f"<i>{html.escape(rule_text(topic, bool(record.get('match_any'))))}</i>")
        else:
            lines.append("<i>This topic has since been removed from the configuration.</i>")
    return "\n".join(lines)


def rule_text(topic: Topic, by_signal: bool) -> str:
    """The rule of `topic` in one sentence, from the branch that fired."""
    if by_signal:
        return "Rule: a strong signal alone is enough for this topic."
    actors = "an actor" if topic.min_actors == 1 else f"{topic.min_actors} different actors"
    keywords = "a keyword" if topic.min_keywords == 1 else f"{topic.min_keywords} keywords"
    sides = " (one from each side)" if topic.sides else ""
    where = " in one sentence" if topic.within == "sentence" else ""
    return f"Rule: {actors}{sides} and {keywords}{where}."


def terms_with_text(
    hits: Sequence[Mapping[str, Any]], role: str, escape: Callable[[str], str] = str
) -> list[str]:
    """`Vladimir Putin (“Putin”, headline)`: each term of `role` once, with the text it
    matched (when that differs from the term) and where it first fired."""
    shown: dict[str, str] = {}
    for hit in hits:
        if hit["role"] != role or hit["term"] in shown:
            continue
        term = escape(hit["term"])
        text = hit.get("text")
        where = "headline" if hit["field"] == "title" else "summary"
        if text and text.casefold() != hit["term"].casefold():
            shown[hit["term"]] = f"{term} (“{escape(text)}”, {where})"
        else:
            shown[hit["term"]] = f"{term} ({where})"
    return list(shown.values())
