"""Pure text helpers shared by matching and summarising: HTML to plain text, and word tokens.

Feed text arrives as HTML fragments with entities, non-breaking spaces, soft hyphens and curly
quotes. `html_to_text` turns it into readable plain text; `words` turns plain text into the
case-folded word tokens the matcher compares (Unicode-aware, so Cyrillic words are words too).
`sentence_spans` splits plain text into sentences; `content_sentences` does the same for a
summary, leaving out feed boilerplate ("Continue reading…", share buttons).
"""

from __future__ import annotations

import html
import re
import unicodedata

_DROP_BLOCKS = re.compile(
    r"<(script|style|template|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
# Block-level tags become line breaks (they separate sentences); other tags a space. Two
# substitutions without a Python callback: this runs for every field of every new item.
_LINE_BREAKING_TAG = re.compile(
    r"</?(?:br|p|div|li|ul|ol|h[1-6]|blockquote|tr)(?![a-zA-Z0-9])[^>]*>", re.IGNORECASE
)
# Runs of spaces, and any single odd space (tab, NBSP, thin space …); one plain space is left be.
_ODD_SPACE = r"\t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000"
_SPACES = re.compile(f"[ {_ODD_SPACE}]{{2,}}|[{_ODD_SPACE}]")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_BLOCK_OPENER = re.compile(r"<(?:script|style|template|noscript)", re.IGNORECASE)
_ASCII_ODD_SPACES = ("  ", "\t", "\r", "\f", "\v")
# Anchored on the newline itself: a leading \s* would be tried at every space of the text.
_NEWLINES = re.compile(r"\n\s*")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# A word is a run of letters/digits; dotted initialisms ("U.S.", "U.N.") are one word, so that
# "UN Security Council" finds "U.N. Security Council". Apostrophes and hyphens separate words,
# which makes "Putin's" contain the word "Putin" and "Kremlin-backed" the word "Kremlin".
TOKEN = re.compile(r"\w(?:\.(?:[^\W\d_]\.)+|\w*)")
_DOTTED = re.compile(r"\.[^\W\d_]\.")  # the ".S." of "U.S.": an initialism may be present
_ASCII_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_NON_WORD_TO_SPACE = bytes(i if i in _ASCII_WORD_BYTES else 32 for i in range(256))
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)]*\s+(?=[\"'“‘«(]*[^\W\d_])|\n+")
# Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "st",
        "no",
        "vs",
        "etc",
        "approx",
        "dept",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "ltd",
        "corp",
        "co",
        "jr",
        "sr",
        "fig",
        "est",
    ]
)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, whitespace folded.

    Each pass runs only when its marker character occurs: most feed text has few tags and
    entities, and this runs for every field of every new item.
    """
    text = fragment
    if "<" in text:
        if "<!--" in text:
            text = _COMMENTS.sub(" ", text)
        if _BLOCK_OPENER.search(text):
            text = _DROP_BLOCKS.sub(" ", text)
        text = _TAG.sub(" ", _LINE_BREAKING_TAG.sub("\n", text))
    if "&" in text:
        # Decode twice: feeds often double-escape (&amp;#8217;); one pass leaves them visible.
        text = html.unescape(text)
        if "&" in text and _ENTITY.search(text):
            text = html.unescape(text)
    if not text.isascii():
        text = text.translate(_INVISIBLE)
    if not text.isascii() or any(odd in text for odd in _ASCII_ODD_SPACES):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _NEWLINES.sub("\n", text.replace(" \n", "\n"))
    return text.strip()


def fold_word(token: str) -> str:
    """A word as matching compares it: dots of initialisms dropped, compatibility forms and
    case folded, and accents removed from Latin letters (`Zelenskýy` → `zelenskyy`) while
    Cyrillic letters such as `й` and `ї` stay intact."""
    folded = unicodedata.normalize("NFKC", token.replace(".", "")).casefold()
    if folded.isascii():
        return folded
    kept: list[str] = []
    latin_base = False
    for char in unicodedata.normalize("NFD", folded):
        if latin_base and unicodedata.combining(char):
            continue
        kept.append(char)
        latin_base = char < "\u0250"
    return unicodedata.normalize("NFC", "".join(kept))


def tokens(text: str) -> list[str]:
    """The words of plain text as written (TOKEN.findall), computed twice as fast for the
    common case of ASCII text without initialisms: the matcher's hottest line."""
    if text.isascii() and not _DOTTED.search(text):
        return text.encode("ascii").translate(_NON_WORD_TO_SPACE).decode("ascii").split()
    return TOKEN.findall(text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of plain text. A full stop after an abbreviation
    ("Gen.", "Jan.") or an initial ("U.S.", "J.") does not end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        before = text[start : boundary.start()].rsplit(None, 1)
        last_word = before[-1].rstrip(".").lower() if before else ""
        if boundary.group().startswith(".") and (
            last_word in ABBREVIATIONS or _is_initialism(before[-1] if before else "")
        ):
            continue
        spans.append((start, boundary.end()))
        start = boundary.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _is_initialism(word: str) -> bool:
    letters = word.replace(".", "")
    return 0 < len(letters) <= 3 and letters.isalpha() and (word.count(".") >= len(letters) - 1)


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, ending with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


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
    if "\n" not in fragment or not _TAG.search(fragment):
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
