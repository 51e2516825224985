"""Telegram's sending limits, modelled so that we wait instead of collecting 429s.

Telegram allows about 30 messages a second overall, about one a second to one private chat
(short bursts tolerated) and 20 a minute to one group or channel. Each limit is a "virtual
scheduling" cell (GCRA): a theoretical arrival time that advances by the spacing with each send,
with a small burst tolerance. Sends are spread evenly, so any one-second window holds at most
the allowed number, even when a fan-out to two thousand chats runs flat out.

A 429 for one chat blocks that chat alone for its retry_after; other chats go on.
`AIORateLimiter` in python-telegram-bot has no per-chat limit and pauses everything on a 429.

Also here: the per-chat alert budget (more than `budget` alerts in `window` seconds and the
rest are merged into one message). Pure bookkeeping with an injected clock; no I/O.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    overall_per_second: float = 28.3  # under 30: no one-second window may reach 31, jitter or not
    # Half a send of slack: a send that went out a few ms late (timers, the outbox query) lets
    # the next one catch up, so lateness does not pile up; a one-second window holds ≤ 29.
    overall_burst: float = 1.5
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 1


class _Cell:
    """One GCRA cell: `spacing` seconds between sends, `burst` sends may come at once."""

    __slots__ = ("spacing", "tat", "tolerance")

    def __init__(self, spacing: float, burst: float) -> None:
        self.spacing = spacing
        self.tolerance = spacing * (burst - 1)
        self.tat = 0.0  # theoretical arrival time of the next send

    def ready_at(self) -> float:
        return self.tat - self.tolerance

    def take(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.spacing


class RateLimiter:
    """When each chat may be sent to next; `take` records a send, `block` a 429."""

    def __init__(self, clock: Callable[[], float], limits: Limits = Limits()) -> None:
        self._clock = clock
        self._limits = limits
        self._overall = _Cell(1.0 / limits.overall_per_second, limits.overall_burst)
        self._chats: dict[int, _Cell] = {}
        self._blocked: dict[int, float] = {}

    def overall_ready_at(self) -> float:
        return self._overall.ready_at()

    def chat_ready_at(self, chat_id: int) -> float:
        cell = self._chats.get(chat_id)
        ready = cell.ready_at() if cell else 0.0
        return max(ready, self._blocked.get(chat_id, 0.0))

    def take(self, chat_id: int) -> None:
        now = self._clock()
        self._overall.take(now)
        cell = self._chats.get(chat_id)
        if cell is None:
            cell = self._chats[chat_id] = self._new_cell(chat_id)
        cell.take(now)

    def block(self, chat_id: int, until: float) -> None:
        self._blocked[chat_id] = max(until, self._blocked.get(chat_id, 0.0))

    def forget_idle(self) -> None:
        """Drop the state of chats that could send right now anyway (keeps memory flat)."""
        now = self._clock()
        for chat_id in [c for c, cell in self._chats.items() if cell.tat <= now]:
            del self._chats[chat_id]
        for chat_id in [c for c, until in self._blocked.items() if until <= now]:
            del self._blocked[chat_id]

    def _new_cell(self, chat_id: int) -> _Cell:
        if chat_id > 0:  # users: private chats
            return _Cell(1.0 / self._limits.private_per_second, self._limits.private_burst)
        return _Cell(60.0 / self._limits.group_per_minute, self._limits.group_burst)


class AlertBudget:
    """At most `budget` alerts to one chat in `window` seconds; past that, the chat's waiting
    alerts go out together as one message when the window allows the next send."""

    def __init__(self, clock: Callable[[], float], budget: int, window: float) -> None:
        self._clock = clock
        self.budget = budget
        self.window = window
        self._sent: dict[int, deque[float]] = {}
        self._exceeded: set[int] = set()

    def seed(self, sends: list[tuple[int, float]]) -> None:
        """Sends (chat, time) made before a restart, so a restart does not reset budgets."""
        for chat_id, at in sorted(sends, key=lambda send: send[1]):
            self._sent.setdefault(chat_id, deque()).append(at)

    def ready_at(self, chat_id: int) -> float:
        """0 if the chat may get an alert now, else when it may."""
        sent = self._recent(chat_id)
        if len(sent) < self.budget:
            return 0.0
        self._exceeded.add(chat_id)
        return sent[0] + self.window

    def must_merge(self, chat_id: int) -> bool:
        """Whether the chat hit its budget, so what waits for it should be merged."""
        return chat_id in self._exceeded

    def record(self, chat_id: int, merged: bool = False) -> None:
        self._sent.setdefault(chat_id, deque()).append(self._clock())
        if merged:
            self._exceeded.discard(chat_id)

    def _recent(self, chat_id: int) -> deque[float]:
        sent = self._sent.setdefault(chat_id, deque())
        horizon = self._clock() - self.window
        while sent and sent[0] <= horizon:
            sent.popleft()
        return sent
