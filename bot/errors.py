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


class ParseError(NewsbotError):
    """Downloaded bytes are not a feed we can read."""
