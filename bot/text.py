"""Pure text helpers shared by matching and summarising: HTML to plain text, and word tokens.

Feed text arrives as HTML fragments with entities, non-breaking spaces, soft hyphens and curly
quotes. `html_to_text` turns it into readable plain text; `words` turns plain text into the
case-folded word tokens the matcher compares (Unicode-aware, so Cyrillic words are words too).
"""

from __future__ import annotations

import html
import re
import unicodedata

_DROP_BLOCKS = re.compile(
    r"<(script|style|template|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|p|div|li|h[1-6])\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# A word is a run of letters/digits; dotted initialisms ("U.S.", "U.N.") are one word, so that
# "UN Security Council" finds "U.N. Security Council". Apostrophes and hyphens separate words,
# which makes "Putin's" contain the word "Putin" and "Kremlin-backed" the word "Kremlin".
TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|\w+")
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
    """Plain text of an HTML fragment: tags dropped, entities decoded, whitespace folded."""
    text = _COMMENTS.sub(" ", _DROP_BLOCKS.sub(" ", fragment))
    text = _TAGS.sub(" ", _BREAKS.sub("\n", text))
    # Decode twice: feeds often double-escape (&amp;#8217;) and one pass leaves entities visible.
    text = html.unescape(html.unescape(text))
    text = text.translate(_INVISIBLE)
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


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


def words(text: str) -> list[str]:
    """The folded words of plain text, in order."""
    return [fold_word(token) for token in TOKEN.findall(text)]


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
