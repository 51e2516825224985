"""Alert rendering: hostile feed text is escaped, lengths stay within Telegram's limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Summaries: the lead sentence and the one that carries the matched names, boilerplate left out.

CRISIS = matcher_from(
    '[actors.putin]\nname = "Vladimir Putin"\naliases = ["Putin", "Путин"]\n'
    '[actors.nato]\nname = "NATO"\n'
    '[topics.crisis]\ntitle = "C"\nactors = ["putin", "nato"]\nkeywords = ["troop", "talks"]\nmin_keywords = 0\n'
    'match_any = ["Kyiv"]\n'
)


def summary_of(description: str, title: str = "Envoys meet") -> str:
    """The summary line of the alert for an item with `description`, checked as Telegram would."""
    news = item(title=title, summary=description)
    matches = CRISIS.match(news) or [TopicMatch("crisis")]
    text = render_html(news, matches)
    check_telegram_html(text)
    lines = text.split("\n")
    assert len(lines) == 4, "title, byline, summary, hashtag"
    return lines[2]


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "<p>Rain fell on the capital.</p><p><a href='https://e.org/a'>Continue reading…</a></p>",
            "Rain fell on the capital.",
        ),
        (
            "<p>Rain fell on the capital [&#8230;]</p>\n<p>The post <a href='https://e.org/a'>Rain"
            " falls</a> appeared first on <a href='https://e.org'>Example Wire</a>.</p>",
            "Rain fell on the capital…",
        ),
        ("Rain fell on the capital. Read more »", "Rain fell on the capital."),
        (
            "<p>Rain fell on the capital.</p><div><a>Share on Facebook</a> <a>Share on X</a></div>",
            "Rain fell on the capital.",
        ),
        (
            "KYIV (Example Wire) - Rain fell.<br>Click here to read more",
            "<b>KYIV</b> (Example Wire) - Rain fell.",
        ),
    ],
)
def test_feed_boilerplate_is_not_shown(description: str, expected: str) -> None:
    assert summary_of(description) == expected


def test_summary_is_the_lead_and_the_sentence_naming_the_actors() -> None:
    description = (
        "Heavy rain fell across the region overnight. Roads were closed near the coast. "
        "Schools opened late. Later, Putin told NATO envoys that troops would stay. "
        "Markets were calm."
    )
    assert summary_of(description) == (
        "Heavy rain fell across the region overnight. "
        "Later, <b>Putin</b> told <b>NATO</b> envoys that troops would stay."
    )


def test_a_lead_that_names_the_actors_is_the_whole_summary() -> None:
    description = "Putin met NATO envoys on Friday. Roads were closed. Putin left early."
    assert summary_of(description) == "<b>Putin</b> met <b>NATO</b> envoys on Friday."


@pytest.mark.parametrize(
    ("description", "expected_second"),
    [
        # more distinct terms beat an earlier sentence with fewer
        (
            "Rain fell. Putin spoke. Putin and NATO met for talks.",
            "<b>Putin</b> and <b>NATO</b> met for talks.",
        ),
        # a name repeated counts less than two different names
        (
            "Rain fell. Putin and NATO met. Putin, Putin, Putin.",
            "<b>Putin</b> and <b>NATO</b> met.",
        ),
        # on a tie, the first
        ("Rain fell. Putin spoke. NATO spoke.", "<b>Putin</b> spoke."),
    ],
)
def test_the_second_sentence_is_the_one_with_most_matched_terms(
    description: str, expected_second: str
) -> None:
    assert summary_of(description) == f"Rain fell. {expected_second}"


def test_names_in_skipped_sentences_and_boilerplate_are_not_bold_or_chosen() -> None:
    description = (
        "<p>Rain fell on the capital.</p><p>Putin spoke briefly.</p>"
        "<p>Putin and NATO envoys met in Kyiv.</p>"
        "<p>Read more: Putin, NATO and Kyiv talks in pictures</p>"
    )
    summary = summary_of(description)
    assert summary == (
        "Rain fell on the capital. <b>Putin</b> and <b>NATO</b> envoys met in <b>Kyiv</b>."
    )


def test_bold_follows_names_across_raw_line_breaks_and_entities() -> None:
    description = (
        "<p>Rain &amp; wind hit the\ncapital overnight.</p>\n<p>Roads closed.</p>\n"
        "<p>Later,\n  Vladimir\nPutin&#8217;s aides spoke to <i>NATO</i> envoys.</p>"
    )
    assert summary_of(description) == (
        "Rain &amp; wind hit the capital overnight. "
        "Later, <b>Vladimir Putin</b>’s aides spoke to <b>NATO</b> envoys."
    )


def test_a_name_split_by_a_sentence_left_out_is_not_half_bold() -> None:
    # "Vladimir" ends one line and "Putin" starts the next (block tags break lines)
    description = "<p>Rain fell.</p><p>Roads closed for Vladimir</p><p>Putin spoke to NATO.</p>"
    assert summary_of(description) == "Rain fell. <b>Putin</b> spoke to <b>NATO</b>."


def test_a_first_line_repeating_the_title_is_skipped() -> None:
    description = "<h2>Envoys meet</h2><p>Rain fell on the capital.</p>"
    assert summary_of(description, title="Envoys meet") == "Rain fell on the capital."


def test_long_lead_and_long_key_sentence_share_the_space() -> None:
    lead = "Rain fell " + "and fell " * 40 + "on the capital."
    key = "Putin told NATO envoys " + "again and again " * 20 + "that nothing had changed."
    summary = summary_of(f"{lead} Roads closed. {key}")
    shown = check_telegram_html(summary)
    assert len(shown) <= 300
    assert shown.startswith("Rain fell and fell")
    assert "… Putin told NATO envoys again" in shown
    assert shown.endswith("…")
    assert "<b>Putin</b> told <b>NATO</b>" in summary


def test_short_lead_stays_whole_and_a_long_key_sentence_is_cut() -> None:
    key = "Putin told NATO envoys " + "again and again " * 30 + "that nothing had changed."
    summary = check_telegram_html(summary_of(f"Rain fell. Roads closed. {key}"))
    assert summary.startswith("Rain fell. Putin told NATO envoys again")
    assert summary.endswith("again…")
    assert len(summary) <= 300


def test_summary_is_one_short_paragraph_for_a_long_story() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} says rain fell on the capital and roads were closed.</p>"
        for n in range(40)
    )
    summary = check_telegram_html(summary_of(paragraphs + "<p>Putin spoke to NATO.</p>"))
    assert "\n" not in summary
    assert len(summary) <= 300
    assert summary == (
        "Paragraph 0 says rain fell on the capital and roads were closed. Putin spoke to NATO."
    )


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "<div><p>Rain <b>and <i>wind</i></b> hit <script>alert('<b>')</script>the capital."
            "</p><ul><li>Putin spoke</li></ul></div><style>p{}</style>",
            "Rain and wind hit the capital. <b>Putin</b> spoke",
        ),
        (
            "&lt;b&gt;not a tag&lt;/b&gt; &amp;amp; Putin",
            "&lt;b&gt;not a tag&lt;/b&gt; &amp; <b>Putin</b>",
        ),
        (
            "Войска двинулись на рассвете. Дороги закрыты. Позже Путин заявил о переговорах. "
            "Читать далее →",
            "Войска двинулись на рассвете. Позже <b>Путин</b> заявил о переговорах.",
        ),
        (
            "Gen. Marlow met U.S. envoys on Jan. 5. Putin spoke.",
            "Gen. Marlow met U.S. envoys on Jan. 5. <b>Putin</b> spoke.",
        ),
    ],
)
def test_messy_descriptions(description: str, expected: str) -> None:
    assert summary_of(description) == expected


@pytest.mark.parametrize("description", ["Continue reading…", "<p>Envoys meet</p><p>Read more</p>"])
def test_a_description_of_only_title_and_boilerplate_gives_no_summary_line(
    description: str,
) -> None:
    text = render_html(item(title="Envoys meet", summary=description), [TopicMatch("crisis")])
    assert text.split("\n")[2:] == ["#crisis"]


def test_a_20_kb_body_without_sentence_ends_is_cut_and_bold_kept() -> None:
    body = "Putin " + "word " * 4000
    summary = summary_of(body)
    shown = check_telegram_html(summary)
    assert summary.startswith("<b>Putin</b> word word")
    assert shown.endswith("word…")
    assert len(shown) <= 300


def test_plain_rendering_has_the_same_summary_without_markup() -> None:
    news = item(
        title="Envoys meet",
        summary="Rain fell. Roads closed. Putin spoke to NATO.\nRead more",
    )
    plain = render_plain(news, CRISIS.match(news))
    assert plain.split("\n")[2] == "Rain fell. Putin spoke to NATO."


# Length: every alert fits Telegram's 4096 UTF-16 units, however hostile the feed.

HOSTILE = [
    {
        "title": "&" * 2000,
        "summary": "&amp;<b>&lt;</b> " * 3000,
        "link": "https://e.org/" + "&" * 5000,
    },
    {
        "title": "🇺🇦" * 2000,
        "summary": "Putin 🇺🇦 & NATO " * 2000,
        "link": "https://e.org/" + '"' * 3000,
    },
    {
        "title": "<" * 400,
        "summary": ("Putin&NATO&Kyiv& " * 100 + ". ") * 20,
        "link": "https://e.org/a",
    },
    {"title": "t", "summary": "", "link": "https://e.org/" + "a" * 9000},
]


@pytest.mark.parametrize("fields", HOSTILE)
def test_every_alert_fits_telegram_in_utf16_units(fields: dict[str, str]) -> None:
    news = Item(feed="&" * 500, key="k", published=datetime(2022, 2, 21, tzinfo=UTC), **fields)
    many = [TopicMatch(f"topic-{n}-" + "x" * 40) for n in range(100)]
    alert = summarise(news, [*CRISIS.match(news), *many])
    assert utf16_length(alert.html) <= TELEGRAM_LIMIT
    assert utf16_length(check_telegram_html(alert.html)) <= TELEGRAM_LIMIT
    assert utf16_length(alert.plain) <= TELEGRAM_LIMIT
    assert alert.html.startswith("<b>")


def test_an_ordinary_alert_keeps_a_long_link_and_bold() -> None:
    news = item(
        title="Envoys meet", summary="Putin spoke to NATO.", link="https://e.org/" + "a" * 2000
    )
    text = render_html(news, CRISIS.match(news))
    assert '<a href="https://e.org/aaa' in text
    assert "<b>Putin</b>" in text
    assert utf16_length(check_telegram_html(text)) <= TELEGRAM_LIMIT


def test_even_absurd_topic_names_cannot_push_an_alert_over_the_limit() -> None:
    # Escaped, every "&" is five units: the title, byline, summary and hashtags alone would not fit.
    news = Item(feed="&" * 500, key="k", title="&" * 500, link="https://e.org/a", summary="&" * 500)
    alert = summarise(news, [TopicMatch("&" * 300)])
    assert utf16_length(check_telegram_html(alert.html)) <= TELEGRAM_LIMIT
    assert utf16_length(alert.html) <= TELEGRAM_LIMIT
    assert len(alert.html.split("\n")) == 3  # the summary gave way


FRAGMENTS = [
    "Putin", "Vladimir", "Vladimir Putin", "NATO", "Kyiv", "Путин", "troops", "rain", "fell",
    "U.S.", "Gen.", "Jan.", ".", "!", "…", "&amp;", "&lt;", "&#8217;s", "<b>", "</b>", "<p>",
    "</p>", "<br>", "\n", "<i>", "</i>", "Read more", "Continue reading…", "Share on X",
    "[&#8230;]", "The post", "appeared first on", "🇺🇦",
]  # fmt: skip
NAMES = {"putin", "vladimir putin", "nato", "kyiv", "путин"}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from([" ", "", "  "])), max_size=80)
)
def test_any_description_renders_valid_short_html_with_only_names_in_bold(
    pieces: list[tuple[str, str]],
) -> None:
    description = "".join(fragment + gap for fragment, gap in pieces)
    news = item(title="Envoys meet", summary=description)
    text = render_html(news, CRISIS.match(news) or [TopicMatch("crisis")])
    check_telegram_html(text)
    lines = text.split("\n")
    summary = lines[2] if len(lines) == 4 else ""
    assert len(check_telegram_html(summary)) <= 300
    for bold in re.findall(r"<b>(.*?)</b>", summary):
        assert bold.casefold() in NAMES
