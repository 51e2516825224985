"""Build a Matcher from TOML text, the way an admin writes rules."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.catalog import Catalog, load_catalog
from bot.match import Matcher

FEEDS = '[[feeds]]\nname = "F"\nurl = "https://example.org/f.xml"\n'


def catalog_from(topics_toml: str) -> Catalog:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "topics.toml").write_text(topics_toml, encoding="utf-8")
        (Path(folder) / "feeds.toml").write_text(FEEDS, encoding="utf-8")
        return load_catalog(Path(folder))


def matcher_from(topics_toml: str) -> Matcher:
    return Matcher(catalog_from(topics_toml))
