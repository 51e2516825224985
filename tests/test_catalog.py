"""Config validation: good config loads; each mistake is named by file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.errors import ConfigError
from bot.match import Matcher

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config"

FEEDS_OK = '[[feeds]]\nname = "A"\nurl = "https://example.org/a.xml"\n'
TOPICS_OK = """
[actors.putin]
name = "Vladimir Putin"
aliases = ["Putin"]

[topics.crisis]
title = "Crisis"
actors = ["putin"]
keywords = ["troops"]
"""


def write(folder: Path, topics: str = TOPICS_OK, feeds: str = FEEDS_OK) -> Path:
    (folder / "topics.toml").write_text(topics, encoding="utf-8")
    (folder / "feeds.toml").write_text(feeds, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_catalog(folder)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("Putin’s troops mass near the border as NATO weighs its response", {"russia-ukraine"}),
        (
            "Kremlin sends written reply to U.S. security proposals",
            {"russia-ukraine", "us-russia-diplomacy"},
        ),
        (
            "Blinken and Lavrov to meet in Geneva next week",
            {"russia-ukraine", "us-russia-diplomacy"},
        ),
        ("Gazprom halts gas flows through Nord Stream", {"russia-ukraine", "energy-security"}),
        ("Biden unveils infrastructure plan in Pittsburgh", set()),
        ("Senator grills Pentagon nominee over shipbuilding", set()),
        ("Russian skater's doping case: Kremlin urges support", set()),
        # Developments the blind streams showed no topic catching (the words are ours)
        ("Russian flagship Moskva sinks after blast", {"russia-ukraine"}),
        ("Путин признал независимость ДНР и ЛНР", {"russia-ukraine"}),
        ("Wagner chief turns his columns back from Moscow", {"russia-ukraine"}),
        ("Russia and Ukraine swap 90 prisoners each", {"russia-ukraine"}),
        ("Shelling of Belgorod kills three, governor says", {"russia-ukraine"}),
        ("Russia's nuclear deterrent put on alert", {"russia-ukraine"}),
        ("Court sentences Gershkovich to 16 years", {"us-russia-diplomacy"}),
        # Everyday news that shares their words (found in review) stays silent
        ("Polish president vetoes media law", set()),
        ("Russian Soyuz rocket carries crew to the space station", set()),
        ("Moscow court jails scientist for treason", set()),
        ("Тепловой удар: в Москве жара +35", set()),
        ("В Белгороде прошел фестиваль цветов", set()),
        ("Russia vetoes UN resolution on Myanmar", set()),
        ("Israel and Hamas exchange prisoners", set()),
        ("ICC fines Pakistan over slow over-rate", set()),
        ("Moscow court summons blogger over social media post", set()),
        ("Russian football fans accused of provocation at derby", set()),
        ("Транзит грузов через Россию в Китай вырос на 20%", set()),
        ("Moscow summons Lithuanian envoy over Kaliningrad restrictions", {"russia-ukraine"}),
        ("Kremlin dismisses US 'false flag' allegation", {"russia-ukraine"}),
    ],
)
def test_shipped_topics_decide_the_motivating_cases(headline: str, expected: set[str]) -> None:
    matcher = Matcher(load_catalog(REPO_CONFIG))
    assert {m.topic for m in matcher.match_text(headline, "")} == expected


def test_shipped_config_is_valid_and_has_the_crisis_topic() -> None:
    catalog = load_catalog(REPO_CONFIG)
    topic = catalog.topics["russia-ukraine"]
    assert {"putin", "zelensky", "lavrov", "nato", "kremlin"} <= set(topic.actors)
    assert {"biden", "blinken"} <= set(catalog.topics["us-russia-diplomacy"].actors)
    assert {"energy-security", "us-russia-diplomacy"} <= set(catalog.topics)
    assert len(catalog.feeds) >= 10
    assert all(feed.url.startswith(("https://", "http://")) for feed in catalog.feeds)


def test_feed_interval_defaults_and_accepts_one_second(tmp_path: Path) -> None:
    feeds = FEEDS_OK + '[[feeds]]\nname = "B"\nurl = "https://example.org/b.xml"\ninterval = 1\n'
    catalog = load_catalog(write(tmp_path, feeds=feeds), default_interval=90)
    assert [f.interval for f in catalog.feeds] == [90, 1]


def test_topic_lookup_is_case_insensitive(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path))
    found = catalog.find_topic(" CRISIS ")
    assert found is not None
    assert found.id == "crisis"


@pytest.mark.parametrize(
    ("topics", "feeds", "expected"),
    [
        (
            TOPICS_OK.replace('actors = ["putin"]', 'actors = ["putin", "putn"]'),
            FEEDS_OK,
            "topics.toml: topics.crisis.actors[1]: unknown actor 'putn' (known actors: putin)",
        ),
        (
            TOPICS_OK.replace('aliases = ["Putin"]', 'aliases = ["Putin", " "]'),
            FEEDS_OK,
            "topics.toml: actors.putin.aliases[1]: must not be empty",
        ),
        (
            TOPICS_OK.replace('keywords = ["troops"]', 'keywords = ["troops", "!!"]'),
            FEEDS_OK,
            "topics.toml: topics.crisis.keywords[1]: '!!' has no letters or digits to match",
        ),
        (
            TOPICS_OK.replace("keywords =", "keyword ="),
            FEEDS_OK,
            "topics.toml: topics.crisis.keyword: unknown key",
        ),
        (
            TOPICS_OK.replace('title = "Crisis"\n', ""),
            FEEDS_OK,
            "topics.toml: topics.crisis.title: required key is missing",
        ),
        (
            TOPICS_OK + "min_actors = 2\n",
            FEEDS_OK,
            "topics.toml: topics.crisis.min_actors: is 2 but the topic lists 1 actors",
        ),
        (
            TOPICS_OK + "min_keywords = 0\nmin_actors = 0\n",
            FEEDS_OK,
            "topics.toml: topics.crisis: min_actors and min_keywords are both 0",
        ),
        (
            TOPICS_OK.replace("[topics.crisis]", "[topics.Crisis]"),
            FEEDS_OK,
            "topics.toml: topics.Crisis: id must be lower-case",
        ),
        (
            TOPICS_OK,
            FEEDS_OK.replace("https://example.org/a.xml", "ftp://example.org/a.xml"),
            'feeds.toml: feeds[0] (name = "A").url: must be an http:// or https:// URL',
        ),
        (
            TOPICS_OK,
            FEEDS_OK + "interval = 0\n",
            'feeds.toml: feeds[0] (name = "A").interval: Input should be greater than or equal to 1',
        ),
        (
            TOPICS_OK,
            FEEDS_OK + FEEDS_OK,
            'feeds.toml: feeds[1] (name = "A").name: duplicate feed name',
        ),
        (
            TOPICS_OK + "title = [",
            FEEDS_OK,
            "topics.toml: invalid TOML",
        ),
    ],
)
def test_each_mistake_is_reported_with_file_and_key(
    tmp_path: Path, topics: str, feeds: str, expected: str
) -> None:
    found = problems(write(tmp_path, topics, feeds))
    assert any(expected in p for p in found), found


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    topics = TOPICS_OK.replace('actors = ["putin"]', 'actors = ["nobody"]')
    feeds = FEEDS_OK.replace("https://", "gopher://")
    found = problems(write(tmp_path, topics, feeds))
    assert len(found) == 2
    assert "topics.toml" in found[0]
    assert "feeds.toml" in found[1]


def test_missing_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text(TOPICS_OK, encoding="utf-8")
    assert problems(tmp_path) == [f"{tmp_path / 'feeds.toml'}: file not found"]


def test_an_unknown_actor_in_sides_is_named(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        '[actors.putin]\nname = "Putin"\n[topics.talks]\ntitle = "T"\n'
        'sides = [["putin"], ["bidn"]]\nkeywords = ["talks"]\nmin_actors = 2\n',
    )
    [problem] = problems(folder)
    assert "topics.talks.sides[1][0]: unknown actor 'bidn'" in problem
