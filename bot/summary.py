"""An alert's summary: which sentences of the item's description it shows, cut to length,
and which of their characters are bold.

The summary is the item's description as plain text, feed boilerplate left out
(`feed_boilerplate.content_sentences`), reduced to the lead sentence and the sentence that
carries most of the matched terms (why the alert fired, when the lead does not say), in document
order, in one paragraph of at most SUMMARY_LIMIT characters. The actors and places that made
the item match are bold. The matcher's hits are offsets into the whole description, so they are
carried over character by character onto the sentences shown: a hit in a sentence left out
(boilerplate, or not chosen) is simply not bold.

bot/summarise.py places the summary in the alert and keeps the alert within Telegram's limit.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import groupby

from .feed_boilerplate import content_sentences, unwrap_lines
from .models import Hit, Item, TopicMatch
from .text import html_to_text, shorten

# About four lines on a phone held sideways, six or seven upright; two sentences of news.
SUMMARY_LIMIT = 300
# Hits shown in bold in the summary: who and where, not every keyword.
BOLD_ROLES = frozenset({"actor", "match_any"})
# "[…]" at the end of a sentence: the feed's mark for a cut excerpt, shown as a plain "…".
_CUT_MARK = re.compile(r"\s*\[(?:…|\.\.\.)\]$")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Marked:
    """Summary text, and for each of its characters whether it is shown in bold."""

    text: str = ""
    bold: tuple[bool, ...] = ()


def choose_summary(item: Item, matches: Sequence[TopicMatch]) -> Marked:
    """The lead sentence of the description and the one that carries the matched terms, with
    the actors and places in bold; empty when the description adds nothing to the title."""
    text = html_to_text(item.summary)  # where the matcher's hits point
    if not text or text == item.title:
        return Marked()
    hits = [hit for match in matches for hit in match.hits if hit.field == "summary"]
    # Split into sentences without the raw line breaks, which are only spaces in HTML.
    unwrapped = html_to_text(unwrap_lines(item.summary))
    if unwrapped != text and (moved := _moved(hits, text, unwrapped)) is not None:
        text, hits = unwrapped, moved
    # Feeds often open the description with the title again.
    title = _comparable(item.title)
    sentences = [s for s in content_sentences(text) if _comparable(text[s[0] : s[1]]) != title]
    if not sentences:
        return Marked()
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


def _fold(text: str, sentence: tuple[int, int], bold: list[bool]) -> Marked:
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
        return Marked(folded[: cut_mark.start()] + "…", (*marks[: cut_mark.start()], False))
    return Marked(folded, tuple(marks))


def _fit(parts: list[Marked], limit: int) -> Marked:
    """`parts` (one or two sentences) joined by a space within `limit` characters. When two do
    not fit whole, a short one stays whole and the other is cut; two long ones share."""
    if len(parts) == 1:
        return _cut(parts[0], limit)
    lead, key = parts
    room = limit - 1
    lead_room = min(len(lead.text), max(room // 2, room - len(key.text)))
    lead, key = _cut(lead, lead_room), _cut(key, room - lead_room)
    return Marked(f"{lead.text} {key.text}", (*lead.bold, False, *key.bold))


def _cut(part: Marked, limit: int) -> Marked:
    """`part` cut at a word boundary with "…" (as `shorten`), its marks cut alike."""
    short = shorten(part.text, limit)
    if short == part.text:
        return part
    kept = len(short) - 1  # shorten keeps a prefix of the (already folded) text, then "…"
    return Marked(short, (*part.bold[:kept], False))


def marked_html(summary: Marked) -> str:
    """The summary escaped, each run of bold characters in <b>."""
    pieces: list[str] = []
    for bold, run in groupby(zip(summary.text, summary.bold, strict=True), key=lambda c: c[1]):
        piece = html.escape("".join(char for char, _ in run), quote=False)
        pieces.append(f"<b>{piece}</b>" if bold else piece)
    return "".join(pieces)
