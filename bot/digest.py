"""Several alerts as one message: what a chat over its alert budget receives instead of a flood.

A headline list (linked titles with their source), newest last, in Telegram HTML and in plain
text, always within Telegram's 4096 UTF-16 units: titles that do not fit are counted, not cut.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Protocol

from .summarise import TELEGRAM_LIMIT, utf16_length
from .text import shorten

TITLE_LIMIT = 160
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
        if not alert.link.startswith(("http://", "https://")):
            html_line = f"• {html.escape(title)}{html.escape(source)}"
        plain_line = f"• {title}{source}\n  {alert.link}" if alert.link else f"• {title}{source}"
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
