"""Alert rendering: hostile feed text is escaped, lengths stay within Telegram's limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import Item, TopicMatch
from bot.summarise import TELEGRAM_LIMIT, render_html, render_plain, summarise, utf16_length
from bot.text import html_to_text, shorten

from .fake_bot_api import check_telegram_html
from .rules import matcher_from

MATCH = (TopicMatch("russia-ukraine", actors=("Vladimir Putin",), keywords=("troops",)),)


def item(
    title: str = "Putin moves troops", summary: str = "", link: str = "https://e.org/a"
) -> Item:
    return Item(
        feed="Example News",
        key="k",
        title=title,
        link=link,
        summary=summary,
        published=datetime(2022, 2, 21, 19, 5, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "title",
    [
        "<script>alert(1)</script> troops",
        "Tom & Jerry <b>bold</b> troops",
        "Quotes \" and ' and > and <",
        "&amp; already escaped &lt;",
        "</b></a> closing tags first",
    ],
)
def test_hostile_titles_are_escaped_and_telegram_accepts_them(title: str) -> None:
    text = render_html(item(title=title), MATCH)
    shown = check_telegram_html(text)  # raises if Telegram would refuse it
    assert title in shown


def test_layout_has_linked_title_source_time_summary_and_hashtag() -> None:
    text = render_html(item(summary="<p>Columns of <i>troops</i> moved overnight.</p>"), MATCH)
    lines = text.split("\n")
    assert lines[0] == '<b><a href="https://e.org/a">Putin moves troops</a></b>'
    assert lines[1] == "Example News · 21 Feb 2022 19:05 UTC"
    assert lines[2] == "Columns of troops moved overnight."
    assert lines[3] == "#russia_ukraine"


def test_link_with_quotes_cannot_break_out_of_the_attribute() -> None:
    text = render_html(item(link='https://e.org/a?x="><script>'), MATCH)
    check_telegram_html(text)
    assert 'href="https://e.org/a?x=&quot;&gt;&lt;script&gt;"' in text


@pytest.mark.parametrize("link", ["javascript:alert(1)", "", "ftp://e.org/x", "http://[bad"])
def test_only_web_links_are_linked(link: str) -> None:
    text = render_html(item(link=link), MATCH)
    assert "<a " not in text
    check_telegram_html(text)


def test_huge_title_and_summary_stay_far_below_the_limit() -> None:
    emoji_storm = "🇺🇦 " * 5000
    alert = summarise(item(title=emoji_storm, summary=emoji_storm * 3), MATCH)
    assert utf16_length(check_telegram_html(alert.html)) < TELEGRAM_LIMIT
    assert utf16_length(alert.plain) < TELEGRAM_LIMIT


def test_summary_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    text = render_html(item(summary=words), MATCH)
    summary = text.split("\n")[2]
    assert summary.endswith("…")
    assert len(summary) <= 300
    assert summary[:-1].split(" ")[-1].startswith("word")
    assert summary[:-1] in words


def test_summary_repeating_the_title_is_left_out() -> None:
    text = render_html(item(summary="Putin moves troops"), MATCH)
    assert text.count("Putin moves troops") == 1


def test_plain_rendering_spells_out_the_link() -> None:
    text = render_plain(item(summary="Details."), MATCH)
    assert text.split("\n") == [
        "Putin moves troops",
        "Example News · 21 Feb 2022 19:05 UTC",
        "Details.",
        "https://e.org/a",
        "#russia_ukraine",
    ]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>One</p><p>Two</p>", "One\nTwo"),
        ("a&nbsp;b&amp;c &#8217; &rsquo;", "a b&c ’ ’"),
        ("<script>var x = '<b>';</script>Text", "Text"),
        ("Soft\u00adhyphen and zero\u200bwidth", "Softhyphen and zerowidth"),
        ("double &amp;amp; escaped", "double & escaped"),
        ("  lots   of\n\n  space ", "lots of\nspace"),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


def test_shorten_keeps_short_text_whole() -> None:
    assert shorten("short text", 300) == "short text"


def test_matched_names_are_bold_in_the_summary_and_markup_stays_valid() -> None:
    matcher = matcher_from(
        '[actors.putin]\nname = "Vladimir Putin"\naliases = ["Putin"]\n'
        '[actors.nato]\nname = "NATO"\n'
        '[topics.crisis]\ntitle = "C"\nactors = ["putin", "nato"]\nkeywords = ["troop"]\n'
        'match_any = ["Kyiv"]\n'
    )
    news = item(
        title="Troops move",
        summary="<p>Putin&#8217;s  troops\nnear <i>Kyiv</i> &amp; <b>NATO</b> &lt;watching&gt;.</p>",
    )
    html = render_html(news, matcher.match(news))
    summary = html.splitlines()[2]
    assert summary == (
        "<b>Putin</b>’s troops near <b>Kyiv</b> &amp; <b>NATO</b> &lt;watching&gt;."
    )  # names and places bold, keywords not; entities decoded then escaped
    check_telegram_html(html)


def test_bold_survives_a_summary_cut_at_the_limit() -> None:
    matcher = matcher_from(
        '[actors.putin]\nname = "Putin"\n[topics.crisis]\ntitle = "C"\nactors = ["putin"]\n'
        'keywords = ["troop"]\n'
    )
    news = item(summary="troops " * 60 + "Putin at the end, past the cut")
    html = render_html(news, matcher.match(news))
    assert html.splitlines()[2].endswith("…")
    assert "<b>" not in html.splitlines()[2]
    check_telegram_html(html)


def test_a_publication_date_in_the_future_is_shown_as_now() -> None:
    future = Item(
        "Wire", "k", "Troops move", "https://e.org/a", published=datetime(2099, 1, 1, tzinfo=UTC)
    )
    byline = render_html(future, MATCH).splitlines()[1]
    assert "2099" not in byline
    assert str(datetime.now(UTC).year) in byline
