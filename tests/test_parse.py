"""Feed bytes → Items: identities, dates, summaries, and what counts as not-a-feed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ParseError
from bot.models import FetchResult
from bot.parse import parse_feed

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
