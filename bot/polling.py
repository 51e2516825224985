"""Polling policy, as pure decisions: when to poll a feed next, which new items may alert, and
when admins hear about a failing feed. No I/O here; the pipeline and the scheduler act on it.

- After a success (changed or not), the next poll is one interval away.
- A server that says "later" (429/503 with Retry-After) is believed, within one interval and
  24 hours; without a readable Retry-After it is a failure like any other. Failures back
  off exponentially from one interval, capped at `max_backoff`, with jitter so that feeds
  failing together do not retry together; a success resets it.
- A feed gone for good (410) is not polled again until its URL changes in feeds.toml.
- Admins hear once when a feed has failed for `report_after` (24 h), and once when it is gone.
- Newness is identity, never position or date, but an alert needs more: items published
  longer ago than `max_age` are recorded and not alerted, and a feed that suddenly presents
  most of its items as new (guid churn, a re-publication) alerts at most `flood_limit` of them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Item

DAY = timedelta(hours=24)
_RNG = random.Random()


@dataclass(frozen=True)
class PollPolicy:
    """The knobs, each with a BOT_ setting (see settings.py)."""

    max_age: timedelta = timedelta(hours=48)
    flood_limit: int = 5
    max_backoff: timedelta = timedelta(hours=1)
    report_after: timedelta = DAY
    keep_seen: timedelta = timedelta(days=90)
    max_bytes: int = 10 * 1024 * 1024
    article_timeout: float = 4.0  # a poll's wait for article pages (bot/article.py)


def next_delay(
    interval: float,
    *,
    failures: int = 0,
    retry_after: float | None = None,
    throttled: bool = False,
    policy: PollPolicy | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll of a feed polled every `interval` seconds."""
    if throttled and retry_after is not None:
        return min(max(retry_after, interval), DAY.total_seconds())
    if failures <= 0:
        return float(interval)
    ceiling = max((policy or DEFAULT_POLICY).max_backoff.total_seconds(), float(interval))
    delay = min(float(interval) * 2.0 ** (failures - 1), ceiling)
    jitter: float = (rng or _RNG).uniform(0.8, 1.2)
    return max(float(interval), min(delay * jitter, ceiling))


DEFAULT_POLICY = PollPolicy()


def should_report_failure(failing_since: datetime, now: datetime, policy: PollPolicy) -> bool:
    return now - failing_since >= policy.report_after


@dataclass(frozen=True)
class Admission:
    """Which new items may alert, and why the others may not."""

    eligible: tuple[Item, ...]
    too_old: tuple[Item, ...] = ()


def admit(fresh: Sequence[Item], now: datetime, policy: PollPolicy) -> Admission:
    """New items in the order they happened (oldest first), without those published before
    the age cutoff. Items without a date are taken as new: their identity is."""
    cutoff = now - policy.max_age
    ordered = chronological(fresh)
    recent = tuple(i for i in ordered if i.published is None or i.published >= cutoff)
    old = tuple(i for i in ordered if i.published is not None and i.published < cutoff)
    return Admission(recent, old)


def chronological(items: Sequence[Item]) -> list[Item]:
    """Oldest first. Feeds list newest first, so document order reversed is the tiebreak and
    the order for undated items."""
    backwards = list(reversed(items))
    dated = [(i.published, n) for n, i in enumerate(backwards) if i.published is not None]
    if len(dated) != len(backwards):
        return backwards
    order = sorted(range(len(backwards)), key=lambda n: (backwards[n].published, n))
    return [backwards[n] for n in order]


def is_flood(new: int, in_document: int, policy: PollPolicy) -> bool:
    """Most of the document new at once, and more of it than an alert burst allows."""
    return new > policy.flood_limit and new * 2 > in_document
