"""`/test <headline>`: which topics and which of a chat's watches would fire for a text, and why.

Pure: the catalog's matcher and the chat's watches in, Telegram HTML out, so a user can try a
headline before relying on a topic or a watch.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from dataclasses import replace
from types import MappingProxyType

from .catalog import Catalog, Topic
from .explain import ROLE_LABELS, explanation, rule_text, terms_with_text
from .match import Matcher
from .models import Item
from .text import shorten
from .watches import compile_watches, watch_lines, watch_matches

HEADLINE_LIMIT = 300


def trial_text(
    headline: str,
    matcher: Matcher,
    catalog: Catalog,
    watches: Sequence[str],
    followed: Collection[str],
    suffix: str = "",
) -> str:
    """What would happen to an item with this headline in a chat that follows `followed` and
    watches `watches`; `suffix` (" @channel") makes the commands it suggests apply to a channel
    tested from a private chat."""
    item = Item(feed="test", key="test", title=headline, link="")
    shown = html.escape(shorten(headline, HEADLINE_LIMIT))
    lines = [f"🧪 <b>Testing</b> “{shown}”"]
    matches = matcher.match(item)
    for match in matches:
        topic = catalog.topics[match.topic]
        record = explanation(match, item)
        mark = (
            "✅ you follow it"
            if topic.id in followed
            else f"not followed: /subscribe {html.escape(topic.id)}{suffix}"
        )
        tag = topic.id.replace("-", "_")
        lines += ["", f"<b>{html.escape(topic.title)}</b> (#{tag}) – {mark}"]
        for role, label in ROLE_LABELS:
            found = terms_with_text(record["hits"], role, html.escape)
            if found:
                lines.append(f"• {label}: {', '.join(found)}")
        lines.append(f"<i>{html.escape(rule_text(topic, bool(match.match_any)))}</i>")
    fired = bool(matches)
    for topic, excluded in vetoes(item, catalog, {m.topic for m in matches}):
        terms = ", ".join(f"“{html.escape(term)}”" for term in excluded)
        lines += [
            "",
            f"⛔ <b>{html.escape(topic.title)}</b> would fire, but the text mentions {terms}, "
            "which the topic excludes.",
        ]
    if watches:
        for watch in watch_matches(compile_watches(watches, catalog), item):
            lines += ["", *watch_lines(watch.phrase, explanation(watch.match, item))]
            fired = True
    if not fired:
        lines += [
            "",
            "Nothing would fire for this text. /topics shows what topics look for; "
            f"/watch{suffix} &lt;phrase&gt; adds your own keyword.",
        ]
    else:
        lines += ["", "Alerts go to this chat for the topics it follows and its watches."]
    return "\n".join(lines)


def vetoes(item: Item, catalog: Catalog, fired: Collection[str]) -> list[tuple[Topic, list[str]]]:
    """Topics that would fire for `item` but for their `exclude` terms, with the terms found."""
    unvetoed = {t.id: replace(t, exclude=()) for t in catalog.topics.values() if t.exclude}
    if not unvetoed:
        return []
    found = []
    for match in _matcher(catalog, unvetoed).match(item):
        if match.topic in fired:
            continue
        topic = catalog.topics[match.topic]
        one_each = {
            str(n): replace(topic, id=str(n), match_any=(term,), exclude=(), actors=(), keywords=())
            for n, term in enumerate(topic.exclude)
        }
        hits = _matcher(catalog, one_each).match(item)
        found.append((topic, [topic.exclude[int(hit.topic)] for hit in hits]))
    return found


def _matcher(catalog: Catalog, topics: dict[str, Topic]) -> Matcher:
    return Matcher(Catalog(catalog.actors, MappingProxyType(topics), ()))
