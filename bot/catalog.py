"""Loads `config/topics.toml` and `config/feeds.toml` into a validated, immutable Catalog.

Every problem is reported with the file, the key (`topics.russia-ukraine.actors[2]`) and what
is wrong, and all problems are collected before failing, so an admin fixes them in one pass.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError

from .errors import ConfigError, ConfigProblem
from .terms import STEMMERS, language_code, term_problem
from .text import fold_word

TOPICS_FILE = "topics.toml"
FEEDS_FILE = "feeds.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

M = TypeVar("M", bound=BaseModel)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ActorModel(_Strict):
    name: Text
    aliases: list[Text] = []


class _TopicModel(_Strict):
    title: Text
    description: str = ""
    actors: list[Text] = []
    sides: list[list[Text]] = []
    keywords: list[Text] = []
    match_any: list[Text] = []
    exclude: list[Text] = []
    min_actors: int = Field(default=1, ge=0)
    min_keywords: int = Field(default=1, ge=0)
    within: Literal["item", "sentence"] = "item"
    fields: list[Literal["title", "summary"]] = Field(default=["title", "summary"], min_length=1)
    language: str | None = None


class _TopicsFileModel(_Strict):
    actors: dict[str, _ActorModel] = {}
    topics: dict[str, _TopicModel]


class _FeedModel(_Strict):
    name: Text
    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$")]
    interval: int | None = Field(default=None, ge=1)
    fetch_article: StrictBool = False  # "yes" or 1 is a mistake to name, not to guess at


class _FeedsFileModel(_Strict):
    feeds: list[_FeedModel]


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
    topics_model = _read(topics_path, _TopicsFileModel, problems)
    if topics_model is not None:
        actors = _build_actors(topics_model, str(topics_path), problems)
        topics = _build_topics(topics_model, actors, str(topics_path), problems)
        warnings += _warnings(actors, topics, str(topics_path))
    feeds_model = _read(feeds_path, _FeedsFileModel, problems)
    if feeds_model is not None:
        feeds = _build_feeds(feeds_model, default_interval, str(feeds_path), problems)
    if problems:
        raise ConfigError(problems)
    return Catalog(MappingProxyType(actors), MappingProxyType(topics), feeds, tuple(warnings))


def _read(path: Path, model: type[M], problems: list[ConfigProblem]) -> M | None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(ConfigProblem(str(path), "", "file not found"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ConfigProblem(str(path), "", f"cannot read: {exc}"))
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.append(ConfigProblem(str(path), "", f"invalid TOML: {exc}"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            key = _key_path(error["loc"], raw)
            problems.append(ConfigProblem(str(path), key, _describe(error)))
        return None


def _key_path(loc: tuple[int | str, ...], raw: Any) -> str:
    """`("feeds", 2, "url")` → `feeds[2] (name = "BBC").url`: how an admin finds the line."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            parts.append(f"[{step}]")
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                parts.append(f' (name = "{node["name"]}")')
        else:
            parts.append(f".{step}" if parts else step)
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts)


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see config/README.md)"
    if kind == "string_pattern_mismatch":
        return f"must be an http:// or https:// URL, got {error['input']!r}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "bool_type":
        return f"must be true or false (without quotes), got {error['input']!r}"
    return f"{error['msg']} (got {error['input']!r})"


def _build_actors(
    model: _TopicsFileModel, file: str, problems: list[ConfigProblem]
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
    model: _TopicsFileModel, actors: Mapping[str, Actor], file: str, problems: list[ConfigProblem]
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


def _check_reachable(spec: _TopicModel, file: str, key: str, problems: list[ConfigProblem]) -> None:
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
    model: _FeedsFileModel, default_interval: int, file: str, problems: list[ConfigProblem]
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


def _folded(term: str) -> str:
    return " ".join(fold_word(w) for w in term.strip('"').split())


def _warnings(
    actors: Mapping[str, Actor], topics: Mapping[str, Topic], file: str
) -> list[ConfigProblem]:
    """Legal but probably wrong: shared aliases, terms an exclude always vetoes, terms listed
    twice, words that mix scripts (a Cyrillic `і` pasted into `Putin`), actors no topic uses."""
    found: list[ConfigProblem] = []
    owners: dict[str, str] = {}
    for actor in actors.values():
        for index, term in enumerate(actor.terms):
            where = (
                f"actors.{actor.id}.name"
                if index == 0
                else f"actors.{actor.id}.aliases[{index - 1}]"
            )
            found += _term_warnings(term, file, where)
        for term in dict.fromkeys(_folded(t) for t in actor.terms):
            if term in owners and owners[term] != actor.id:
                message = f"alias {term!r} is shared with actor {owners[term]!r}"
                found.append(ConfigProblem(file, f"actors.{actor.id}", message))
            owners.setdefault(term, actor.id)
    used = {actor_id for topic in topics.values() for actor_id in topic.actors}
    for actor_id in actors:
        if actor_id not in used:
            message = "no topic lists this actor, so it never matches anything"
            found.append(ConfigProblem(file, f"actors.{actor_id}", message))
    for topic in topics.values():
        excluded = {_folded(t) for t in topic.exclude}
        for field in ("keywords", "match_any", "exclude"):
            seen: set[str] = set()
            for index, term in enumerate(getattr(topic, field)):
                where = f"topics.{topic.id}.{field}[{index}]"
                found += _term_warnings(term, file, where)
                if term in seen:
                    found.append(ConfigProblem(file, where, f"{term!r} is listed twice"))
                seen.add(term)
                if field != "exclude" and _folded(term) in excluded:
                    message = f"{term!r} is also an exclude term, so it can never match"
                    found.append(ConfigProblem(file, where, message))
    return found


def _term_warnings(term: str, file: str, where: str) -> list[ConfigProblem]:
    for word in term.split():
        scripts = {_script_of(char) for char in word if char.isalpha()}
        if len(scripts) > 1:
            names = " and ".join(sorted(scripts))
            message = f"{term!r} mixes {names} letters in one word; it will only match that mix"
            return [ConfigProblem(file, where, message)]
    return []


def _script_of(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"
