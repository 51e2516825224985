"""Property tests: what a headline says decides, not how it is typed, spaced or marked up."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from .rules import matcher_from

RULES = """
[actors.putin]
name = "Vladimir Putin"
aliases = ["Putin"]

[actors.kremlin]
name = "Kremlin"

[actors.council]
name = "Security Council"

[topics.crisis]
title = "Crisis"
actors = ["putin", "kremlin", "council"]
keywords = ["troops", "sanctions", "security guarantees"]
match_any = ["Kyiv"]
exclude = ["football"]

[topics.pair]
title = "Two actors"
actors = ["putin", "kremlin", "council"]
keywords = ["talks"]
min_actors = 2
"""
matcher = matcher_from(RULES)
VOCABULARY = [
    "Vladimir", "Putin", "Kremlin", "Security", "Council", "troops", "sanctions", "security",
    "guarantees", "Kyiv", "talks", "football", "the", "says", "new", "border", "on", "and",
    "officials", "report", "senator", "Kremlinology", "Putinism",
]  # fmt: skip
headlines = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=14)


def decide(text: str) -> list[str]:
    return [m.topic for m in matcher.match_text(text)]


@settings(max_examples=300, deadline=None)
@given(headlines, st.data())
def test_case_does_not_matter(words: list[str], data: st.DataObject) -> None:
    changed = [
        data.draw(st.sampled_from([w.upper(), w.lower(), w.title(), w.swapcase()])) for w in words
    ]
    assert decide(" ".join(changed)) == decide(" ".join(words))


@settings(max_examples=300, deadline=None)
@given(headlines, st.data())
def test_spacing_does_not_matter(words: list[str], data: st.DataObject) -> None:
    gaps = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", " \n ", "\u2009"])
    spaced = "".join(w + data.draw(gaps) for w in words)
    assert decide(spaced) == decide(" ".join(words))


@settings(max_examples=300, deadline=None)
@given(headlines, st.data())
def test_html_wrapping_does_not_matter(words: list[str], data: st.DataObject) -> None:
    tags = st.sampled_from(["b", "i", "em", "strong", "span", "a"])
    wrapped = " ".join(
        f"<{tag}>{w}</{tag}>" if data.draw(st.booleans()) else w
        for w, tag in ((w, data.draw(tags)) for w in words)
    )
    assert decide(f"<p>{wrapped}</p>") == decide(" ".join(words))


@settings(max_examples=300, deadline=None)
@given(headlines, st.data())
def test_entity_encoding_does_not_matter(words: list[str], data: st.DataObject) -> None:
    def encode(char: str) -> str:
        style = data.draw(st.sampled_from(["plain", "decimal", "hex"]))
        if style == "decimal":
            return f"&#{ord(char)};"
        return f"&#x{ord(char):x};" if style == "hex" else html.escape(char)

    encoded = "".join(encode(c) for c in " ".join(words))
    assert decide(encoded) == decide(" ".join(words))
