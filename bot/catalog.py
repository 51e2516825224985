"""Loads `config/topics.toml` and `config/feeds.toml` into a validated, immutable Catalog.

Every problem is reported with the file, the key (`topics.russia-ukraine.actors[2]`) and what
is wrong, and all problems are collected before failing, so an admin fixes them in one pass.
This module holds the Catalog's types and builds them, checking ids, actor references and
rules; `catalog_schema` reads the files into their pydantic shape, and `catalog_warnings`
finds what is legal but probably wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .catalog_schema import FeedsFileModel, TopicModel, TopicsFileModel, read_config_file
from .catalog_warnings import config_warnings
from .errors import ConfigError, ConfigProblem
from .terms import STEMMERS, language_code, term_problem

TOPICS_FILE = "topics.toml"
FEEDS_FILE = "feeds.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Actor:
    """One entity however it is written: `name` and every alias are ways to say it."""

    id: str
    name: str
    aliases: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Topic:
    """A subscribable subject and the rule that decides which items belong to it."""

    id: str
    title: str
    description: str
    actors: tuple[str, ...]
    keywords: tuple[str, ...]
    match_any: tuple[str, ...]
    exclude: tuple[str, ...]
    min_actors: int
    min_keywords: int
    within: str = "item"
    fields: tuple[str, ...] = ("title", "summary")
    language: str | None = None
    sides: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Feed:
    """A feed to poll; `name` is its identity (what it has seen is stored under it)."""

    name: str
    url: str
    interval: int
    fetch_article: bool = False  # title-only items read their article page (bot/article.py)


@dataclass(frozen=True)
class Catalog:
    """Everything the config defines, validated; replace it whole to reload."""

    actors: Mapping[str, Actor]
    topics: Mapping[str, Topic]
    feeds: tuple[Feed, ...]
    warnings: tuple[ConfigProblem, ...] = ()

    def find_topic(self, name: str) -> Topic | None:
        """The topic a user means by `name`: ids compare ignoring case, and `_` equals `-`
        (alerts carry `#russia_ukraine` as a hashtag)."""
        wanted = name.strip().lstrip("#").lower().replace("_", "-")
        return next((t for t in self.topics.values() if t.id.replace("_", "-") == wanted), None)


def load_catalog(config_dir: Path, default_interval: int = 60) -> Catalog:
    """Read and validate both config files; raise ConfigError listing every problem."""
    problems: list[ConfigProblem] = []
    warnings: list[ConfigProblem] = []
    topics_path, feeds_path = config_dir / TOPICS_FILE, config_dir / FEEDS_FILE
    actors: dict[str, Actor] = {}
    topics: dict[str, Topic] = {}
    feeds: tuple[Feed, ...] = ()
    topics_model = read_config_file(topics_path, TopicsFileModel, problems)
    if topics_model is not None:
        actors = _build_actors(topics_model, str(topics_path), problems)
        topics = _build_topics(topics_model, actors, str(topics_path), problems)
        warnings += config_warnings(actors, topics, str(topics_path))
    feeds_model = read_config_file(feeds_path, FeedsFileModel, problems)
    if feeds_model is not None:
        feeds = _build_feeds(feeds_model, default_interval, str(feeds_path), problems)
    if problems:
        raise ConfigError(problems)
    return Catalog(MappingProxyType(actors), MappingProxyType(topics), feeds, tuple(warnings))


def _build_actors(
    model: TopicsFileModel, file: str, problems: list[ConfigProblem]
) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    _check_duplicate_ids(list(model.actors), "actors", file, problems)
    for actor_id, spec in model.actors.items():
        key = f"actors.{actor_id}"
        _check_id(actor_id, file, key, problems)
        actor = Actor(actor_id, spec.name, tuple(spec.aliases))
        for index, term in enumerate(actor.terms):
            where = f"{key}.name" if index == 0 else f"{key}.aliases[{index - 1}]"
            _check_term(term, file, where, problems)
        actors[actor_id] = actor
    return actors


def _build_topics(
    model: TopicsFileModel, actors: Mapping[str, Actor], file: str, problems: list[ConfigProblem]
) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    _check_duplicate_ids(list(model.topics), "topics", file, problems)
    for topic_id, spec in model.topics.items():
        key = f"topics.{topic_id}"
        _check_id(topic_id, file, key, problems)
        named = [(f"{key}.actors[{i}]", actor_id) for i, actor_id in enumerate(spec.actors)]
        for side_index, side in enumerate(spec.sides):
            if not side:
                message = "a side needs at least one actor"
                problems.append(ConfigProblem(file, f"{key}.sides[{side_index}]", message))
            named += [(f"{key}.sides[{side_index}][{i}]", a) for i, a in enumerate(side)]
        for where, actor_id in named:
            if actor_id not in actors:
                known = ", ".join(sorted(actors)) or "none defined"
                message = f"unknown actor {actor_id!r} (known actors: {known})"
                problems.append(ConfigProblem(file, where, message))
        for field in ("keywords", "match_any", "exclude"):
            for index, term in enumerate(getattr(spec, field)):
                _check_term(term, file, f"{key}.{field}[{index}]", problems)
        _check_reachable(spec, file, key, problems)
        language = language_code(spec.language) if spec.language else None
        if language is not None and language not in STEMMERS:
            known = ", ".join(sorted(STEMMERS))
            message = f"no stemmer for language {spec.language!r} (known: {known})"
            problems.append(ConfigProblem(file, f"{key}.language", message))
        topics[topic_id] = Topic(
            id=topic_id,
            title=spec.title,
            description=spec.description.strip(),
            actors=tuple(dict.fromkeys([*spec.actors, *(a for side in spec.sides for a in side)])),
            keywords=tuple(spec.keywords),
            match_any=tuple(spec.match_any),
            exclude=tuple(spec.exclude),
            min_actors=spec.min_actors,
            min_keywords=spec.min_keywords,
            within=spec.within,
            fields=tuple(dict.fromkeys(spec.fields)),
            language=language,
            sides=tuple(tuple(dict.fromkeys(side)) for side in spec.sides),
        )
    return topics


def _check_reachable(spec: TopicModel, file: str, key: str, problems: list[ConfigProblem]) -> None:
    """A topic whose rule can never fire, or always fires, is a mistake worth stopping on."""
    uses_rule = bool(spec.actors or spec.sides or spec.keywords)
    if not uses_rule and not spec.match_any:
        problems.append(ConfigProblem(file, key, "needs actors and keywords, or match_any"))
    if uses_rule and spec.min_actors == 0 and spec.min_keywords == 0:
        message = "min_actors and min_keywords are both 0: the topic would match every item"
        problems.append(ConfigProblem(file, key, message))
    listed = len(set(spec.actors).union(*spec.sides))
    if uses_rule and spec.min_actors > listed:
        message = f"is {spec.min_actors} but the topic lists {listed} actors"
        problems.append(ConfigProblem(file, f"{key}.min_actors", message))
    if uses_rule and spec.min_keywords > len(spec.keywords):
        message = f"is {spec.min_keywords} but the topic lists {len(spec.keywords)} keywords"
        problems.append(ConfigProblem(file, f"{key}.min_keywords", message))


def _build_feeds(
    model: FeedsFileModel, default_interval: int, file: str, problems: list[ConfigProblem]
) -> tuple[Feed, ...]:
    feeds: list[Feed] = []
    seen: set[str] = set()
    for index, spec in enumerate(model.feeds):
        if spec.name.casefold() in seen:
            key = f'feeds[{index}] (name = "{spec.name}").name'
            problems.append(ConfigProblem(file, key, "duplicate feed name; names must be unique"))
        seen.add(spec.name.casefold())
        feeds.append(
            Feed(spec.name, spec.url, spec.interval or default_interval, spec.fetch_article)
        )
    return tuple(feeds)


def _check_id(value: str, file: str, key: str, problems: list[ConfigProblem]) -> None:
    """Ids are typed by users (/subscribe russia-ukraine), so they must be plain."""
    if not _ID.match(value):
        message = "id must be lower-case letters, digits, '-' or '_' (e.g. russia-ukraine)"
        problems.append(ConfigProblem(file, key, message))


def _check_term(term: str, file: str, key: str, problems: list[ConfigProblem]) -> None:
    problem = term_problem(term)
    if problem:
        problems.append(ConfigProblem(file, key, problem))


def _check_duplicate_ids(
    ids: list[str], section: str, file: str, problems: list[ConfigProblem]
) -> None:
    """`russia-ukraine` and `russia_ukraine` are one id to a user typing it."""
    seen: dict[str, str] = {}
    for value in ids:
        same = value.replace("_", "-")
        if same in seen:
            message = f"duplicate id: {seen[same]!r} and {value!r} are the same to a user"
            problems.append(ConfigProblem(file, f"{section}.{value}", message))
        seen.setdefault(same, value)
