"""Downloads feeds over HTTP with aiohttp: the only module that talks to feed servers.

Polite and defensive, because this is where feed readers lose trust:
- Conditional GET: the server's ETag and Last-Modified are sent back verbatim (never a date we
  made up); a 304, or a 200 whose body hashes the same as last time, is `NotModified`, so
  nothing is parsed.
- Timeouts for connecting, for each read, and in total (a server that trickles bytes forever
  is cut off); a size cap on the decoded body (gzip, deflate and br are accepted; a larger
  Content-Length is refused before reading, and a compression bomb is stopped at the cap).
- Redirects are followed by hand, at most `MAX_REDIRECTS` hops, loops refused. A chain of
  permanent ones (301/308) from the start is reported as `moved_to`; the caller decides when
  to believe it.
- Status: 410 is `FeedGone`; 429 and 503 are `Throttled` with the server's Retry-After (in
  seconds or as an HTTP date); anything else is a `FetchError` naming the cause.

`fetch_page` gets a web page (an article, for feeds that send only titles) with the same
safeguards, no conditional GET, and only the media types the caller accepts.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import aiohttp

from . import __version__
from .errors import FeedGone, FetchError, Throttled
from .models import FetchResult, NotModified, Validators

USER_AGENT = (
    f"newsbot/{__version__} (RSS news alerts for Telegram; polls each feed about once a minute)"
)
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_PERMANENT = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def new_session(timeout: float, *, connections: int = 100) -> aiohttp.ClientSession:
    """A session for feed requests; the caller closes it. `timeout` bounds a whole request."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(
            total=timeout, sock_connect=min(timeout, 10.0), sock_read=min(timeout, 15.0)
        ),
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        connector=aiohttp.TCPConnector(limit=connections, ttl_dns_cache=300),
    )


async def fetch_feed(
    session: aiohttp.ClientSession,
    url: str,
    validators: Validators | None = None,
    *,
    max_bytes: int = MAX_BYTES,
) -> FetchResult | NotModified:
    """The feed at `url`, or NotModified; raise FetchError (or a child) on any failure."""
    known = validators or Validators()
    try:
        return await _fetch(session, url, known, max_bytes)
    except TimeoutError as exc:
        raise FetchError("timed out") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc
    except ValueError as exc:  # a URL urllib or yarl cannot read (a redirect to "http://[::1")
        raise FetchError(f"bad URL: {exc}") from exc


async def _fetch(
    session: aiohttp.ClientSession, url: str, known: Validators, max_bytes: int
) -> FetchResult | NotModified:
    current, moved_to, permanent, visited = url, None, True, {url}
    for _ in range(MAX_REDIRECTS + 1):
        async with session.get(
            current, headers=_conditional(known), allow_redirects=False
        ) as response:
            status = response.status
            if status in _REDIRECTS:
                target = _redirect_target(response, current)
                permanent = permanent and status in _PERMANENT
                moved_to = target if permanent else moved_to
                if target in visited:
                    raise FetchError(f"redirect loop at {target}")
                visited.add(target)
                current = target
                continue
            if status == 304:
                return NotModified(current, _updated(known, response, None), moved_to)
            _raise_for(response)
            if (response.content_length or 0) > max_bytes:
                raise FetchError(f"response of {response.content_length} bytes is too large")
            content = await _read_capped(response, max_bytes)
            digest = hashlib.sha256(content).hexdigest()
            fresh = _updated(known, response, digest)
            if digest == known.body_hash:
                return NotModified(current, fresh, moved_to, reason="unchanged body")
            return FetchResult(current, content, dict(response.headers), fresh, moved_to)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _conditional(known: Validators) -> dict[str, str]:
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers


def _updated(known: Validators, response: aiohttp.ClientResponse, digest: str | None) -> Validators:
    """A 200 replaces both validators (one it no longer sends is dropped); a 304 may omit
    them, so it only replaces those it sends."""
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    if response.status == 304:
        return Validators(etag or known.etag, modified or known.last_modified, known.body_hash)
    return Validators(etag, modified, digest)


def _redirect_target(response: aiohttp.ClientResponse, current: str) -> str:
    location = response.headers.get("Location", "").strip()
    if not location:
        raise FetchError(f"HTTP {response.status} redirect without a Location")
    target = urljoin(current, location)
    if urlsplit(target).scheme not in {"http", "https"}:
        raise FetchError(f"redirect to a non-web address: {target}")
    return target


def _raise_for(response: aiohttp.ClientResponse) -> None:
    status = response.status
    if status == 200:
        return
    reason = f"HTTP {status} {response.reason or ''}".rstrip()
    if status == 410:
        raise FeedGone(reason)
    if status in {429, 503}:
        raise Throttled(reason, retry_after_seconds(response.headers.get("Retry-After")))
    raise FetchError(reason)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from `now`: either delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The decoded body, refusing more than `max_bytes` of it (a gzip bomb stops here)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"response is larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch_page(
    session: aiohttp.ClientSession,
    url: str,
    *,
    max_bytes: int,
    media_types: frozenset[str],
) -> FetchResult:
    """The page at `url` if its Content-Type is one of `media_types`; raise FetchError (or a
    child) on any failure. Redirects are followed by hand, as for feeds."""
    try:
        return await _fetch_page(session, url, max_bytes, media_types)
    except TimeoutError as exc:
        raise FetchError("timed out") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise FetchError(f"bad URL: {exc}") from exc


async def _fetch_page(
    session: aiohttp.ClientSession, url: str, max_bytes: int, media_types: frozenset[str]
) -> FetchResult:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise FetchError(f"not a web address: {url}")
    current, visited = url, {url}
    headers = {"Accept": ", ".join(sorted(media_types)) + ", */*;q=0.1"}
    for _ in range(MAX_REDIRECTS + 1):
        async with session.get(current, headers=headers, allow_redirects=False) as response:
            if response.status in _REDIRECTS:
                current = _redirect_target(response, current)
                if current in visited:
                    raise FetchError(f"redirect loop at {current}")
                visited.add(current)
                continue
            _raise_for(response)
            # Checked before reading: a PDF or a video is never downloaded.
            if response.content_type not in media_types:
                wanted = " or ".join(sorted(media_types))
                raise FetchError(f"content type {response.content_type}, not {wanted}")
            if (response.content_length or 0) > max_bytes:
                raise FetchError(f"response of {response.content_length} bytes is too large")
            content = await _read_capped(response, max_bytes)
            return FetchResult(current, content, dict(response.headers))
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")
