"""The project's exceptions: one root, and a child per kind of failure a caller handles."""

from __future__ import annotations

from dataclasses import dataclass


class NewsbotError(Exception):
    """Root of every error this package raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration, located precisely enough to fix it."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}"


class ConfigError(NewsbotError):
    """The configuration cannot be used; `problems` says every reason found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class FetchError(NewsbotError):
    """A feed could not be downloaded (network, timeout, HTTP status, size)."""


class FeedGone(FetchError):
    """The server says the feed is gone for good (HTTP 410): stop polling it."""


class Throttled(FetchError):
    """The server asks us to come back later (429, 503); `retry_after` is in seconds, from its
    Retry-After header, or None when it gave none we could read."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ParseError(NewsbotError):
    """Downloaded bytes are not a feed we can read."""
