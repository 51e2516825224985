"""Sentences for summaries: feed boilerplate goes, content stays, abbreviations hold together."""

from __future__ import annotations

import pytest

from bot.text import content_sentences, html_to_text, unwrap_lines

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
