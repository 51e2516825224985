"""Article text for feeds that send only titles (`fetch_article = true` in feeds.toml).

A title-only item gives the matcher and the summariser nothing but a headline. For such a feed
the pipeline fetches the page of each new title-only item, before matching, and the main text
of the page becomes the item's summary: the matcher reads it (a headline such as "Talks end
without a deal" may name the parties only in its body) and the summariser shows its lead.

- The page is fetched by `fetch.fetch_page`: the feeds' timeouts, redirects by hand, http(s)
  only, HTML only (checked before the body is read), at most ARTICLE_MAX_BYTES decoded.
  trafilatura only ever sees the bytes downloaded here: it is given a string, never a URL, so
  it does no I/O of its own. Extraction is CPU work and runs in a thread.
- Which items (`articles_wanted`): new, young enough to alert, with a web link and without a
  description of their own. A feed that suddenly looks all new (see polling.is_flood) alerts
  at most `flood_limit` items, so only that many of its newest pages are fetched.
- Cost and delay: ARTICLE_CONCURRENCY pages of one feed at a time, and one time budget for all
  the pages of a poll. A page that fails, is too big, is not HTML or is not ready in time
  leaves its item as the feed gave it (title only), logged with `feed` and `item`; the alert
  is never held back longer than the budget.
- Only the lead is kept (ARTICLE_TEXT_LIMIT characters, whole paragraphs): it is what a feed's
  description would carry, and matching a whole article would fire on a place named in its
  twelfth paragraph.
"""

from __future__ import annotations

import asyncio
import codecs
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import aiohttp

from .errors import FetchError
from .fetch import fetch_page
from .models import FetchResult, Item
from .polling import PollPolicy, admit, is_flood
from .text import html_to_text

log = logging.getLogger(__name__)
# trafilatura logs at ERROR every page it finds no text in; fetch_article_text logs that once,
# as a warning with the feed and the item.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

ARTICLE_MAX_BYTES = 2 * 1024 * 1024
ARTICLE_CONCURRENCY = 3  # pages of one feed at a time: polite to a site that sends no bodies
ARTICLE_TEXT_LIMIT = 2000
# Less is a menu or a caption that the extractor took for text, not an article.
ARTICLE_MIN_TEXT = 80
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def articles_wanted(
    fresh: Sequence[Item], in_document: int, now: datetime, policy: PollPolicy
) -> list[Item]:
    """The new items whose article page is worth fetching: those that may alert and have
    only a title; in a flood, only the newest `flood_limit` of them."""
    eligible = admit(fresh, now, policy).eligible  # oldest first
    wanted = [item for item in eligible if _title_only(item) and _is_web_link(item.link)]
    if is_flood(len(fresh), in_document, policy):
        return wanted[-policy.flood_limit :]
    return wanted


async def fetch_article_texts(
    session: aiohttp.ClientSession,
    items: Sequence[Item],
    *,
    feed: str,
    budget: float,
    concurrency: int = ARTICLE_CONCURRENCY,
) -> dict[str, str]:
    """The article text of each item that arrived within `budget` seconds (for all of them
    together), by item key; the others are missing."""
    if not items:
        return {}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    slots = asyncio.Semaphore(concurrency)

    async def one(item: Item) -> tuple[str, str | None]:
        async with slots:
            left = deadline - loop.time()
            if left <= 0:
                log.warning("article skipped: no time left feed=%r item=%r", feed, item.link)
                return item.key, None
            return item.key, await fetch_article_text(session, item.link, feed=feed, budget=left)

    results = await asyncio.gather(*(one(item) for item in items))
    return {key: text for key, text in results if text}


async def fetch_article_text(
    session: aiohttp.ClientSession,
    url: str,
    *,
    feed: str,
    budget: float,
    max_bytes: int = ARTICLE_MAX_BYTES,
) -> str | None:
    """The main text of the article at `url` as paragraphs, or None (logged) when it cannot be
    had within `budget` seconds."""
    try:
        async with asyncio.timeout(budget):
            page = await fetch_page(session, url, max_bytes=max_bytes, media_types=HTML_TYPES)
            text = await asyncio.to_thread(extract_text, page)
    except TimeoutError:
        log.warning("article not ready in %.1fs feed=%r item=%r: title only", budget, feed, url)
        return None
    except FetchError as exc:
        log.warning(
            "article fetch failed feed=%r item=%r error=%r: title only", feed, url, str(exc)
        )
        return None
    except Exception:  # an extractor bug on one page costs that item its body, never the poll
        log.exception("article extraction crashed feed=%r item=%r: title only", feed, url)
        return None
    if not text:
        log.warning("article has no main text feed=%r item=%r: title only", feed, url)
        return None
    log.debug("article text feed=%r item=%r chars=%d", feed, url, len(text))
    return text


def extract_text(page: FetchResult) -> str | None:
    """The main text of an HTML page (navigation, comments and boilerplate left out), one
    paragraph a line; None when there is none. Blocking: run it in a thread."""
    # Imported on first use: it brings lxml and friends (~35 MB), which a bot without
    # fetch_article feeds never needs.
    import trafilatura

    text = trafilatura.extract(
        _decoded(page),
        include_comments=False,
        include_tables=False,
        favor_precision=True,  # a shorter text beats one that starts with a cookie banner
    )
    if not text:
        return None
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    kept = "\n".join(p for p in paragraphs if p)
    return kept if len(kept) >= ARTICLE_MIN_TEXT else None


def with_article(item: Item, text: str) -> Item:
    """`item` with the lead of its article as its summary (escaped HTML paragraphs, which is
    what the matcher and the summariser read a description as)."""
    kept: list[str] = []
    size = 0
    for paragraph in text.splitlines():
        if kept and size + len(paragraph) > ARTICLE_TEXT_LIMIT:
            break
        kept.append(paragraph[:ARTICLE_TEXT_LIMIT])
        size += len(paragraph)
    summary = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in kept)
    return replace(item, summary=summary)


def _decoded(page: FetchResult) -> str | bytes:
    """The page as text when the server names a charset Python knows and the bytes are in
    it; else the bytes, and trafilatura reads the charset from the page's <meta> or guesses
    it (a Cyrillic page in windows-1251 labelled UTF-8 is common enough)."""
    content_type = next((v for k, v in page.headers.items() if k.lower() == "content-type"), "")
    found = _CHARSET.search(content_type)
    if found:
        try:
            return page.content.decode(codecs.lookup(found.group(1)).name)
        except (LookupError, UnicodeDecodeError):
            pass
    return page.content


def _title_only(item: Item) -> bool:
    description = " ".join(html_to_text(item.summary).split())
    return not description or description.casefold() == " ".join(item.title.split()).casefold()


def _is_web_link(link: str) -> bool:
    return link.startswith(("http://", "https://"))
