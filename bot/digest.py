"""Several alerts as one message: what a chat over its alert budget receives instead of a flood,
and the digest a chat receives for the alerts it kept back (digest mode, quiet hours, pause).

A headline list (linked titles with their source), newest last, in Telegram HTML and in plain
text, always within Telegram's 4096 UTF-16 units: titles that do not fit are counted, not cut.
A digest groups its lines by topic and shows each story once, with how many sources had it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Protocol

from .summarise import TELEGRAM_LIMIT, utf16_length
from .text import shorten
from .urls import canonical_link, is_site_root

TITLE_LIMIT = 160
# A longer link (escaped) is hostile input; shown, it could keep even one line from fitting.
LINK_LIMIT = 1000
_ROOM = TELEGRAM_LIMIT - 100  # for the "… and N more" line


class Headline(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def link(self) -> str: ...

    @property
    def feed(self) -> str: ...


def merged_alerts(alerts: Sequence[Headline]) -> tuple[str, str, int]:
    """(html, plain, shown) of one message listing the first `shown` of `alerts`: as many as
    fit, oldest first; the caller keeps the others for a later message."""
    heading = "🗞 Several alerts at once, merged into one message to spare your phone"
    html_lines = [f"<b>{html.escape(heading)}</b>"]
    plain_lines = [heading]
    html_size, plain_size = utf16_length(html_lines[0]), utf16_length(heading)
    shown = 0
    for alert in alerts:
        title = shorten(alert.title, TITLE_LIMIT)
        source = f" · {shorten(alert.feed, 40)}" if alert.feed else ""
        link = html.escape(alert.link, quote=True)
        html_line = f'• <a href="{link}">{html.escape(title)}</a>{html.escape(source)}'
        if not _linkable(alert.link):
            html_line = f"• {html.escape(title)}{html.escape(source)}"
        plain_line = f"• {title}{source}"
        if alert.link and len(alert.link) <= LINK_LIMIT:
            plain_line += f"\n  {alert.link}"
        html_size += utf16_length(html_line) + 1
        plain_size += utf16_length(plain_line) + 1
        if html_size > _ROOM or plain_size > _ROOM:
            rest = f"… {len(alerts) - shown} more in the next message"
            html_lines.append(rest)
            plain_lines.append(rest)
            break
        html_lines.append(html_line)
        plain_lines.append(plain_line)
        shown += 1
    return "\n".join(html_lines), "\n".join(plain_lines), shown


# -- digests: what a chat kept back (digest mode, quiet hours, pause) receives -----------------


class DigestEntry(Headline, Protocol):
    @property
    def id(self) -> int: ...

    @property
    def topics(self) -> tuple[str, ...]: ...

    @property
    def story(self) -> int | None: ...

    @property
    def others(self) -> tuple[str, ...]: ...


def story_key(entry: DigestEntry) -> str:
    """Which story an alert belongs to, for grouping a digest: its story (story_store.py),
    else its canonical link, else its title."""
    if entry.story is not None:
        return f"story:{entry.story}"
    link = canonical_link(entry.link) if entry.link else ""
    if link and not is_site_root(link):
        return f"link:{link}"
    return "title:" + " ".join(entry.title.casefold().split())


def digest_message(heading: str, entries: Sequence[DigestEntry]) -> tuple[str, str, list[int]]:
    """(html, plain, shown ids) of one message listing `entries` one line per story (its
    first title, linked, and its source or how many sources reported it), under the topic of
    the story's first alert, topics in order of first appearance. What does not fit within
    Telegram's limit is counted ("… and N more in the next message") and left to the caller
    for the next message; a story is shown whole or not at all."""
    stories: dict[str, list[DigestEntry]] = {}
    for entry in entries:
        stories.setdefault(story_key(entry), []).append(entry)
    by_topic: dict[str, list[list[DigestEntry]]] = {}
    for story in stories.values():
        topic = story[0].topics[0] if story[0].topics else ""
        by_topic.setdefault(topic, []).append(story)
    html_lines = [f"<b>{html.escape(heading)}</b>"]
    plain_lines = [heading]
    shown: list[int] = []
    sizes = [utf16_length(html_lines[0]), utf16_length(heading)]
    for topic, topic_stories in by_topic.items():
        header = "#" + topic.replace("-", "_") if topic else "Other"
        pending_header: tuple[str, str] | None = (f"\n<b>{html.escape(header)}</b>", f"\n{header}")
        for story in topic_stories:
            parts = [*([pending_header] if pending_header else []), _story_lines(story)]
            grown = [sizes[n] + sum(utf16_length(part[n]) + 1 for part in parts) for n in range(2)]
            if max(grown) > _ROOM:
                return _with_rest(html_lines, plain_lines, shown, len(entries))
            for html_part, plain_part in parts:
                html_lines.append(html_part)
                plain_lines.append(plain_part)
            sizes, pending_header = grown, None
            shown.extend(entry.id for entry in story)
    return "\n".join(html_lines), "\n".join(plain_lines), shown


def _story_lines(story: Sequence[DigestEntry]) -> tuple[str, str]:
    """One story's line, in HTML and in plain text."""
    first = story[0]
    title = shorten(first.title, TITLE_LIMIT)
    sources = sorted(
        {entry.feed for entry in story if entry.feed} | {feed for e in story for feed in e.others}
    )
    if len(sources) > 1:
        source = f" · {len(sources)} sources"
    else:
        source = f" · {shorten(sources[0], 40)}" if sources else ""
    if _linkable(first.link):
        link = html.escape(first.link, quote=True)
        html_line = f'• <a href="{link}">{html.escape(title)}</a>{html.escape(source)}'
    else:
        html_line = f"• {html.escape(title)}{html.escape(source)}"
    plain_line = f"• {title}{source}"
    if first.link and len(first.link) <= LINK_LIMIT:
        plain_line += f"\n  {first.link}"
    return html_line, plain_line


def _linkable(link: str) -> bool:
    """Whether a title may link to `link`: a web address of sane length (so that every line
    fits a message, and a message shows at least one line)."""
    is_web = link.startswith(("http://", "https://"))
    return is_web and len(html.escape(link, quote=True)) <= LINK_LIMIT


def _with_rest(
    html_lines: list[str], plain_lines: list[str], shown: list[int], total: int
) -> tuple[str, str, list[int]]:
    rest = f"\n… and {total - len(shown)} more in the next message"
    return "\n".join([*html_lines, rest]), "\n".join([*plain_lines, rest]), shown
