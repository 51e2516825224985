"""Renders an alert: Telegram HTML for chats, plain text for the console and as a fallback.

Layout, one part a line: the title in bold, linked to the article; the source and the time
of publication; the summary; the topics as hashtags. An alert is rendered once, with the time
in UTC; `in_time_zone` rewrites that one line for a chat's own time zone when it is sent.

The summary is the item's description as plain text, feed boilerplate left out
(`feed_boilerplate.content_sentences`), reduced to the lead sentence and the sentence that
carries most of the matched terms (why the alert fired, when the lead does not say), in document
order, in one paragraph of at most SUMMARY_LIMIT characters. The actors and places that made
the item match are bold. The matcher's hits are offsets into the whole description, so they are
carried over character by character onto the sentences shown: a hit in a sentence left out
(boilerplate, or not chosen) is simply not bold.

Every string that came from a feed is escaped; the title is linked only to http(s) URLs. An
alert never exceeds Telegram's 4096-character limit, counted in UTF-16 code units: each part
is capped, and input that defeats the caps (a link of kilobytes; escaping makes each "&" five
characters) gives up the link and bold, then the summary.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import groupby
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .feed_boilerplate import content_sentences, unwrap_lines
from .models import Alert, Hit, Item, TopicMatch
from .text import html_to_text, shorten

TELEGRAM_LIMIT = 4096
TITLE_LIMIT = 300
# About four lines on a phone held sideways, six or seven upright; two sentences of news.
SUMMARY_LIMIT = 300
SOURCE_LIMIT = 80
# A longer link of another outlet's report is left out: its name is shown unlinked.
LINK_LIMIT = 500
HASHTAGS_LIMIT = 200
# Hits shown in bold in the summary: who and where, not every keyword.
BOLD_ROLES = frozenset({"actor", "match_any"})
# "[…]" at the end of a sentence: the feed's mark for a cut excerpt, shown as a plain "…".
_CUT_MARK = re.compile(r"\s*\[(?:…|\.\.\.)\]$")
_WORD = re.compile(r"\S+")


def summarise(item: Item, matches: Sequence[TopicMatch]) -> Alert:
    """The alert for `item`, which matched `matches`."""
    return Alert(
        item=item,
        matches=tuple(matches),
        html=render_html(item, matches),
        plain=render_plain(item, matches),
    )


def render_html(item: Item, matches: Sequence[TopicMatch]) -> str:
    title = html.escape(shorten(item.title, TITLE_LIMIT), quote=False)
    byline = html.escape(_byline(item), quote=False)
    hashtags = html.escape(_hashtags(matches), quote=False)
    summary = _summary(item, matches)
    full = _lines(_heading(item, title), byline, _marked_html(summary), hashtags)
    if utf16_length(full) <= TELEGRAM_LIMIT:
        return full
    # Only hostile input gets here. Without link and bold, the parts are capped so that the
    # title (<= 5 units a character once escaped), byline and hashtags alone always fit.
    bare = _lines(f"<b>{title}</b>", byline, html.escape(summary.text, quote=False), hashtags)
    if utf16_length(bare) <= TELEGRAM_LIMIT:
        return bare
    return _lines(f"<b>{title}</b>", byline, hashtags)


def render_plain(item: Item, matches: Sequence[TopicMatch]) -> str:
    """The same alert without markup; the link is spelled out since nothing can carry it."""
    text = _lines(
        shorten(item.title, TITLE_LIMIT),
        _byline(item),
        _summary(item, matches).text,
        item.link,
        _hashtags(matches),
    )
    return shorten_utf16(text, TELEGRAM_LIMIT)  # only a link of kilobytes can make it long


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def shorten_utf16(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, ending with "…" when cut."""
    if utf16_length(text) <= limit:
        return text
    cut = text.encode("utf-16-le")[: (limit - 1) * 2].decode("utf-16-le", errors="ignore")
    return cut + "…"


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _heading(item: Item, title: str) -> str:
    if not _is_web_link(item.link):
        return f"<b>{title}</b>"
    return f'<b><a href="{html.escape(item.link, quote=True)}">{title}</a></b>'


@dataclass(frozen=True)
class _Marked:
    """Summary text, and for each of its characters whether it is shown in bold."""

    text: str = ""
    bold: tuple[bool, ...] = ()


def _summary(item: Item, matches: Sequence[TopicMatch]) -> _Marked:
    """The lead sentence of the description and the one that carries the matched terms, with
    the actors and places in bold; empty when the description adds nothing to the title."""
    text = html_to_text(item.summary)  # where the matcher's hits point
    if not text or text == item.title:
        return _Marked()
    hits = [hit for match in matches for hit in match.hits if hit.field == "summary"]
    # Split into sentences without the raw line breaks, which are only spaces in HTML.
    unwrapped = html_to_text(unwrap_lines(item.summary))
    if unwrapped != text and (moved := _moved(hits, text, unwrapped)) is not None:
        text, hits = unwrapped, moved
    # Feeds often open the description with the title again.
    title = _comparable(item.title)
    sentences = [s for s in content_sentences(text) if _comparable(text[s[0] : s[1]]) != title]
    if not sentences:
        return _Marked()
    shown = _choose(sentences, hits)
    bold = _bold_characters(text, shown, [hit for hit in hits if hit.role in BOLD_ROLES])
    return _fit([_fold(text, sentence, bold) for sentence in shown], SUMMARY_LIMIT)


def _moved(hits: list[Hit], source: str, target: str) -> list[Hit] | None:
    """`hits`, offsets into `source`, as offsets into `target`: the same text with other
    whitespace, so the n-th non-space character of one is the n-th of the other. None if they
    differ otherwise (not expected: then `source` serves as it is)."""
    source_at = [i for i, char in enumerate(source) if not char.isspace()]
    target_at = [i for i, char in enumerate(target) if not char.isspace()]
    if [source[i] for i in source_at] != [target[i] for i in target_at]:
        return None
    moved = []
    for hit in hits:
        # A hit starts and ends on a word character; one that does not is left out (not bold).
        first, last = _rank(source_at, hit.start), _rank(source_at, hit.end - 1)
        if first is not None and last is not None and first <= last:
            moved.append(replace(hit, start=target_at[first], end=target_at[last] + 1))
    return moved


def _rank(positions: list[int], position: int) -> int | None:
    """The index of `position` in the sorted `positions`, if it is there."""
    index = bisect_left(positions, position)
    return index if index < len(positions) and positions[index] == position else None


def _comparable(text: str) -> str:
    return " ".join(text.split()).rstrip(".").casefold()


def _choose(sentences: list[tuple[int, int]], hits: list[Hit]) -> list[tuple[int, int]]:
    """The lead sentence, and the sentence with the most distinct matched terms (then the
    most hits; the first on a tie) when that is another one."""
    starts = [start for start, _ in sentences]
    inside: list[list[Hit]] = [[] for _ in sentences]
    for hit in hits:
        index = bisect_right(starts, hit.start) - 1
        if index >= 0 and hit.start < sentences[index][1]:
            inside[index].append(hit)
    weights = [(len({(hit.role, hit.term) for hit in found}), len(found)) for found in inside]
    key = weights.index(max(weights))
    return [sentences[0]] if key == 0 else [sentences[0], sentences[key]]


def _bold_characters(text: str, shown: list[tuple[int, int]], hits: list[Hit]) -> list[bool]:
    """For each character of `text`, whether it is bold: it lies in a hit that is shown whole
    (a name broken across a sentence left out is not bold at all)."""
    visible = [False] * len(text)
    for start, end in shown:
        visible[start:end] = [True] * (end - start)
    bold = [False] * len(text)
    for hit in hits:
        start, end = max(hit.start, 0), min(hit.end, len(text))
        if start < end and all(visible[i] or text[i].isspace() for i in range(start, end)):
            bold[start:end] = [True] * (end - start)
    return bold


def _fold(text: str, sentence: tuple[int, int], bold: list[bool]) -> _Marked:
    """The sentence with its whitespace folded to single spaces and trimmed, marked bold as
    `bold` says; a space is bold only inside a bold name ("Vladimir Putin")."""
    chars: list[str] = []
    marks: list[bool] = []
    previous_end = -1
    for word in _WORD.finditer(text, *sentence):
        if chars:
            chars.append(" ")
            marks.append(bold[previous_end - 1] and bold[previous_end] and bold[word.start()])
        chars.append(word.group())
        marks.extend(bold[word.start() : word.end()])
        previous_end = word.end()
    folded = "".join(chars)
    if cut_mark := _CUT_MARK.search(folded):
        return _Marked(folded[: cut_mark.start()] + "…", (*marks[: cut_mark.start()], False))
    return _Marked(folded, tuple(marks))


def _fit(parts: list[_Marked], limit: int) -> _Marked:
    """`parts` (one or two sentences) joined by a space within `limit` characters. When two do
    not fit whole, a short one stays whole and the other is cut; two long ones share."""
    if len(parts) == 1:
        return _cut(parts[0], limit)
    lead, key = parts
    room = limit - 1
    lead_room = min(len(lead.text), max(room // 2, room - len(key.text)))
    lead, key = _cut(lead, lead_room), _cut(key, room - lead_room)
    return _Marked(f"{lead.text} {key.text}", (*lead.bold, False, *key.bold))


def _cut(part: _Marked, limit: int) -> _Marked:
    """`part` cut at a word boundary with "…" (as `shorten`), its marks cut alike."""
    short = shorten(part.text, limit)
    if short == part.text:
        return part
    kept = len(short) - 1  # shorten keeps a prefix of the (already folded) text, then "…"
    return _Marked(short, (*part.bold[:kept], False))


def _marked_html(summary: _Marked) -> str:
    """The summary escaped, each run of bold characters in <b>."""
    pieces: list[str] = []
    for bold, run in groupby(zip(summary.text, summary.bold, strict=True), key=lambda c: c[1]):
        piece = html.escape("".join(char for char, _ in run), quote=False)
        pieces.append(f"<b>{piece}</b>" if bold else piece)
    return "".join(pieces)


def _byline(item: Item) -> str:
    source = shorten(item.feed, SOURCE_LIMIT)
    if item.published is None:
        return source
    # A date in the future is a feed's mistake (or time zone); show when we saw it instead.
    return f"{source} · {_when(min(item.published, datetime.now(UTC)))}"


def _when(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """ "21 Feb 2022 19:05 UTC"; in a zone, with the zone's abbreviation ("21:05 EET")."""
    if zone is None:
        return moment.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    local = moment.astimezone(zone)
    abbreviation = local.tzname() or ""
    if abbreviation[:1] in {"+", "-"}:  # zones without a letter abbreviation: "+03"
        abbreviation = f"UTC{abbreviation}"
    return f"{local:%d %b %Y %H:%M} {abbreviation}".rstrip()


def in_time_zone(text: str, published: datetime, zone: ZoneInfo) -> str:
    """An alert's text (HTML or plain) with its time line shown in `zone` rather than UTC.
    Only the byline (the second line, ending with the UTC time) changes; text whose byline
    does not show `published` is returned as it is, still correct, in UTC."""
    lines = text.split("\n")
    suffix = f" · {_when(published)}"
    if len(lines) < 2 or not lines[1].endswith(suffix):
        return text
    lines[1] = f"{lines[1][: -len(suffix)]} · {_when(published, zone)}"
    return "\n".join(lines)


def _hashtags(matches: Sequence[TopicMatch]) -> str:
    return shorten(" ".join("#" + m.topic.replace("-", "_") for m in matches), HASHTAGS_LIMIT)


def _is_web_link(link: str) -> bool:
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def with_sources(
    html_text: str,
    plain: str,
    sources: Sequence[str],
    links: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """The alert (html, plain) with a last line naming the other outlets that reported the
    same story: "Also reported by: BBC, Al Jazeera", each name linked to that outlet's report
    when `links` has a web link for it. Names that do not fit within Telegram's limit are
    counted ("and 3 more"); with no room at all the alert stays as it was."""
    if not sources:
        return html_text, plain
    names = [shorten(source, SOURCE_LIMIT) for source in sources]
    shown_html = [
        _linked(name, (links or {}).get(source, ""))
        for name, source in zip(names, sources, strict=True)
    ]
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        more = f" and {rest} more" if rest else ""
        line = "Also reported by: " + ", ".join(names[:shown]) + more
        html_full = f"{html_text}\n<i>Also reported by: {', '.join(shown_html[:shown])}{more}</i>"
        plain_full = f"{plain}\n{line}"
        if max(utf16_length(html_full), utf16_length(plain_full)) <= TELEGRAM_LIMIT:
            return html_full, plain_full
    return html_text, plain


def _linked(name: str, link: str) -> str:
    escaped = html.escape(name, quote=False)
    if not link or not _is_web_link(link) or len(link) > LINK_LIMIT:
        return escaped
    return f'<a href="{html.escape(link, quote=True)}">{escaped}</a>'
