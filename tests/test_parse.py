"""Feed bytes → Items: identities, canonical links, charsets, dates, summaries, hostile XML,
and what counts as not-a-feed."""

from __future__ import annotations

import socket
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pytest

from bot.errors import ParseError
from bot.models import FetchResult, Item
from bot.parse import parse_feed
from bot.urls import canonical_link

DATA = Path(__file__).parent / "data"


def parse(name: str) -> list:  # type: ignore[type-arg]
    return parse_feed("Fixture", FetchResult(name, (DATA / name).read_bytes()))


def test_rss_items_with_guid_link_fallback_and_skipped_empties() -> None:
    items = parse("mixed.xml")
    assert [i.key for i in items] == [
        "wire-0001",
        "wire-0002",
        "https://wire.example.org/2022/02/kyiv-explosions",  # no guid: the link
    ]
    first = items[0]
    assert first.title == "NATO allies weigh new sanctions as Putin masses troops"
    assert "<b>three hours</b>" in first.summary
    assert first.published == datetime(2022, 2, 21, 18, 30, tzinfo=UTC)
    assert items[2].published is None


def test_atom_html_titles_are_decoded_and_content_stands_in_for_summary() -> None:
    first, second = parse("atom.xml")
    assert first.title == "Kremlin & NATO trade proposals"
    assert first.key == "urn:fixture:a1"
    assert "Body text of the entry." in second.summary
    assert second.published == datetime(2022, 2, 22, 7, 0, tzinfo=UTC)  # offsets become UTC


def test_an_item_without_guid_or_link_is_identified_by_its_text() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>Same</title><description>one</description></item>
      <item><title>Same</title><description>two</description></item>
    </channel></rss>"""
    one, two = parse_feed("F", FetchResult("x", body))
    assert one.key.startswith("sha256:")
    assert one.key != two.key


def test_an_empty_channel_is_a_feed_with_no_items() -> None:
    body = b'<rss version="2.0"><channel><title>quiet</title></channel></rss>'
    assert parse_feed("F", FetchResult("x", body)) == []


@pytest.mark.parametrize(
    "body", [b"", b"<html><body><p>Not a feed</p></body></html>", b"\x89PNG\r\n\x1a\n\x00"]
)
def test_not_a_feed_raises(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed("F", FetchResult("x", body))


def test_an_impossible_date_does_not_lose_the_entry() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><title>Kyiv update</title><link href="https://e.org/1"/><id>1</id>
      <updated>0001-01-01T00:00:00+01:00</updated></entry></feed>"""
    [item] = parse_feed("F", FetchResult("x", body))
    assert item.title == "Kyiv update"
    assert item.published is None


# --- Identity -------------------------------------------------------------------------------

PARSE = DATA / "parse"


def parse_fixture(name: str, headers: dict[str, str] | None = None) -> list[Item]:
    content = (PARSE / name).read_bytes()
    return parse_feed(
        "Fixture", FetchResult(f"https://feeds.example.org/{name}", content, headers or {})
    )


def test_a_guid_shared_by_entries_does_not_hide_either_of_them() -> None:
    items = parse_fixture("duplicate-guids.xml")
    titles = [i.title for i in items]
    assert titles == [
        "Grain ships leave Odesa under new corridor deal",
        "Power restored in Kharkiv after overnight strikes",
        "Foreign ministers to meet in Geneva",  # its verbatim repeat at the end is dropped
        "Live: Security Council session",
        "Live: Security Council session",  # same guid and link, new text: a distinct update
    ]
    assert len({i.key for i in items}) == len(items)
    grain, power, geneva, live_1, live_2 = items
    assert grain.key == "https://wire.example.org/2022/08/grain-ships"  # the link, not "story"
    assert power.key == "https://wire.example.org/2022/09/kharkiv-power"  # canonical
    assert geneva.key == "wire-0042"  # a unique guid is the key, as it always was
    assert live_1.key.startswith("sha256:")
    assert live_2.key.startswith("sha256:")


def test_keys_survive_a_new_item_at_the_top_of_the_feed() -> None:
    """The next poll brings a new item; the items already seen keep their keys."""
    before = [(i.title, i.summary, i.key) for i in parse_fixture("duplicate-guids.xml")]
    body = (PARSE / "duplicate-guids.xml").read_text(encoding="utf-8")
    newest = "<item><title>Newer</title><link>https://wire.example.org/n</link></item>"
    next_poll = body.replace("<item>", f"{newest}\n<item>", 1).encode()
    newer, *after = parse_feed("Fixture", FetchResult("x", next_poll))
    assert newer.key == "https://wire.example.org/n"
    assert [(i.title, i.summary, i.key) for i in after] == before


def test_links_that_differ_only_in_spelling_and_tracking_identify_one_item() -> None:
    tracked, with_guid = parse_fixture("tracking-links.xml")
    assert tracked.key == "https://energy.example.org/Storage/Report?id=77"
    assert tracked.link_key == tracked.key
    assert "Energy.Example.ORG:443" in tracked.link  # the reader gets the link as sent
    assert "utm_campaign=weekly" in tracked.link
    assert with_guid.key == "energy-9"
    assert with_guid.link_key == "https://energy.example.org/pipeline"


def test_a_link_every_entry_shares_identifies_none_of_them() -> None:
    """A scraped feed whose every item links to the home page: each item is still new once,
    and the shared link is no link_key, or storage would take every new item for a known one."""
    first, second = parse_fixture("shared-home-link.xml")  # the third repeats the second
    assert first.title.startswith("Новые санкции")
    assert second.title.startswith("Переговоры в Стамбуле")
    assert first.key.startswith("sha256:")
    assert second.key.startswith("sha256:")
    assert first.key != second.key
    assert first.link_key == second.link_key != ""  # storage tells them apart by title


def test_a_home_page_link_identifies_no_item_even_alone() -> None:
    """A feed showing one item per poll, always linked to the home page: as a key the link
    would make every later item look known, so the key is the item's text."""
    body = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>Kyiv: talks resume</title><link>https://News.example.org/?utm_source=x</link>
      </item></channel></rss>"""
    [item] = parse_feed("F", FetchResult("x", body))
    assert item.link_key == "https://news.example.org/"
    assert item.key.startswith("sha256:")


def test_an_item_without_a_link_has_no_link_key() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>Only a title</title><guid isPermaLink="false">g-1</guid></item></channel></rss>"""
    [item] = parse_feed("F", FetchResult("x", body))
    assert (item.key, item.link_key) == ("g-1", "")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("  HTTPS://Example.ORG/Path/Case  ", "https://example.org/Path/Case"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("http://example.org:443/a", "http://example.org:443/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://example.org/a?utm_source=rss&utm_medium=feed", "https://example.org/a"),
        ("https://example.org/a?UTM_Campaign=x&id=7", "https://example.org/a?id=7"),
        ("https://example.org/a?b=2&fbclid=F&a=1&gclid=G", "https://example.org/a?b=2&a=1"),
        (
            "https://example.org/a?mc_cid=1&mc_eid=2&yclid=3&msclkid=4&igshid=5&_ga=6",
            "https://example.org/a",
        ),
        (
            "https://example.org/a?q=caf%C3%A9+bar&x=%2F",
            "https://example.org/a?q=caf%C3%A9+bar&x=%2F",
        ),
        ("https://example.org/a?id=1&", "https://example.org/a?id=1"),
        ("https://example.org/a?ref=home", "https://example.org/a?ref=home"),  # may select content
        ("https://User:Pw@Example.org/a", "https://User:Pw@example.org/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("https://example.org:/a", "https://example.org/a"),
        ("http://[broken/a", "http://[broken/a"),
        ("https://example.org:port/a", "https://example.org:port/a"),
        ("/relative/path?utm_source=x", "/relative/path"),
        ("", ""),
    ],
)
def test_canonical_link(url: str, canonical: str) -> None:
    assert canonical_link(url) == canonical


# --- Character encoding ---------------------------------------------------------------------

CYRILLIC_TITLE = "Киев и Москва обменялись пленными"
UTF8_RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


@pytest.mark.parametrize(
    ("fixture", "headers"),
    [
        ("cp1251-declared-utf8.xml", UTF8_RSS),  # server and declaration both say UTF-8
        ("cp1251-undeclared.xml", UTF8_RSS),  # server says UTF-8, no declaration
        ("cp1251-undeclared.xml", {}),  # no label at all (a saved file, `preview`)
        ("cp1251-undeclared.xml", {"Content-Type": "text/xml"}),
        ("utf8-declared-cp1251.xml", {}),  # UTF-8 bytes under an old windows-1251 label
        ("utf8-declared-cp1251.xml", {"Content-Type": "text/xml; charset=windows-1251"}),
        ("utf8-bom.xml", {}),
        ("utf8-bom.xml", UTF8_RSS),
        ("utf8-bom.xml", {"Content-Type": "text/xml; charset=iso-8859-1"}),  # the BOM wins
    ],
)
def test_cyrillic_text_survives_a_wrong_or_missing_charset(
    fixture: str, headers: dict[str, str]
) -> None:
    [item] = parse_fixture(fixture, headers)
    assert item.title == CYRILLIC_TITLE
    assert item.summary == "Обмен прошёл на границе при посредничестве Турции."


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Content-Type": "application/rss+xml"},
        {"Content-Type": "text/xml"},
        {"Content-Type": "text/xml; charset=ISO-8859-1"},
    ],
)
def test_a_feed_declared_iso_8859_1_reads_as_latin_1(headers: dict[str, str]) -> None:
    [item] = parse_fixture("latin1-declared.xml", headers)
    assert item.title == "Außenminister in Genève: Gespräche über Öl-Embargo"
    assert item.summary == "Délégations arrivées lundi; Einigung bis März möglich."


# --- Hostile documents ----------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to open a connection or a URL, each refused loudly."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        attempts.append(repr(args)[:200])
        raise AssertionError(f"the parser tried to reach {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


def test_entity_expansion_does_not_inflate_the_item(no_network: list[str]) -> None:
    """Billion laughs in the title and a 10 KB entity repeated 3000 times in the summary
    (which used to come out as a 30 MB summary): the item keeps roughly its size on the wire."""
    size = (PARSE / "entity-expansion.xml").stat().st_size
    [item] = parse_fixture("entity-expansion.xml")
    assert item.title.startswith("Laughs")
    assert len(item.title) < 100
    assert len(item.summary) < size
    assert no_network == []


def test_external_entities_are_never_fetched_or_read(no_network: list[str]) -> None:
    [item] = parse_fixture("external-entity.xml")
    assert item.title.startswith("Leak")
    assert "root:" not in item.summary  # /etc/passwd stayed where it is
    assert no_network == []


def test_a_local_file_named_as_an_external_entity_is_not_read(
    tmp_path: Path, no_network: list[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY s SYSTEM "{secret.as_uri()}">]>
<rss version="2.0"><channel><title>t</title>
<item><title>Item &s;</title><link>https://e.org/1</link><description>&s;</description></item>
</channel></rss>""".encode()
    [item] = parse_feed("F", FetchResult("x", body))
    assert "TOP-SECRET-MARKER" not in item.title + item.summary
    assert no_network == []


def test_a_feed_that_declares_its_own_entities_is_still_read() -> None:
    [item] = parse_fixture("declared-entities.xml")
    assert item.title == "Ceasefire talks resume — officials"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_entity_declarations_in_a_wide_encoding_are_refused(codec: str) -> None:
    """feedparser turns these into UTF-8 before its own DOCTYPE handling, and this document
    came out with a 30 MB summary; they are refused rather than decoded and cleaned."""
    text = (PARSE / "entity-expansion.xml").read_text(encoding="utf-8")
    body = text.replace('encoding="utf-8"', f'encoding="{codec}"').encode(codec)
    with pytest.raises(ParseError, match="entities"):
        parse_feed("F", FetchResult("x", body))


def test_a_wide_encoding_feed_without_entities_is_read() -> None:
    text = (PARSE / "utf8-bom.xml").read_bytes()[3:].decode("utf-8")
    body = text.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    [item] = parse_feed("F", FetchResult("x", body))
    assert item.title == CYRILLIC_TITLE


def test_a_body_that_looks_like_a_file_name_is_not_opened(tmp_path: Path) -> None:
    """feedparser opens bytes that name an existing file; a server's reply must never make
    the bot read (or, for /dev/zero, endlessly read) a local file."""
    local = tmp_path / "local.xml"
    local.write_bytes((DATA / "mixed.xml").read_bytes())
    with pytest.raises(ParseError):
        parse_feed("F", FetchResult("https://evil.example.org/feed", str(local).encode()))
