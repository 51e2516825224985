"""Frozen data handed from one stage to the next: FetchResult → Item → Match → Alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Validators:
    """What the next request sends to ask "changed since?": the server's ETag and
    Last-Modified verbatim, and a hash of the body for servers that ignore both."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """Bytes of a feed document as the server sent them, with what the parser needs.

    `moved_to` is where a chain of permanent redirects (301/308) from the requested URL led.
    """

    url: str
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    validators: Validators = field(default_factory=Validators)
    moved_to: str | None = None


@dataclass(frozen=True)
class NotModified:
    """The feed has not changed since the last poll (a 304, or the same body again)."""

    url: str
    validators: Validators
    moved_to: str | None = None
    reason: str = "304"


@dataclass(frozen=True)
class Item:
    """One feed entry, reduced to what matching and alerting use.

    `key` is the item's identity within its feed (guid, else link, else a content hash).
    `link_key` is its canonical link ("" without one): an item whose guid changed but whose
    link is known is not new.
    `summary` is the feed's description as sent (may contain HTML).
    """

    feed: str
    key: str
    title: str
    link: str
    summary: str = ""
    published: datetime | None = None
    language: str | None = None  # as the feed declares it, e.g. "en-gb", "ru"
    link_key: str = ""


@dataclass(frozen=True)
class Hit:
    """One occurrence of a term that decided a match: which term (the actor's name for an
    alias), its role, and where: `field` ("title" or "summary") and the character span in
    that field's plain text (HTML removed)."""

    term: str
    role: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class TopicMatch:
    """Why an item is relevant to one topic: the terms that fired, and where."""

    topic: str
    actors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    match_any: tuple[str, ...] = ()
    hits: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class WatchMatch:
    """Why an item is relevant to a watched phrase (`/watch Putin`): the phrase as chats wrote
    it, and the match of the rule it compiles to (see watches.py)."""

    phrase: str
    match: TopicMatch


@dataclass(frozen=True)
class Alert:
    """A message ready to send: the item, the topics it matched, and its rendered text.

    `html` is what chats receive; `plain` is the same alert without markup, for the console and
    for when Telegram cannot parse the HTML.
    """

    item: Item
    matches: tuple[TopicMatch, ...]
    html: str
    plain: str
    # Personal watches (/watch) the item matched: they reach the chats watching those phrases.
    watches: tuple[WatchMatch, ...] = ()

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(m.topic for m in self.matches)
