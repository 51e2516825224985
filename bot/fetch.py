"""Downloads feeds over HTTP with aiohttp: the only module that talks to feed servers.

Each request has a total timeout and a size cap; every failure becomes a FetchError naming the
cause, so one bad feed is recorded and never stops the others.
"""

from __future__ import annotations

import aiohttp

from . import __version__
from .errors import FetchError
from .models import FetchResult

USER_AGENT = f"newsbot/{__version__} (RSS news alerts for Telegram)"
MAX_BYTES = 10 * 1024 * 1024
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def new_session(timeout: float) -> aiohttp.ClientSession:
    """A session for feed requests; the caller closes it."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 10.0)),
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
    )


async def fetch_feed(session: aiohttp.ClientSession, url: str) -> FetchResult:
    """The body of `url` with its headers; raise FetchError on any failure."""
    try:
        async with session.get(url) as response:
            if response.status != 200:
                raise FetchError(f"HTTP {response.status} {response.reason or ''}".rstrip())
            if (response.content_length or 0) > MAX_BYTES:
                raise FetchError(f"response of {response.content_length} bytes is too large")
            content = await _read_capped(response)
            return FetchResult(str(response.url), content, dict(response.headers))
    except TimeoutError as exc:
        raise FetchError("timed out") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(f"response is larger than {MAX_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
