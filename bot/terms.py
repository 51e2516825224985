"""The term syntax shared by config validation and the matcher: how a term splits into words,
which case rule each word follows, and which stemmer languages exist.

- Words are runs of letters/digits; "U.S." is one word (text.TOKEN).
- A word written in capitals of up to 3 letters is case-sensitive (EXACT); a longer all-caps
  word also matches its Title-case form (UPPER_OR_TITLE); anything else ignores case (ANY).
- `"word"` in double quotes matches that exact form only (no inflection).
- A trailing `*` makes the last word a prefix (at least 2 letters).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from enum import Enum

from .text import TOKEN

# ISO 639-1 code → Snowball stemmer. Ukrainian and Belarusian have no Snowball stemmer; the
# Russian one handles most of their noun endings and stands in.
STEMMERS = {
    "en": "english", "es": "spanish", "fr": "french", "de": "german", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "pl": "polish", "sv": "swedish", "da": "danish",
    "no": "norwegian", "nb": "norwegian", "fi": "finnish", "ro": "romanian", "hu": "hungarian",
    "cs": "czech", "lt": "lithuanian", "tr": "turkish", "ca": "catalan", "ru": "russian",
    "uk": "russian", "be": "russian", "bg": "russian", "sr": "serbian", "el": "greek",
    "ar": "arabic",
}  # fmt: skip
_NON_LATIN = {"ru": "CYRILLIC", "uk": "CYRILLIC", "be": "CYRILLIC", "bg": "CYRILLIC",
              "sr": "CYRILLIC", "el": "GREEK", "ar": "ARABIC"}  # fmt: skip
# What may stand between the words of a phrase in text: spaces, line breaks, hyphens, dashes,
# and apostrophes inside a name (O'Brien, d'Estaing).
CLEAN_GAP = re.compile(r"[\s\-‐‑‒–—'’]*")
MIN_PREFIX = 2


def script_of_language(code: str) -> str:
    """The script a language is written in, as Unicode names it (LATIN, CYRILLIC, …)."""
    return _NON_LATIN.get(code, "LATIN")


def language_code(value: str | None) -> str:
    """`en-GB`, `en_US`, `EN` → `en`."""
    return (value or "").strip().split("-")[0].split("_")[0].lower()


class Case(Enum):
    ANY = "any"
    EXACT = "exact"  # short all-caps term: US, UN, EU
    UPPER_OR_TITLE = "upper_or_title"  # longer all-caps term: NATO, Nato


@dataclass(frozen=True)
class TermWord:
    text: str  # as written, dots included ("U.S.")
    case: Case
    exact: bool  # quoted: no inflection
    prefix: bool  # trailing *: the word is a prefix


def parse_term(term: str) -> list[TermWord]:
    """A term's words, in order; an empty list when it has nothing to match."""
    text = term.strip()
    exact = len(text) >= 2 and text[0] == text[-1] == '"'
    if exact:
        text = text[1:-1]
    prefix = text.endswith("*")
    tokens = TOKEN.findall(text.rstrip("*"))
    parsed = []
    for index, token in enumerate(tokens):
        is_prefix = prefix and index == len(tokens) - 1
        letters = token.replace(".", "")
        case = Case.ANY
        if not is_prefix and letters.isupper() and any(c.isalpha() for c in letters):
            case = Case.EXACT if len(letters) <= 3 else Case.UPPER_OR_TITLE
        parsed.append(TermWord(token, case, exact, is_prefix))
    return parsed


def term_problem(term: str) -> str | None:
    """Why a term can never match, or None when it can."""
    words = parse_term(term)
    if not words:
        return f"{term!r} has no letters or digits to match"
    if words[-1].prefix and len(words[-1].text) < MIN_PREFIX:
        return f"{term!r}: a prefix needs at least {MIN_PREFIX} letters before the *"
    body = term.strip().strip('"').rstrip("*")
    spans = [m.span() for m in TOKEN.finditer(body)]
    for (_, end), (start, _) in itertools.pairwise(spans):
        if not CLEAN_GAP.fullmatch(body[end:start]):
            return (
                f"{term!r} can never match: words of a phrase may only be separated by "
                f"spaces or hyphens, not {body[end:start].strip()!r}"
            )
    return None
