"""Pure text helpers shared by matching and summarising: HTML to plain text, and word tokens.

Feed text arrives as HTML fragments with entities, non-breaking spaces, soft hyphens and curly
quotes. `html_to_text` turns it into readable plain text; `words` turns plain text into the
case-folded word tokens the matcher compares (Unicode-aware, so Cyrillic words are words too).
`sentence_spans` splits plain text into sentences. What of a description is the feed's
furniture rather than the report ("Continue reading…", share buttons) is feed_boilerplate.py.
"""

from __future__ import annotations

import html
import re
import unicodedata

_DROP_BLOCKS = re.compile(
    r"<(script|style|template|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
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
        text = TAG.sub(" ", _LINE_BREAKING_TAG.sub("\n", text))
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
