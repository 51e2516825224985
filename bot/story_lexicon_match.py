"""Lookups in the story lexicons (bot/story_concepts.py): a table of patterns compiled into
whole words, word beginnings (the longest that fits wins) and phrases of several words, found
by their first part. See bot/story_concepts.py for the pattern syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Lexicon:
    """A table of bot/story_concepts.py compiled for lookups: whole words, word beginnings
    (the longest that fits wins) and phrases (by their first part)."""

    exact: dict[str, frozenset[str]]
    beginnings: dict[str, frozenset[str]]
    longest: int
    phrases: dict[str, tuple[tuple[tuple[str, ...], frozenset[str]], ...]]

    def word(self, word: str) -> frozenset[str]:
        """The ids a single folded word stands for (empty when none)."""
        found = self.exact.get(word)
        if found:
            return found
        for length in range(min(len(word), self.longest), 1, -1):
            found = self.beginnings.get(word[:length])
            if found:
                return found
        return frozenset()


def part_matches(part: str, word: str) -> bool:
    return word.startswith(part[:-1]) if part.endswith("*") else word == part


def compile_lexicon(table: dict[str, str]) -> Lexicon:
    exact: dict[str, set[str]] = {}
    beginnings: dict[str, set[str]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, patterns in table.items():
        for pattern in patterns.replace("ё", "е").split():
            if "+" in pattern:
                parts = tuple(pattern.split("+"))
                # A phrase is found by its first word written out whole; a beginning as its
                # first part is indexed under every word it could start (see phrase_heads).
                phrases.setdefault(parts[0], []).append((parts, key))
            elif pattern.endswith("*"):
                beginnings.setdefault(pattern[:-1], set()).add(key)
            else:
                exact.setdefault(pattern, set()).add(key)
    merged: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
    for head, entries in phrases.items():
        by_parts: dict[tuple[str, ...], set[str]] = {}
        for parts, key in entries:
            by_parts.setdefault(parts, set()).add(key)
        merged[head] = sorted(
            ((parts, frozenset(keys)) for parts, keys in by_parts.items()), key=lambda e: -len(e[0])
        )
    return Lexicon(
        {word: frozenset(keys) for word, keys in exact.items()},
        {word: frozenset(keys) for word, keys in beginnings.items()},
        max(map(len, beginnings), default=0),
        {head: tuple(entries) for head, entries in merged.items()},
    )


def phrase_heads(lexicon: Lexicon, word: str) -> tuple[str, ...]:
    """The phrase index keys a word can start: itself, and the beginnings it starts with."""
    heads = [word] if word in lexicon.phrases else []
    heads += [head for head in lexicon.phrases if head.endswith("*") and word.startswith(head[:-1])]
    return tuple(heads)


def phrase_at(
    lexicon: Lexicon, head: str, words: Sequence[str], start: int
) -> tuple[int, frozenset[str]]:
    """(length, ids) of the phrase indexed under `head` that starts at words[start], or
    (0, no ids) when none does."""
    for parts, ids in lexicon.phrases[head]:
        if start + len(parts) <= len(words) and all(
            part_matches(part, word)
            for part, word in zip(parts[1:], words[start + 1 :], strict=False)
        ):
            return len(parts), ids
    return 0, frozenset()
