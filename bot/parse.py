"""Turns feed bytes into Items with feedparser. Pure and blocking: callers run it in a thread.

Survivable malformations (feedparser's "bozo" feeds that still yield entries) are accepted; an
entry without a title or a link is skipped rather than failing the feed; a document that is not
a feed at all raises ParseError, so it is recorded as a feed error and never as "no new items".

Identity (`Item.key`), decided over the whole document so that it is stable from poll to poll:
the guid when present and unique in the document, else the canonical link (see `bot.urls`)
when unique in the document, else a hash of title and summary. A guid or link that several
entries share names none of them, so duplicate guids (or one home-page link on every entry) do
not hide distinct items. An entry repeated verbatim is dropped. `Item.link_key` is the
canonical link ("" without a link). A site's home page is never a key, even when unique: a feed
may link every item to it, one item per poll. Storage knows an item by its key, or by its
link_key together with its title, which also tells apart items that share a link.

Two defences run before feedparser sees the bytes. Entity declarations in the DOCTYPE are
removed, since they are how a document makes an XML parser expand text a billion-fold or read
other files; a news feed has no use for them. And a charset label that would garble the text is
corrected (see `_response_headers`).
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from .errors import ParseError
from .models import FetchResult, Item
from .text import html_to_text
from .urls import canonical_link, is_site_root


def parse_feed(feed_name: str, fetched: FetchResult) -> list[Item]:
    """Every readable entry of the document, in document order.

    feedparser is handed a stream, never a URL or bare bytes, so it does no I/O of its own:
    given bytes it first tries them as a file name, so a body reading "/dev/zero" would hang.
    """
    content = _without_entity_declarations(fetched.content)
    headers = _response_headers(fetched.url, fetched.headers, content)
    try:
        parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    except Exception as exc:
        raise ParseError(f"feed parser failed: {type(exc).__name__}: {exc}") from exc
    if not parsed.entries and not _is_intact_feed(parsed):
        reason = parsed.get("bozo_exception") or "no RSS or Atom document found"
        raise ParseError(f"not a readable RSS/Atom feed: {reason}")
    language = parsed.get("feed", {}).get("language") or None
    return _identified(list(_drafts(feed_name, parsed.entries, language)))


# --- Entity declarations -------------------------------------------------------------------

# An internal DTD subset: `<!DOCTYPE name ... [ declarations ]>`.
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<\w")  # where the prolog ends, as feedparser reckons it
# The same keyword in the wide encodings feedparser also reads (UTF-16/32, EBCDIC).
_WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037")
_WIDE_ENTITY = tuple("<!ENTITY".encode(codec) for codec in _WIDE_CODECS)


def _without_entity_declarations(content: bytes) -> bytes:
    """The document with its DOCTYPE's internal subset removed when it declares entities.

    feedparser drops nested entities (billion laughs) but keeps those whose text has no `&`
    and expands them in both of its parsers: a 10 KB entity referenced 3000 times made a 30 MB
    summary, and defusedxml's quadratic.xml took 350 MB to reject. A reference to a removed
    entity is undefined, so feedparser's lenient parser keeps it as text; HTML names such as
    `&nbsp;` still resolve.
    """
    if any(marker in content for marker in _WIDE_ENTITY):
        raise ParseError("document declares XML entities in a wide encoding; refused")
    if not _ENTITY.search(content):
        return content
    subset = _DOCTYPE_SUBSET.search(content)
    if subset and subset.start() < _prolog_end(content):
        content = content[: subset.start()] + content[subset.end() :]
    if _ENTITY.search(content, 0, _prolog_end(content)):
        raise ParseError("document declares XML entities outside a readable DOCTYPE; refused")
    return content


def _prolog_end(content: bytes) -> int:
    element = _FIRST_ELEMENT.search(content)
    return element.start() if element else len(content)


# --- Character encoding --------------------------------------------------------------------

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 byte order marks begin so
_CHARSET = re.compile(r";\s*charset\s*=\s*[^;]*", re.IGNORECASE)


def _response_headers(url: str, received: Mapping[str, str], content: bytes) -> dict[str, str]:
    """The HTTP headers as feedparser should see them.

    feedparser decodes with the first label that does not fail. Two labels never fail and so
    garble text without a trace: a missing Content-Type, which it reads as HTTP's ISO-8859-1
    default (XML's own default is the declaration, else UTF-8, then detection by chardet); and
    a single-byte charset such as windows-1251 on a body that is in fact UTF-8 (sites that
    moved to UTF-8 and kept their server's old label). Bytes that decode as UTF-8 and contain
    multi-byte sequences are UTF-8 whatever the label says: text in a legacy encoding almost
    never forms valid UTF-8 by chance. A label that fails (windows-1251 bytes sent as UTF-8)
    is left to feedparser, which then tries the XML declaration and chardet.
    """
    headers = {name.lower(): value for name, value in received.items()}
    headers.setdefault("content-location", url)
    content_type = headers.get("content-type") or "application/xml"
    if _is_utf8(content):
        content_type = _CHARSET.sub("", content_type) + "; charset=utf-8"
    headers["content-type"] = content_type
    return headers


def _is_utf8(content: bytes) -> bool:
    """Valid UTF-8 with some non-ASCII text, and not UTF-16/32 (which holds zero bytes)."""
    if content.startswith(_WIDE_BOMS) or b"\x00" in content or content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- Entries -------------------------------------------------------------------------------


def _is_intact_feed(parsed: Any) -> bool:
    """A document with no entries is an empty feed only if nothing is wrong with it but
    a missing or overridden content type; otherwise an outage page could pass as "no news"."""
    if not parsed.get("version"):
        return False
    problem = parsed.get("bozo_exception")
    return problem is None or isinstance(problem, _HARMLESS)


_HARMLESS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)


def _drafts(feed_name: str, entries: list[Any], language: str | None) -> Iterator[Item]:
    """Items with their guid as a provisional key; `_identified` settles the keys."""
    for entry in entries:
        title = html_to_text(entry.get("title", ""))
        link = (entry.get("link") or "").strip()
        if not title and not link:
            continue
        yield Item(
            feed=feed_name,
            key=(entry.get("id") or "").strip(),
            title=title or link,
            link=link,
            summary=_summary(entry),
            published=_published(entry),
            language=language,
            link_key=_link_key(link),
        )


def _link_key(link: str) -> str:
    return canonical_link(link) if link else ""


def _identified(drafts: list[Item]) -> list[Item]:
    """The items with their final keys and link_keys (rules in the module docstring)."""
    unique = _without_repeats(drafts)
    guids = Counter(item.key for item in unique if item.key)
    links = Counter(item.link_key for item in unique if item.link_key)
    keyed: dict[str, Item] = {}
    for item in unique:
        key = _key(item, guids, links)
        if key in keyed:  # a guid equal to another entry's link, or a link equal to a guid
            key = _text_hash(item)
            if key in keyed:
                continue  # same title and summary as an item already kept: nothing new
        keyed[key] = replace(item, key=key)
    return list(keyed.values())


def _without_repeats(drafts: list[Item]) -> list[Item]:
    """The drafts less any that repeats an earlier one verbatim (guid, link, title, summary),
    so that a feed listing one story twice does not make its guid look shared."""
    seen: set[tuple[str, str, str, str]] = set()
    unique = []
    for draft in drafts:
        fingerprint = (draft.key, draft.link_key, draft.title, draft.summary)
        if fingerprint not in seen:
            seen.add(fingerprint)
            unique.append(draft)
    return unique


def _key(draft: Item, guids: Counter[str], links: Counter[str]) -> str:
    if draft.key and guids[draft.key] == 1:
        return draft.key  # the guid itself: databases already hold keys in this form
    if draft.link_key and links[draft.link_key] == 1 and not is_site_root(draft.link_key):
        return draft.link_key
    return _text_hash(draft)


def _text_hash(item: Item) -> str:
    digest = hashlib.sha256(f"{item.title}\n{item.summary}".encode()).hexdigest()
    return f"sha256:{digest}"


def _summary(entry: Mapping[str, Any]) -> str:
    summary = entry.get("summary") or ""
    if not summary:
        contents = entry.get("content") or []
        summary = contents[0].get("value", "") if contents else ""
    return str(summary)


def _published(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (ValueError, OverflowError, OSError):
                continue  # a date like 0001-01-01 in local time: not a usable date
    return None
