"""The skeleton matcher's rules, one table row per case a user would notice."""

from __future__ import annotations

import pytest

from bot.catalog import Actor, Catalog, Topic
from bot.match import Matcher


def topic(topic_id: str = "crisis", **rule: object) -> Topic:
    values: dict[str, object] = {
        "title": topic_id,
        "description": "",
        "actors": (),
        "keywords": (),
        "match_any": (),
        "exclude": (),
        "min_actors": 1,
        "min_keywords": 1,
    }
    values.update(rule)
    return Topic(id=topic_id, **values)  # type: ignore[arg-type]


ACTORS = {
    "putin": Actor("putin", "Vladimir Putin", ("Putin", "Путин")),
    "nato": Actor("nato", "NATO", ("North Atlantic Treaty Organization",)),
    "kremlin": Actor("kremlin", "Kremlin", ()),
    "unsc": Actor("unsc", "UN Security Council", ("Security Council",)),
}
CRISIS = topic(
    actors=("putin", "nato", "kremlin", "unsc"),
    keywords=("troops", "sanctions", "security guarantees"),
    match_any=("Kyiv",),
    exclude=("Dynamo Kyiv",),
)
TWO_ACTORS = topic(
    "diplomacy", actors=("putin", "nato", "kremlin"), keywords=("talks",), min_actors=2
)
matcher = Matcher(Catalog(ACTORS, {"crisis": CRISIS, "diplomacy": TWO_ACTORS}, ()))


def topics_of(title: str, summary: str = "") -> list[str]:
    return [m.topic for m in matcher.match_text(title, summary)]


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        ("Putin orders troops to the border", "", ["crisis"]),
        ("PUTIN ORDERS TROOPS", "", ["crisis"]),
        ("Putin's troops move", "", ["crisis"]),  # possessive
        ("Putin’s troops move", "", ["crisis"]),  # curly apostrophe
        ("Путин: troops", "", ["crisis"]),  # Cyrillic alias, Unicode word boundaries
        ("Putin speaks", "<p>More <b>troops</b> arrive</p>", ["crisis"]),  # HTML in summary
        ("Putin speaks", "More&nbsp;troops &amp; tanks", ["crisis"]),  # entities
        ("Putin speaks", "", []),  # actor without keyword
        ("Troops on parade", "", []),  # keyword without actor
        ("Senator calls for troops", "", []),  # NATO never inside "senator"
        ("Kremlinology and troops", "", []),  # Kremlin never inside a longer word
        ("Nato allies send troops", "", ["crisis"]),  # case-insensitive NATO
        ("Security  Council meets over troops", "", ["crisis"]),  # phrase across spaces
        ("Security-Council meets over troops", "", ["crisis"]),  # and across a hyphen
        ("Security guarantees", "The Kremlin wants them", ["crisis"]),
        ("Council on security: troops", "", []),  # phrase words out of order
        ("Blasts heard in Kyiv", "", ["crisis"]),  # match_any alone
        ("Dynamo Kyiv win in Putin's absence with troops", "", []),  # exclude vetoes
        ("Putin and NATO agree to talks", "", ["diplomacy"]),  # two actors + keyword
        ("Putin agrees to talks", "", []),  # one actor is not enough for diplomacy
        ("Putin, the Kremlin and NATO: troops and talks", "", ["crisis", "diplomacy"]),
        ("Security", "Council rejects troops", []),  # a phrase never spans title and summary
    ],
)
def test_match_rules(title: str, summary: str, expected: list[str]) -> None:
    assert topics_of(title, summary) == expected


def test_explanation_names_the_terms_that_fired() -> None:
    [crisis] = matcher.match_text("Putin's troops near Kyiv", "Putin repeats: sanctions")
    assert crisis.actors == ("Vladimir Putin",)
    assert crisis.keywords == ("troops", "sanctions")
    assert crisis.match_any == ("Kyiv",)


def test_an_actor_counts_once_however_it_is_written() -> None:
    assert topics_of("Vladimir Putin and Putin and Путин hold talks") == []
