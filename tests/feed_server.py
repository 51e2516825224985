"""A local aiohttp server that serves RSS feeds a test controls, and counts their fetches.

A test adds items, breaks a feed (status codes, garbage bodies), and waits until the bot has
fetched a feed N times: since a feed's polls never overlap, the (N+1)-th fetch proves the N-th
poll has been fully processed. That is how tests synchronise without sleeping.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import zlib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

import brotli  # type: ignore[import-untyped]
from aiohttp import web


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    description: str = ""
    link: str = ""
    # Published now unless a test says otherwise: the bot does not alert items older than 48 h.
    published: datetime | None = field(default_factory=lambda: datetime.now(UTC))

    def to_xml(self) -> str:
        link = self.link or f"https://news.example.org/{self.guid}"
        when = f"<pubDate>{format_datetime(self.published)}</pubDate>" if self.published else ""
        return (
            "<item>"
            f"<title>{escape(self.title)}</title>"
            f"<link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(self.guid)}</guid>'
            f"<description>{escape(self.description)}</description>"
            f"{when}"
            "</item>"
        )


def rss(entries: list[Entry], title: str = "Test feed") -> bytes:
    items = "".join(e.to_xml() for e in reversed(entries))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.org/</link>"
        f"<description>test</description>{items}</channel></rss>"
    ).encode()


@dataclass
class Broken:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html"


@dataclass
class Reply:
    """One scripted response: served once, in order, before the feed's normal content."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml"
    encoding: str | None = None  # "gzip", "deflate" or "br": compress the body, say so
    trickle: bool = False  # send a byte now and then, forever (until the client gives up)


@dataclass
class Page:
    """A web page served at `/pages/<name>` (an article, for feeds that send only titles)."""

    body: bytes = b""
    content_type: str = "text/html"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer: the client has to give up
    chunked: bool = False  # no Content-Length: the body arrives in chunks


class FeedServer:
    """Serves `/<name>.xml`, and pages at `/pages/<name>`; start with `await server.start()`."""

    def __init__(self) -> None:
        self._entries: dict[str, list[Entry]] = {}
        self._broken: dict[str, Broken] = {}
        self._scripts: defaultdict[str, deque[Reply]] = defaultdict(deque)
        self._validators: dict[str, tuple[bool, bool]] = {}
        self.requests: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
        self.fetches: Counter[str] = Counter()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._pages: dict[str, Page] = {}
        self.page_requests: Counter[str] = Counter()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name}.xml", self._serve)
        app.router.add_get("/pages/{name}", self._serve_page)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}.xml"

    def publish(self, name: str, *entries: Entry) -> None:
        """Add entries to the feed (newest last); the feed starts existing on first publish."""
        self._entries.setdefault(name, []).extend(entries)
        self._broken.pop(name, None)

    def replace(self, name: str, *entries: Entry) -> None:
        """Make the feed show exactly these entries (newest last)."""
        self._entries[name] = list(entries)
        self._broken.pop(name, None)

    def break_feed(self, name: str, broken: Broken) -> None:
        self._broken[name] = broken

    def script(self, name: str, *replies: Reply) -> None:
        """Serve these responses to the next requests for the feed, one each, in order."""
        self._scripts[name].extend(replies)

    def use_validators(self, name: str, *, etag: bool = True, last_modified: bool = True) -> None:
        """Send ETag / Last-Modified with the feed and answer matching requests with 304."""
        self._validators[name] = (etag, last_modified)

    async def wait_for_fetches(self, name: str, count: int, within: float = 20.0) -> None:
        """Wait until the feed has been requested at least `count` times in all."""

        async def reached() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self.fetches[name] >= count)

        try:
            await asyncio.wait_for(reached(), within)
        except TimeoutError:
            raise AssertionError(
                f"feed {name} fetched {self.fetches[name]} times, wanted {count}"
            ) from None

    async def _serve(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        async with self._changed:
            self.fetches[name] += 1
            self._changed.notify_all()
        self.requests[name].append(dict(request.headers))
        if self._scripts[name]:
            return await self._scripted(request, self._scripts[name].popleft())
        if name in self._broken:
            broken = self._broken[name]
            return web.Response(
                status=broken.status, body=broken.body, content_type=broken.content_type
            )
        if name not in self._entries:
            return web.Response(status=404, text="no such feed")
        body = rss(self._entries[name])
        headers = {}
        etag, modified = self._validators.get(name, (False, False))
        version = hashlib.sha256(body).hexdigest()[:16]
        if etag:
            headers["ETag"] = f'"{version}"'
        if modified:  # one made-up but stable date per version of the body
            headers["Last-Modified"] = f"Tue, 01 Feb 2022 {int(version[:4], 16) % 24:02d}:00:00 GMT"
        unchanged = (etag and request.headers.get("If-None-Match") == headers.get("ETag")) or (
            not etag
            and modified
            and request.headers.get("If-Modified-Since") == headers.get("Last-Modified")
        )
        if unchanged:
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type="application/rss+xml", headers=headers)

    async def _scripted(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        if reply.trickle:
            response = web.StreamResponse(headers={"Content-Type": reply.content_type})
            await response.prepare(request)
            await response.write(b"<?xml version='1.0'?><rss><channel>")
            while True:  # the client's total timeout ends this
                await asyncio.sleep(0.05)  # sync-ok: how a slow server behaves, not a wait
                await response.write(b" ")
        body = reply.body
        headers = dict(reply.headers)
        if reply.encoding:
            body = _compress(body, reply.encoding)
            headers["Content-Encoding"] = reply.encoding
        return web.Response(
            status=reply.status, body=body, headers=headers, content_type=reply.content_type
        )

    # --- Pages (additions for bot/article.py) ----------------------------------------------

    def page_url(self, name: str) -> str:
        return f"{self.base_url}/pages/{name}"

    def serve_page(self, name: str, page: Page) -> None:
        """Serve `page` at `page_url(name)` from now on (unknown pages are 404)."""
        self._pages[name] = page

    async def _serve_page(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.page_requests[name] += 1
        page = self._pages.get(name)
        if page is None:
            return web.Response(status=404, text="no such page")
        if page.hang:
            await asyncio.Event().wait()  # until the client disconnects and aiohttp cancels us
        if page.chunked:
            response = web.StreamResponse(
                status=page.status, headers={"Content-Type": page.content_type, **page.headers}
            )
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(page.body), 64 * 1024):
                await response.write(page.body[start : start + 64 * 1024])
            await response.write_eof()
            return response
        return web.Response(
            status=page.status, body=page.body, headers=page.headers, content_type=page.content_type
        )


def _compress(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    return brotli.compress(body)
