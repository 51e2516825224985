"""One development, one story: which pairs of alerts bot.stories merges, and which it keeps
apart. Precision and recall on the labelled pairs are in bench/stories.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Item
from bot.stories import Fingerprint, fingerprint, same_story, similarity

from .rules import matcher_from

MATCHER = matcher_from(
    '[actors.kremlin]\nname = "Kremlin"\n'
    '[actors.zelensky]\nname = "Volodymyr Zelensky"\naliases = ["Zelensky", "Zelenskyy"]\n'
    '[actors.blinken]\nname = "Antony Blinken"\naliases = ["Blinken"]\n'
    '[actors.lavrov]\nname = "Sergei Lavrov"\naliases = ["Lavrov"]\n'
    '[topics.t]\ntitle = "T"\nactors = ["kremlin", "zelensky", "blinken", "lavrov"]\n'
    'keywords = ["reply", "talks", "call", "phone", "visit", "meet", "urge", "security"]\n'
)
T0 = datetime(2022, 1, 26, 18, 0, tzinfo=UTC)


def fp(title: str, summary: str = "", link: str = "", hours: float = 0.0) -> Fingerprint:
    item = Item("Wire", title, title, link, summary, T0 + timedelta(hours=hours))
    return fingerprint(item, MATCHER.match(item))


def test_the_same_development_in_other_words_is_one_story() -> None:
    a = fp(
        "Kremlin sends written reply to US security proposals",
        "Moscow's answer was delivered to the State Department on Wednesday, officials said.",
    )
    b = fp(
        "Kremlin delivers its written reply on security proposals to Washington",
        "The reply reached the State Department, a spokesman confirmed.",
        hours=1.5,
    )
    assert same_story(a, b)


def test_another_development_about_the_same_actors_is_a_new_story() -> None:
    a = fp("Kremlin sends written reply to US security proposals")
    b = fp("Blinken and Lavrov to speak by phone on Tuesday", hours=1)
    assert not same_story(a, b)


def test_spellings_of_one_actor_count_as_one_word() -> None:
    a = fp("Zelensky urges the West to send more air defence", hours=0)
    b = fp("Zelenskyy urges West to send more air defence systems", hours=2)
    assert similarity(a, b) > 0.8
    assert same_story(a, b)


def test_the_same_canonical_link_is_one_story_even_reworded() -> None:
    a = fp("Kremlin: reply sent", link="https://news.example.org/a?utm_source=rss")
    b = fp("Talks update", link="https://News.example.org/a#comments", hours=3)
    assert same_story(a, b)


def test_reports_further_apart_than_the_window_are_separate_stories() -> None:
    a = fp("Kremlin sends written reply to US security proposals")
    b = fp("Kremlin sends written reply to US security proposals", hours=7)
    assert not same_story(a, b)


def test_no_shared_actor_no_story() -> None:
    a = fp("Written reply to security proposals sent")
    b = fp("Written reply to security proposals sent", hours=1)
    assert not same_story(a, b)
