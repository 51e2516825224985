"""What a config reload changes: topics, their terms, actors and feeds added or removed.

Pure: two Catalogs in, a CatalogDiff out, and `describe` renders it as the plain-text lines
an admin reads after `/reload` or after an edit of config/*.toml is picked up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .catalog import Actor, Catalog, Feed, Topic

# The parts of a topic's rule a reload reports term by term.
TERM_FIELDS = ("actors", "keywords", "match_any", "exclude")


@dataclass(frozen=True)
class TermChange:
    """Terms added to or removed from one list of a topic (`topics.x.keywords`) or an actor."""

    where: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogDiff:
    topics_added: tuple[str, ...] = ()
    topics_removed: tuple[str, ...] = ()
    topics_retitled: tuple[str, ...] = ()
    terms: tuple[TermChange, ...] = ()
    actors_added: tuple[str, ...] = ()
    actors_removed: tuple[str, ...] = ()
    feeds_added: tuple[Feed, ...] = ()
    feeds_removed: tuple[Feed, ...] = ()
    feeds_changed: tuple[tuple[Feed, Feed], ...] = ()  # (before, after): new URL or interval

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.topics_added,
                self.topics_removed,
                self.topics_retitled,
                self.terms,
                self.actors_added,
                self.actors_removed,
                self.feeds_added,
                self.feeds_removed,
                self.feeds_changed,
            )
        )


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """Everything that differs between `old` and `new`, in config order."""
    old_feeds = {feed.name: feed for feed in old.feeds}
    new_feeds = {feed.name: feed for feed in new.feeds}
    kept_topics = [t for t in new.topics if t in old.topics]
    return CatalogDiff(
        topics_added=_added(old.topics, new.topics),
        topics_removed=_added(new.topics, old.topics),
        topics_retitled=tuple(t for t in kept_topics if old.topics[t].title != new.topics[t].title),
        terms=(
            *_topic_terms(old.topics, new.topics, kept_topics),
            *_actor_terms(old.actors, new.actors),
        ),
        actors_added=_added(old.actors, new.actors),
        actors_removed=_added(new.actors, old.actors),
        feeds_added=tuple(new_feeds[n] for n in _added(old_feeds, new_feeds)),
        feeds_removed=tuple(old_feeds[n] for n in _added(new_feeds, old_feeds)),
        feeds_changed=tuple(
            (old_feeds[name], feed)
            for name, feed in new_feeds.items()
            if name in old_feeds and old_feeds[name] != feed
        ),
    )


def describe(diff: CatalogDiff) -> list[str]:
    """One line per change, e.g. `+ topic energy`, `- keywords of russia-ukraine: troops`."""
    if diff.empty:
        return ["no changes"]
    lines = [f"+ topic {t}" for t in diff.topics_added]
    lines += [f"- topic {t}" for t in diff.topics_removed]
    lines += [f"~ topic {t}: new title" for t in diff.topics_retitled]
    lines += [f"+ actor {a}" for a in diff.actors_added]
    lines += [f"- actor {a}" for a in diff.actors_removed]
    for change in diff.terms:
        if change.added:
            lines.append(f"+ {change.where}: {', '.join(change.added)}")
        if change.removed:
            lines.append(f"- {change.where}: {', '.join(change.removed)}")
    lines += [f"+ feed {f.name} ({f.url}, every {f.interval} s)" for f in diff.feeds_added]
    lines += [f"- feed {f.name}" for f in diff.feeds_removed]
    for before, feed in diff.feeds_changed:
        what = [f"URL now {feed.url}"] if before.url != feed.url else []
        what += [f"every {feed.interval} s"] if before.interval != feed.interval else []
        lines.append(f"~ feed {feed.name}: {', '.join(what)}")
    return lines


def _added(old: Mapping[str, object], new: Mapping[str, object]) -> tuple[str, ...]:
    return tuple(key for key in new if key not in old)


def _topic_terms(
    old: Mapping[str, Topic], new: Mapping[str, Topic], kept: list[str]
) -> list[TermChange]:
    changes = []
    for topic_id in kept:
        for name in TERM_FIELDS:
            change = _terms(
                f"{name} of {topic_id}", getattr(old[topic_id], name), getattr(new[topic_id], name)
            )
            if change is not None:
                changes.append(change)
    return changes


def _actor_terms(old: Mapping[str, Actor], new: Mapping[str, Actor]) -> list[TermChange]:
    changes = []
    for actor_id in (a for a in new if a in old):
        change = _terms(f"names of actor {actor_id}", old[actor_id].terms, new[actor_id].terms)
        if change is not None:
            changes.append(change)
    return changes


def _terms(where: str, old: tuple[str, ...], new: tuple[str, ...]) -> TermChange | None:
    added = tuple(t for t in new if t not in old)
    removed = tuple(t for t in old if t not in new)
    return TermChange(where, added, removed) if added or removed else None
