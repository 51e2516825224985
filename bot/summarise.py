"""Renders an alert: Telegram HTML for chats, plain text for the console and as a fallback.

Layout, one part a line: the title in bold, linked to the article; the source and the time
of publication; the summary; the topics as hashtags. An alert is rendered once, with the time
in UTC; `in_time_zone` rewrites that one line for a chat's own time zone when it is sent.

The summary (which sentences of the description, cut how, bold where) is chosen by
bot/summary.py.

Every string that came from a feed is escaped; the title is linked only to http(s) URLs. An
alert never exceeds Telegram's 4096-character limit, counted in UTF-16 code units: each part
is capped, and input that defeats the caps (a link of kilobytes; escaping makes each "&" five
characters) gives up the link and bold, then the summary.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .models import Alert, Item, TopicMatch
from .summary import choose_summary, marked_html
from .text import shorten

TELEGRAM_LIMIT = 4096
TITLE_LIMIT = 300
SOURCE_LIMIT = 80
# A longer link of another outlet's report is left out: its name is shown unlinked.
LINK_LIMIT = 500
HASHTAGS_LIMIT = 200


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
    summary = choose_summary(item, matches)
    full = _lines(_heading(item, title), byline, marked_html(summary), hashtags)
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
        choose_summary(item, matches).text,
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
