"""Canonical links: one spelling per article, so the same link written two ways is one item.

Feeds and share buttons decorate links: an upper-case host, an explicit default port, a
`#comments` fragment, campaign parameters that differ per newsletter or per poll. None of that
changes which article the link opens, so `canonical_link` removes it:

- scheme and host are lower-cased (they are case-insensitive); the path keeps its case;
- the default port (:80 for http, :443 for https) is dropped, and an empty http(s) path is "/";
- the fragment is dropped (it only scrolls within the page);
- click and campaign tracking parameters are dropped: any `utm_*`, and `TRACKING_PARAMETERS`.
  Every other parameter is kept byte for byte and in its order, because on many sites the
  query *is* the article (`?id=123`, `?p=42`, `?story_fbid=…`, `?v=…`). The list holds only
  parameters that never select content: names a tracker owns (`fbclid`, `at_medium`, `xtor`,
  Reuters' `taid`, Euronews' `_ope`), never a common word some site uses for content
  (`ref`, `source`, `src`, `from`, `mod` is Discuz!'s `?mod=viewthread`, `sid` is Slashcode's
  story id, `cid`, `partner`, `s`, `t`, `si`, `feature`).

Names are compared ignoring case. Servers do read query names case-sensitively, so this is a
choice: the same tracker is spelled both ways in the wild (the Guardian's `CMP`, the Daily
Mail's `ITO`, `WT.mc_id`; hand-written `UTM_Source` in newsletters), while no site is known
to select content with another case of a tracker's own name. It also keeps the rule below.

Stored identities are canonical links (seen items' keys and link keys), so a change to these
rules changes the keys of items already seen. The rules only ever grow (they drop more, never
less), so canonical_link(old canonical form) == canonical_link(raw link) for every link, and
re-canonicalising what is stored reaches the new keys without the raw links: that is the
migration `RECANONICALISE_LINKS` in bot/storage/schema.py. Whoever changes what this module
drops appends that migration again (tests/test_canonical_links.py holds a tripwire).

A string urllib cannot split (say, a broken IPv6 host or a non-numeric port) is returned
stripped but otherwise unchanged: a poor identity is better than none.
"""

from __future__ import annotations

from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

TRACKING_PARAMETERS = frozenset(
    {
        # ad-click identifiers: Google, DoubleClick, Microsoft, Yandex, X/Twitter, TikTok,
        # Pinterest, Reddit, Snapchat, Impact, Adobe
        "gclid",
        "gclsrc",
        "gbraid",
        "wbraid",
        "dclid",
        "srsltid",
        "msclkid",
        "yclid",
        "ysclid",
        "_openstat",
        "twclid",
        "ttclid",
        "epik",
        "rdt_cid",
        "sccid",
        "irclickid",
        "s_kwcid",
        "ef_id",
        # content-recommendation widgets: Outbrain, Taboola
        "dicbo",
        "oborigurl",
        "tblci",
        # social shares: Facebook, Instagram, X/Twitter, LinkedIn, NYT, Alibaba
        "fbclid",
        "fb_action_ids",
        "fb_action_types",
        "fb_ref",
        "fb_source",
        "mibextid",
        "igshid",
        "igsh",
        "ref_src",
        "ref_url",
        "__twitter_impression",
        "li_fat_id",
        "smid",
        "spm",
        # newsletters and marketing automation: Mailchimp, HubSpot, Marketo, Vero, Klaviyo,
        # Oracle Eloqua, Omeda
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "mkt_tok",
        "vero_id",
        "vero_conv",
        "_kx",
        "elqtrack",
        "elqtrackid",
        "oly_anon_id",
        "oly_enc_id",
        # analytics cross-domain linkers and campaign codes: Google, Adobe, Webtrends, Matomo
        "_ga",
        "_gl",
        "s_cid",
        "wt.mc_id",
        "wt_mc",
        "pk_campaign",
        "pk_kwd",
        "pk_source",
        "pk_medium",
        "pk_content",
        "mtm_campaign",
        "mtm_kwd",
        "mtm_source",
        "mtm_medium",
        "mtm_content",
        "mtm_cid",
        "mtm_group",
        "mtm_placement",
        # AT Internet / Piano Analytics (BBC, Le Monde and other European publishers): the
        # campaign parameters it documents and those BBC links carry; xtor is its older form
        "xtor",
        "at_medium",
        "at_campaign",
        "at_campaign_type",
        "at_creation",
        "at_variant",
        "at_platform",
        "at_format",
        "at_send_date",
        "at_send_id",
        "at_recipient_id",
        "at_recipient_list",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "at_mid",
        "at_audience_id",
        "at_product",
        "at_brand",
        "at_objective",
        "at_link",
        "at_link_id",
        "at_link_type",
        "at_link_origin",
        "at_link_title",
        "at_ptr_name",
        "at_ptr_type",
        "at_bbc_team",
        # comScore (Daily Mail, BBC's older links)
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        # publishers' own campaign codes: MSN/Microsoft, Adobe (cmpid), Reuters, Euronews,
        # Guardian and FT (CMP), Daily Mail (ITO), DW, NYT (emc), CBS (ftag), HuffPost
        # and Yahoo (soc_*, ncid, and the consent redirect's guc*)
        "ocid",
        "cmpid",
        "taid",
        "_ope",
        "cmp",
        "ito",
        "maca",
        "emc",
        "ftag",
        "soc_src",
        "soc_trk",
        "ncid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
    }
)
"""Lower-cased: a parameter's name is compared with them ignoring case (see the module doc)."""

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
