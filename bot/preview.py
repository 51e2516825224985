"""`python -m bot preview`: what the matcher decides for the items of feed files or URLs.

For every item: the topics it matches, the actors, keywords and match_any terms that made it
match, and the alert text that would be sent. `--json` prints one JSON object per item per line.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from .catalog import Catalog
from .errors import FetchError, ParseError
from .explain import explanation, terms_with_text
from .fetch import fetch_feed, new_session
from .match import Matcher
from .models import FetchResult, Item, TopicMatch
from .parse import parse_feed
from .summarise import summarise


async def preview(
    sources: Sequence[str], catalog: Catalog, *, as_json: bool, out: TextIO, err: TextIO
) -> int:
    """Print the matcher's decision for every item of every source; 1 if a source failed."""
    matcher = Matcher(catalog)
    status = 0
    async with new_session(timeout=30.0) as http:
        for source in sources:
            try:
                name, fetched = await _load(source, catalog, http)
                items = await asyncio.to_thread(parse_feed, name, fetched)
            except (OSError, FetchError, ParseError) as exc:
                print(f"{source}: {exc}", file=err)
                status = 1
                continue
            if not as_json:
                hits = sum(1 for item in items if matcher.match(item))
                print(f"== {name} ({source}): {len(items)} items, {hits} match", file=out)
            for item in items:
                matches = matcher.match(item)
                if as_json:
                    print(json.dumps(_record(source, item, matches), ensure_ascii=False), file=out)
                else:
                    print(_describe(item, matches), file=out)
    return status


async def _load(source: str, catalog: Catalog, http: Any) -> tuple[str, FetchResult]:
    if urlsplit(source).scheme in {"http", "https"}:
        configured = {feed.url: feed.name for feed in catalog.feeds}
        name = configured.get(source) or urlsplit(source).netloc
        fetched = await fetch_feed(http, source)
        assert isinstance(fetched, FetchResult)  # no validators sent: never NotModified
        return name, fetched
    path = Path(source)
    content = await asyncio.to_thread(path.read_bytes)
    return path.stem, FetchResult(source, content)


def _fired(matches: Sequence[TopicMatch], field: str) -> list[str]:
    return list(dict.fromkeys(term for m in matches for term in getattr(m, field)))


def _record(source: str, item: Item, matches: Sequence[TopicMatch]) -> dict[str, Any]:
    return {
        "source": source,
        "feed": item.feed,
        "link": item.link,
        "title": item.title,
        "published": item.published.isoformat() if item.published else None,
        "topics": [m.topic for m in matches],
        "actors": _fired(matches, "actors"),
        "keywords": _fired(matches, "keywords"),
        "match_any": _fired(matches, "match_any"),
        "matches": [explanation(m, item) for m in matches],
        "alert": summarise(item, matches).html if matches else None,
    }


def _describe(item: Item, matches: Sequence[TopicMatch]) -> str:
    if not matches:
        return f"  ·  no match: {item.title}"
    lines = [f"  ✔  {', '.join(m.topic for m in matches)}: {item.title}"]
    for m in matches:
        hits = explanation(m, item)["hits"]
        why = [
            f"{label}: {', '.join(terms)}"
            for label, role in (
                ("match_any", "match_any"),
                ("actors", "actor"),
                ("keywords", "keyword"),
            )
            if (terms := terms_with_text(hits, role))
        ]
        lines.append(f"       {m.topic} ← {'; '.join(why)}")
    alert = summarise(item, matches).plain
    lines.extend(f"       │ {line}" for line in alert.splitlines())
    return "\n".join(lines)
