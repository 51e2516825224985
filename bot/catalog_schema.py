"""The shape of the two config files, and reading one: TOML → pydantic model.

`read_config_file` never raises: an unreadable file, bad TOML or a value of the wrong shape
becomes a ConfigProblem naming the file and the key as an admin finds it in the file
(`feeds[2] (name = "BBC").url`), with what is wrong in plain words. `catalog` builds the
Catalog from the models and checks what the shape alone cannot (ids, actors, rules).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError

from .errors import ConfigProblem

M = TypeVar("M", bound=BaseModel)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    """Unknown keys are refused: a misspelt key would otherwise be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ActorModel(Strict):
    name: Text
    aliases: list[Text] = []


class TopicModel(Strict):
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


class TopicsFileModel(Strict):
    actors: dict[str, ActorModel] = {}
    topics: dict[str, TopicModel]


class FeedModel(Strict):
    name: Text
    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$")]
    interval: int | None = Field(default=None, ge=1)
    fetch_article: StrictBool = False  # "yes" or 1 is a mistake to name, not to guess at


class FeedsFileModel(Strict):
    feeds: list[FeedModel]


def read_config_file(path: Path, model: type[M], problems: list[ConfigProblem]) -> M | None:
    """The file read into `model`, or None with what is wrong added to `problems`."""
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
