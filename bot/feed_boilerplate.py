"""What of a feed's description is the report, and what is the feed's furniture: "Continue
reading…", "The post … appeared first on …", rows of share buttons, "Subscribe!" and the
social links of video channels' footers, lines that only label a web address.

`content_sentences` gives a description's sentences without that boilerplate (summaries pick
from them); `lead_text` its opening paragraph up to the first boilerplate (stories compare
it); `unwrap_lines` undoes hard-wrapped HTML before text.html_to_text.
"""

from __future__ import annotations

import re

from .text import TAG, sentence_spans, tokens

# Feed boilerplate: a sentence or line that only points elsewhere. Each pattern must match a
# whole unit (sentence or line), so that a sentence which merely contains "read", "post" or
# "share" is kept as content.
_LEAD_IN = r"[\s…»›→(\[]*"
_TRAIL = r"[\s.…:!»›→>)\]\-–—]*"
_NETWORK = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|bluesky|threads"
    r"|mastodon|messenger|flipboard|vk|e-?mail|print)"
)
_SHARE_ITEM = (
    rf"(?:share(?: (?:this|the))?(?: (?:article|story|post|page|link))?"
    rf"(?: (?:on|via|to|with|by) {_NETWORK})?|tweet(?: this)?|{_NETWORK})"
)
_BOILERPLATE = re.compile(
    _LEAD_IN
    + "(?:"
    + "|".join(
        [
            # "Continue reading…", "Keep reading the full story at Example Wire →"
            r"(?:continue|keep) reading(?: (?:the |this )?(?:full )?"
            r"(?:story|article|post|report|piece))?(?: (?:on|at) [^.!?\n]{1,80})?"
            r"(?: [\"“‘«][^\n]{1,200}[\"”’»])?",
            # "Read more", "Read more here", "Read more: <a related headline>"
            r"read more(?: (?:here|below|(?:on|at) [^.!?\n]{1,80}))?(?::[^\n]{0,200})?",
            # "Read the full story on Example Wire", "Read the rest of this entry"
            r"read (?:the )?(?:full|whole|complete|entire) (?:story|article|report|post|piece"
            r"|statement|interview|text)(?: (?:here|(?:on|at) [^.!?\n]{1,80}))?",
            r"read the rest(?: of (?:this|the) (?:story|article|entry|post))?",
            # "Click here", "Click here to read more", "Click here for the full story"
            r"click here(?: (?:to|for) [^.!?\n]{1,120})?",
            # A row of share buttons: "Share on Facebook Share on X Email"
            rf"(?=share|tweet){_SHARE_ITEM}(?:[\s|·•/:]+{_SHARE_ITEM})*",
            # Russian-language feeds: "Читать далее", "Подробнее"
            r"читать (?:далее|полностью)|подробнее",
            # Video and social feeds' footers: "Subscribe to Example News!", "Follow us on X",
            # "Like us on Facebook", "Watch more Example News video", "Visit our website"
            r"subscribe(?: (?:now|here|to|for|on)(?: [^.!?\n,]{1,80})?)?",
            rf"(?:follow|like|find) us(?: (?:on|at) (?:{_NETWORK}|[^.!?\n,]{{1,60}}))?",
            r"watch (?:more|the full|all|live)(?: [^.!?\n:,]{1,40})?"
            r" (?:videos?|episodes?|coverage|clips?|channel|stream)(?: (?:on|at|here)"
            r"(?: [^.!?\n,]{1,60})?| live)?",
            r"visit (?:our|the) (?:website|site|page)(?: [^.!?\n,]{1,80})?",
            # "For more videos, click the link below:", "Get more at:"
            r"(?:[^.!?\n]{1,80},? )?click (?:on )?the links? below",
            r"(?:get|see|find) more (?:at|on|here)",
        ]
    )
    + ")"
    + _TRAIL,
    re.IGNORECASE,
)
# WordPress's footer "The post <title> appeared first on <site>." The title may hold sentence
# ends, so this is matched against a whole line, whose site name (dots allowed, as in
# "example.com") ends it; and only at the end of the text (see `content_sentences`).
_POST_APPEARED = re.compile(
    r"(?m)(?:^|(?<=\[…\])|(?<=\[\.\.\.\]))[ \t]*"
    r"The post [^\n]{1,400}? appeared first on (?:[^\n.!?…]|[.!?](?=\S)){1,120}[.!?…]?[ \t]*$",
    re.IGNORECASE,
)
_LINE_BREAKS = re.compile(r"[ \t\r]*\n(?:[ \t\r]*\n)*")
# Where a unit ends besides a sentence end: a line break, and "[…]" (where a feed cut its
# excerpt; what follows on the same line is a "more" link).
_LINE_OR_CUT = re.compile(r"\n+|\[(?:…|\.\.\.)\][ \t]*")


def unwrap_lines(fragment: str) -> str:
    """An HTML `fragment` with each single raw line break made a space, before `html_to_text`:
    in HTML only block tags break lines, and a raw line break in a paragraph is a space (or a
    hard wrap). A blank line is taken as a paragraph break all the same. Plain text (no tags)
    is returned as is: its line breaks are all the structure it has."""
    if "\n" not in fragment or not TAG.search(fragment):
        return fragment
    return _LINE_BREAKS.sub(lambda run: "\n" if run.group().count("\n") > 1 else " ", fragment)


# A web address, as a footer writes it: "https://bit.ly/x", "www.example.com", "bit.ly/x".
_WEB_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|ly|org|net|io|tv|me|co)/\S*",
    re.IGNORECASE,
)
# At most this many words besides its web addresses: a unit that only points elsewhere
# ("Facebook: https://…", "Watch Example News Channel Live: http://…").
_POINTER_WORDS = 6
_HASHTAG = re.compile(r"(?<!\w)#[\w-]+")
_HASHTAG_LINE = re.compile(r"(?:#[\w-]+[\s,]*)+")


def _only_points_elsewhere(unit: str) -> bool:
    """A line of web addresses with a label, or of hashtags: navigation, not news."""
    if _HASHTAG_LINE.fullmatch(unit):
        return True
    if not _WEB_ADDRESS.search(unit):
        return False
    return len(tokens(_WEB_ADDRESS.sub(" ", unit))) <= _POINTER_WORDS


def lead_text(text: str, limit: int = 500) -> str:
    """The opening of a description as one paragraph: its content sentences (web addresses
    and hashtags removed) in order, up to about `limit` characters, and up to the first
    boilerplate (what follows "Subscribe!" and a row of links is the channel's blurb). What
    two reports of one development share is in their lead; the rest of a long description (a
    full article, a video's footer) only adds words that any two reports share."""
    parts: list[str] = []
    length = 0
    previous_end = 0
    for start, end in content_sentences(text):
        if parts and text[previous_end:start].strip():
            break  # the footer has begun: "Subscribe!", links, then the channel's blurb
        sentence = " ".join(_HASHTAG.sub(" ", _WEB_ADDRESS.sub(" ", text[start:end])).split())
        if not sentence:
            continue
        parts.append(sentence)
        previous_end = end
        length += len(sentence) + 1
        if length >= limit:
            break
    return " ".join(parts)


def content_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of plain text (as `sentence_spans`, also split at every
    line break and after "[…]"), leaving out feed boilerplate: "Continue reading…", "Read more",
    "Click here …", share buttons, "Subscribe to …" and other video and social footers, lines
    that only label a web address or only hold hashtags, and a trailing "The post … appeared
    first on …".

    Only whole sentences or lines are left out, never part of one: a feed that glues its
    "Read more" onto the last sentence without a full stop keeps it, rather than risk losing
    content. Datelines such as "(Reuters) -" are content and stay.
    """
    units = _units(text)
    kept = [
        not (
            _BOILERPLATE.fullmatch(_WEB_ADDRESS.sub("", unit).strip())
            or _only_points_elsewhere(unit)
        )
        for unit in (text[start:end].strip() for start, end in units)
    ]
    for footer in reversed(list(_POST_APPEARED.finditer(text))):
        # Only a footer: what follows it must be boilerplate too, so that "The post office
        # said the queue appeared first on Monday." in the middle of a story stays; and it
        # follows an excerpt, so that a text that is only such a line stays whole.
        inside = [i for i, (start, _) in enumerate(units) if footer.start() <= start < footer.end()]
        if inside and inside[0] > 0 and not any(kept[inside[-1] + 1 :]):
            for index in inside:
                kept[index] = False
    return [unit for unit, keep in zip(units, kept, strict=True) if keep]


def _units(text: str) -> list[tuple[int, int]]:
    """The sentences of `text`, further split at line breaks (a line break after an initial,
    "Plan B.\\n", does not end a `sentence_spans` sentence) and after "[…]"; blank ones left out.
    """
    units: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        cuts = [m.end() for m in _LINE_OR_CUT.finditer(text, start, end) if m.end() < end]
        for stop in [*cuts, end]:
            if text[start:stop].strip():
                units.append((start, stop))
            start = stop
    return units
