"""Canonical links: one spelling per article, so the same link written two ways is one item.

Feeds and share buttons decorate links: an upper-case host, an explicit default port, a
`#comments` fragment, campaign parameters that differ per newsletter or per poll. None of that
changes which article the link opens, so `canonical_link` removes it:

- scheme and host are lower-cased (they are case-insensitive); the path keeps its case;
- the default port (:80 for http, :443 for https) is dropped, and an empty http(s) path is "/";
- the fragment is dropped (it only scrolls within the page);
- click and campaign tracking parameters are dropped: any `utm_*`, and `TRACKING_PARAMETERS`.
  Every other parameter is kept byte for byte and in its order, because on many sites the
  query *is* the article (`?id=123`). The list holds only parameters that never select content.

A string urllib cannot split (say, a broken IPv6 host or a non-numeric port) is returned
stripped but otherwise unchanged: a poor identity is better than none.
"""

from __future__ import annotations

from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

TRACKING_PARAMETERS = frozenset(
    {
        # ad-click identifiers: Google, DoubleClick, Microsoft, Yandex, X/Twitter, TikTok
        "gclid",
        "gbraid",
        "wbraid",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        # social shares: Facebook, Instagram, X/Twitter, LinkedIn, NYT
        "fbclid",
        "igshid",
        "ref_src",
        "ref_url",
        "li_fat_id",
        "smid",
        # newsletters and marketing automation: Mailchimp, HubSpot, Marketo, Vero
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        # analytics cross-domain linkers and publishers' campaign codes (Adobe, MSN, BBC)
        "_ga",
        "_gl",
        "s_cid",
        "cmpid",
        "ocid",
        "at_medium",
        "at_campaign",
    }
)

_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_link(url: str) -> str:
    """The link as one spelling per article (rules in the module docstring)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port  # validates the port: raises ValueError when it is not a number
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    path = parts.path or ("/" if parts.netloc and scheme in _DEFAULT_PORTS else "")
    netloc = _netloc(parts, scheme, port)
    return urlunsplit((scheme, netloc, path, _without_tracking(parts.query), ""))


def _netloc(parts: SplitResult, scheme: str, port: int | None) -> str:
    """Host lower-cased and the default port dropped; user info (case-sensitive) kept."""
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host = hostport.lower()
    if port is not None:
        host = host[: host.rindex(":")]
        if _DEFAULT_PORTS.get(scheme) != port:
            host = f"{host}:{port}"
    elif host.endswith(":"):  # "example.org:" is an empty port, which means the default
        host = host[:-1]
    return f"{userinfo}{at}{host}"


def _without_tracking(query: str) -> str:
    """The query without tracking parameters; the others exactly as written, in order."""
    if not query:
        return ""
    kept = [field for field in query.split("&") if field and not _is_tracking(field)]
    return "&".join(kept)


def _is_tracking(field: str) -> bool:
    name = unquote_plus(field.partition("=")[0]).strip().lower()
    return name.startswith("utm_") or name in TRACKING_PARAMETERS


def is_site_root(link: str) -> bool:
    """Whether a canonical link is a site's home page (no path, no query): it names no
    article, so it can never tell one item from another."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.path in {"", "/"} and not parts.query
