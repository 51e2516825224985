"""Turns feed bytes into Items with feedparser. Pure and blocking: callers run it in a thread.

Survivable malformations (feedparser's "bozo" feeds that still yield entries) are accepted; an
entry without a title or a link is skipped rather than failing the feed; a document that is not
a feed at all raises ParseError, so it is recorded as a feed error and never as "no new items".
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from .errors import ParseError
from .models import FetchResult, Item
from .text import html_to_text


def parse_feed(feed_name: str, fetched: FetchResult) -> list[Item]:
    """Every readable entry of the document, in document order.

    feedparser is handed bytes, never a URL, so it does no I/O of its own.
    """
    headers = {k.lower(): v for k, v in fetched.headers.items()}
    headers.setdefault("content-location", fetched.url)
    try:
        parsed = feedparser.parse(fetched.content, response_headers=headers)
    except Exception as exc:
        raise ParseError(f"feed parser failed: {type(exc).__name__}: {exc}") from exc
    if not parsed.entries and not _is_intact_feed(parsed):
        reason = parsed.get("bozo_exception") or "no RSS or Atom document found"
        raise ParseError(f"not a readable RSS/Atom feed: {reason}")
    language = parsed.get("feed", {}).get("language") or None
    return list(_items(feed_name, parsed.entries, language))


def _is_intact_feed(parsed: Any) -> bool:
    """A document with no entries is an empty feed only if nothing is wrong with it but
    a missing or overridden content type; otherwise an outage page could pass as "no news"."""
    if not parsed.get("version"):
        return False
    problem = parsed.get("bozo_exception")
    return problem is None or isinstance(problem, _HARMLESS)


_HARMLESS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)


def _items(feed_name: str, entries: list[Any], language: str | None) -> Iterator[Item]:
    for entry in entries:
        title = html_to_text(entry.get("title", ""))
        link = (entry.get("link") or "").strip()
        if not title and not link:
            continue
        summary = _summary(entry)
        yield Item(
            feed=feed_name,
            key=_identity(entry, link, title, summary),
            title=title or link,
            link=link,
            summary=summary,
            published=_published(entry),
            language=language,
        )


def _summary(entry: Mapping[str, Any]) -> str:
    summary = entry.get("summary") or ""
    if not summary:
        contents = entry.get("content") or []
        summary = contents[0].get("value", "") if contents else ""
    return str(summary)


def _identity(entry: Mapping[str, Any], link: str, title: str, summary: str) -> str:
    guid = (entry.get("id") or "").strip()
    if guid:
        return guid
    if link:
        return link
    digest = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
    return f"sha256:{digest}"


def _published(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (ValueError, OverflowError, OSError):
                continue  # a date like 0001-01-01 in local time: not a usable date
    return None
