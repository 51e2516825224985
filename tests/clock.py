"""A clock for the Deliverer that moves only when a test moves it: no waiting on real time."""

from __future__ import annotations

from datetime import UTC, datetime


def at(moment: str) -> datetime:
    """An ISO time; without a zone it is UTC."""
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class FrozenClock:
    """Epoch seconds, as `time.time` gives them; `set` and `advance` move it."""

    def __init__(self, start: float | datetime | str = 1_000_000.0) -> None:
        self.now = 0.0
        self.set(start)

    def __call__(self) -> float:
        return self.now

    def set(self, moment: float | datetime | str) -> None:
        if isinstance(moment, str):
            moment = at(moment)
        self.now = moment.timestamp() if isinstance(moment, datetime) else float(moment)

    def advance(self, seconds: float) -> None:
        self.now += seconds
