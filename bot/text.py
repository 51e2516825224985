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
_WORD = re.compile(r"\w+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, whitespace folded."""
    text = _COMMENTS.sub(" ", _DROP_BLOCKS.sub(" ", fragment))
    text = _TAGS.sub(" ", _BREAKS.sub("\n", text))
    # Decode twice: feeds often double-escape (&amp;#8217;) and one pass leaves entities visible.
    text = html.unescape(html.unescape(text))
    text = text.translate(_INVISIBLE)
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def fold(text: str) -> str:
    """Case- and compatibility-folded text, so `Ｎａｔｏ`, `NATO` and `nato` compare equal."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()


def words(text: str) -> list[str]:
    """The folded word tokens of plain text, in order; punctuation and spaces separate words."""
    return _WORD.findall(fold(text))


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
