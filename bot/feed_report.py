"""The state of every configured feed, for admins: `python -m bot feeds` and `/feeds`.

Per feed: when it last succeeded, its last error and how many polls in a row failed, when it
is polled next, and how many item identities it has shown. Pure: storage and scheduler facts
in, lines of text out.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .catalog import Feed
from .storage import FeedState
from .summarise import utf16_length


@dataclass(frozen=True)
class FeedLine:
    name: str
    status: str  # "ok", "failing", "gone", "new" (never polled)
    last_success: str
    next_poll: str
    items_seen: int
    failures: int
    last_error: str


def feed_lines(
    feeds: Sequence[Feed],
    states: Mapping[str, FeedState],
    now: datetime,
    next_polls: Mapping[str, datetime | None] | None = None,
) -> list[FeedLine]:
    """One line per configured feed, in config order; `next_polls` (from a running scheduler)
    is fresher than what storage remembers."""
    lines = []
    for feed in feeds:
        state = states.get(feed.name)
        if state is None or state.url != feed.url:
            lines.append(FeedLine(feed.name, "new", "never", "soon", 0, 0, ""))
            continue
        upcoming = (next_polls or {}).get(feed.name) or _parse(state.next_poll_at)
        status = "gone" if state.gone_at else "failing" if state.failures else "ok"
        lines.append(
            FeedLine(
                name=feed.name,
                status=status,
                last_success=_ago(_parse(state.last_success_at), now),
                next_poll="never" if state.gone_at else _in(upcoming, now),
                items_seen=state.items_seen,
                failures=state.failures,
                last_error=state.last_error or "" if state.failures else "",
            )
        )
    return lines


def render_text(lines: Sequence[FeedLine]) -> str:
    """A table for the terminal."""
    header = ("feed", "status", "last success", "next poll", "items", "failures", "last error")
    rows = [header] + [
        (
            line.name,
            line.status,
            line.last_success,
            line.next_poll,
            str(line.items_seen),
            str(line.failures),
            line.last_error[:80],
        )
        for line in lines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "\n".join(
        (
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[-1]
        ).rstrip()
        for row in rows
    )


def render_html(lines: Sequence[FeedLine], limit: int = 4000) -> str:
    """A compact list for a Telegram chat, failing and gone feeds first, within `limit`
    UTF-16 units: whole entries only, and how many did not fit."""
    marks = {"ok": "✅", "failing": "⚠️", "gone": "⛔", "new": "🆕"}
    order = {"gone": 0, "failing": 1, "new": 2, "ok": 3}
    shown = sorted(lines, key=lambda line: (order[line.status], line.name.casefold()))
    out = [f"<b>Feeds</b> ({len(lines)})"]
    for line in shown:
        text = (
            f"{marks[line.status]} <b>{html.escape(line.name)}</b>: last ok {line.last_success}, "
            f"next {line.next_poll}, {line.items_seen} items"
        )
        if line.failures:
            text += f"\n    {line.failures} failures: {html.escape(line.last_error[:200])}"
        out.append(text)
    size = utf16_length(out[0])
    for count, entry in enumerate(out[1:], start=1):
        size += 1 + utf16_length(entry)
        if size > limit - 80:  # room for the line saying what is left out
            rest = len(out) - count
            return "\n".join([*out[:count], f"… and {rest} more: python -m bot feeds lists all."])
    return "\n".join(out)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    return f"{_span((now - moment).total_seconds())} ago"


def _in(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "unknown"
    seconds = (moment - now).total_seconds()
    return "now" if seconds <= 1 else f"in {_span(seconds)}"


def _span(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f}m"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"
