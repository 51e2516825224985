"""Renders an alert: Telegram HTML for chats, plain text for the console and as a fallback.

Every string that came from a feed is escaped; the title is linked only to http(s) URLs; each
part is length-capped so a message stays far below Telegram's 4096-character limit, which is
counted in UTF-16 code units.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .models import Alert, Item, TopicMatch
from .text import html_to_text, shorten

TELEGRAM_LIMIT = 4096
TITLE_LIMIT = 300
SUMMARY_LIMIT = 300
SOURCE_LIMIT = 80
# Hits shown in bold in the summary: who and where, not every keyword.
BOLD_ROLES = frozenset({"actor", "match_any"})


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
    heading = f"<b>{title}</b>"
    if _is_web_link(item.link):
        heading = f'<b><a href="{html.escape(item.link, quote=True)}">{title}</a></b>'
    lines = [heading, html.escape(_byline(item), quote=False)]
    summary = _summary_html(item, matches)
    if summary:
        lines.append(summary)
    lines.append(_hashtags(matches))
    return "\n".join(lines)


def render_plain(item: Item, matches: Sequence[TopicMatch]) -> str:
    """The same alert without markup; the link is spelled out since nothing can carry it."""
    lines = [shorten(item.title, TITLE_LIMIT), _byline(item)]
    summary = _summary_text(item)
    if summary:
        lines.append(summary)
    if item.link:
        lines.append(item.link)
    lines.append(_hashtags(matches))
    return "\n".join(lines)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def shorten_utf16(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, ending with "…" when cut."""
    if utf16_length(text) <= limit:
        return text
    cut = text.encode("utf-16-le")[: (limit - 1) * 2].decode("utf-16-le", errors="ignore")
    return cut + "…"


def _summary_text(item: Item) -> str:
    text = html_to_text(item.summary)
    if not text or text == item.title:
        return ""
    return shorten(text, SUMMARY_LIMIT)


def _summary_html(item: Item, matches: Sequence[TopicMatch]) -> str:
    """The escaped summary with the actors and places that made it match in bold."""
    text = html_to_text(item.summary)
    if not text or text == item.title:
        return ""
    spans = [
        (hit.start, hit.end)
        for match in matches
        for hit in match.hits
        if hit.field == "summary" and hit.role in BOLD_ROLES
    ]
    folded, bold = _fold_spaces(text, spans)
    short = shorten(folded, SUMMARY_LIMIT)
    kept = len(short) - 1 if short.endswith("…") and short != folded else len(short)
    parts: list[str] = []
    start = 0
    while start < kept:
        end = start
        while end < kept and bold[end] == bold[start]:
            end += 1
        piece = html.escape(short[start:end], quote=False)
        parts.append(f"<b>{piece}</b>" if bold[start] else piece)
        start = end
    return "".join(parts) + short[kept:]


def _fold_spaces(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[bool]]:
    """`text` with runs of whitespace folded to one space and trimmed (as `shorten` does),
    and for each remaining character whether it lies inside one of `spans`."""
    inside = [False] * len(text)
    for start, end in spans:
        inside[start:end] = [True] * (end - start)
    out: list[str] = []
    marks: list[bool] = []
    for index, char in enumerate(text):
        if char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                marks.append(inside[index] and index + 1 < len(text) and inside[index + 1])
            continue
        out.append(char)
        marks.append(inside[index])
    if out and out[-1] == " ":
        out.pop()
        marks.pop()
    return "".join(out), marks


def _byline(item: Item) -> str:
    source = shorten(item.feed, SOURCE_LIMIT)
    if item.published is None:
        return source
    # A date in the future is a feed's mistake (or time zone); show when we saw it instead.
    return f"{source} · {_when(min(item.published, datetime.now(UTC)))}"


def _when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M UTC")


def _hashtags(matches: Sequence[TopicMatch]) -> str:
    return " ".join("#" + m.topic.replace("-", "_") for m in matches)


def _is_web_link(link: str) -> bool:
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)
