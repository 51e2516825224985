"""Sentences for summaries: feed boilerplate goes, content stays, abbreviations hold together."""

from __future__ import annotations

import pytest

from bot.feed_boilerplate import content_sentences, lead_text, unwrap_lines
from bot.text import html_to_text

LEAD = "Troops moved at dawn."


def sentences(text: str) -> list[str]:
    return [text[start:end].strip() for start, end in content_sentences(text)]


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Continue reading...",
        "Continue reading…",
        "Continue reading →",
        "Continue reading the full story at Example Wire »",
        "Keep reading",
        'Continue reading "Troops move at dawn" →',
        "Read more",
        "Read More »",
        "Read more here.",
        "Read more at Example Wire",
        "Read more: Envoys leave the capital as talks stall",
        "[Read more]",
        "Read the full story on Example Wire.",
        "Read the full statement here",
        "Read the rest of this entry »",
        "Click here",
        "Click here to read more.",
        "Click here for the full story",
        "Share on Facebook",
        "Share on X",
        "Share on Facebook Share on Twitter Share via Email",
        "Share this article: Facebook | X | Email",
        "Tweet this",
        "The post Troops move at dawn appeared first on Example Wire.",
        "The post Troops move. What next? appeared first on Example Wire.",
        "The post Troops move at dawn appeared first on wire.example.org.",
        "Читать далее →",
        "Подробнее",
        # video and social feeds' footers
        "Subscribe to Example News! https://bit.ly/example",
        "Subscribe now",
        "Follow us on X",
        "Like us on Facebook: https://www.facebook.com/example",
        "Watch more Example News video: http://video.example.com",
        "Watch Example News Channel Live: http://live.example.com/",
        "Visit our website at https://news.example.com",
        "For more videos, click the link below:",
        "Get more at: https://www.example.com/news",
        "Facebook - https://www.facebook.com/ExampleNews",
        "https://bit.ly/example",
        "#ExampleNews #Kyiv #Covid-19",
    ],
)
def test_a_boilerplate_line_after_the_story_is_left_out(boilerplate: str) -> None:
    assert sentences(f"{LEAD}\n{boilerplate}") == [LEAD]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # on the same line, after a full stop or an ellipsis
        (f"{LEAD} Continue reading…", [LEAD]),
        ("Troops moved at dawn… Read more", ["Troops moved at dawn…"]),
        # "[…]" marks a cut excerpt; its "more" link follows on the same line
        ("Troops moved at dawn and […] Continue reading →", ["Troops moved at dawn and […]"]),
        (
            "Troops moved at dawn and […]The post Troops move appeared first on Wire.",
            ["Troops moved at dawn and […]"],
        ),
        # several in a row, and in the middle of the text
        (f"{LEAD}\nThe post Troops move appeared first on Wire.\nShare on X", [LEAD]),
        (f"{LEAD}\nRead more: Envoys leave\nTalks resume today.", [LEAD, "Talks resume today."]),
        # a line break after an initial ("Plan B.") still ends the line
        ("Envoys back plan B.\nRead more", ["Envoys back plan B."]),
        # datelines are content
        (
            "KYIV (Reuters) - Troops moved at dawn.\nRead more",
            ["KYIV (Reuters) - Troops moved at dawn."],
        ),
    ],
)
def test_boilerplate_sentences_wherever_they_stand(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Officials read the draft twice. Talks resumed.",
        "Read more about the plan in the annex, the minister said.",
        "Envoys continue reading the draft treaty.",
        "Continue reading the room, he told the envoys.",
        "The minister said in a post on X that talks would resume.",
        "The post of envoy went to Gen. Marlow. She starts in May.",
        "Share prices fell. Shares in the firm slid.",
        "Tweet this, the minister told aides.",
        "Click here, the app told users, and the door opened.",
        "Click the button to read more. The queue grew.",
        # middle of the story, then more story: not a footer
        "The post office said the queue appeared first on Monday. Then it rained.",
        "Rain fell.\nThe post office said the queue appeared first on Monday.\nThen it rained.",
        # a description that is only such a line is no footer
        "The post office said the queue appeared first on Monday.",
        # "read"/"more"/"share" inside a longer line
        "Read more closely, the memo says otherwise.",
        "Share the burden, envoys urged. NATO agreed.",
        "Watch more closely, the minister said.",
        "Subscribers to the service rose by a third.",
        "Follow the money, investigators say.",
        "The ministry put the decree online at https://gov.example/decree on Monday evening.",
    ],
)
def test_sentences_that_merely_mention_reading_or_posting_stay(text: str) -> None:
    assert " ".join(sentences(text)) == " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Gen. Marlow met U.S. envoys on Jan. 5 in St. Petersburg. Talks resumed.",
            ["Gen. Marlow met U.S. envoys on Jan. 5 in St. Petersburg.", "Talks resumed."],
        ),
        ("No sentence ends here at all", ["No sentence ends here at all"]),
        (
            "Войска двинулись. Позже начались переговоры.",
            ["Войска двинулись.", "Позже начались переговоры."],
        ),
        ("A heading\nThe story.", ["A heading", "The story."]),
        ("", []),
        ("…", ["…"]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_point_into_the_text_given() -> None:
    text = "Rain fell.\nRead more\nTalks resumed. Share on X"
    spans = content_sentences(text)
    assert [text[start:end] for start, end in spans] == ["Rain fell.\n", "Talks resumed. "]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        (
            "<p>Rain fell on\nthe capital.</p>",
            "Rain fell on the capital.",
        ),  # a raw break is a space
        ("<p>One.</p>\n<p>Two.</p>", "One.\nTwo."),
        ("<b>One.</b>\n\n<b>Two.</b>", "One.\nTwo."),  # a blank line is a paragraph
        ("Plain text\nkeeps its lines", "Plain text\nkeeps its lines"),
        ("<i>crlf</i>\r\nline", "crlf line"),
    ],
)
def test_unwrap_lines(fragment: str, expected: str) -> None:
    assert html_to_text(unwrap_lines(fragment)) == expected


def test_the_lead_stops_where_a_footer_begins() -> None:
    description = (
        "Troops moved at dawn. Talks resume today. #ExampleNews\n"
        "Subscribe to Example News! https://bit.ly/example\n"
        "Facebook: https://www.facebook.com/example\n"
        "Example News is the most-watched channel for 18 years."
    )
    assert lead_text(description) == "Troops moved at dawn. Talks resume today."


def test_the_lead_is_cut_after_the_sentence_that_reaches_the_limit() -> None:
    sentence = "Troops moved along the border at dawn, officials in the region said."
    assert lead_text(" ".join([sentence] * 20), limit=100) == f"{sentence} {sentence}"


def test_the_lead_leaves_out_web_addresses_but_keeps_their_sentence() -> None:
    text = "The decree is online at https://gov.example/decree since Monday evening."
    assert lead_text(text) == "The decree is online at since Monday evening."
    assert lead_text("") == ""
