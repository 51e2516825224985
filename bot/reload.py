"""Config hot reload: read config/*.toml again, validate, and only then swap it in.

`LiveConfig` holds the catalog and matcher in force; everything that reads the config reads it
through LiveConfig, so a swap is one assignment, seen by the next poll and the next command.
`Reloader.reload` is what `/reload` and the file watcher call: an invalid config keeps the old
one running and the result names every problem (file, key); a valid one is swapped in, the
scheduler follows the feed list, and the result says what changed and which subscriptions
point at topics that are gone (they are kept: the topic may come back).

The watcher polls the files' modification time and size (`watch`); an edit is picked up once
the files have stayed unchanged for one whole check, so an editor's several writes of one save
make one reload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .catalog import FEEDS_FILE, TOPICS_FILE, Catalog, Feed, load_catalog
from .config_diff import describe, diff_catalogs
from .errors import ConfigError
from .match import Matcher

log = logging.getLogger(__name__)

Signature = tuple[tuple[int, int] | None, ...]


def config_signature(config_dir: Path) -> Signature:
    """(modification time, size) of each config file, None for a missing one: cheap to take
    every second, and it changes with every save."""
    marks: list[tuple[int, int] | None] = []
    for name in (TOPICS_FILE, FEEDS_FILE):
        try:
            stat = (config_dir / name).stat()
        except OSError:
            marks.append(None)
        else:
            marks.append((stat.st_mtime_ns, stat.st_size))
    return tuple(marks)


class LiveConfig:
    """The catalog and its compiled matcher, replaced together by a reload."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.matcher = Matcher(catalog)

    def swap(self, catalog: Catalog, matcher: Matcher) -> None:
        self.catalog, self.matcher = catalog, matcher


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did, as plain-text lines for the admins."""

    applied: bool
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Reloader:
    """Reloads the config in `config_dir` into `live`; `on_feeds` gets the new feed list and
    `subscribers` says how many chats follow each topic (for orphaned subscriptions)."""

    def __init__(
        self,
        config_dir: Path,
        default_interval: int,
        live: LiveConfig,
        *,
        signature: Signature,
        on_feeds: Callable[[Sequence[Feed]], None] | None = None,
        subscribers: Callable[[], dict[str, int]] = dict,
    ) -> None:
        self._config_dir = config_dir
        self._default_interval = default_interval
        self.live = live
        self.on_feeds = on_feeds
        self.subscribers = subscribers
        self._signature = signature  # of the files behind the config last tried
        self._lock = asyncio.Lock()

    @classmethod
    def load(cls, config_dir: Path, default_interval: int) -> Reloader:
        """The first load: a broken config raises ConfigError, as at any start."""
        signature = config_signature(config_dir)  # before reading: a later save is noticed
        live = LiveConfig(load_catalog(config_dir, default_interval))
        return cls(config_dir, default_interval, live, signature=signature)

    def changed_on_disk(self) -> Signature | None:
        """The files' signature if they differ from the config last tried, else None."""
        current = config_signature(self._config_dir)
        return None if current == self._signature else current

    async def reload(self, reason: str) -> ReloadResult:
        async with self._lock:
            signature = config_signature(self._config_dir)
            try:
                catalog, matcher = await asyncio.to_thread(self._compile)
            except ConfigError as exc:
                self._signature = signature  # told once; the next edit is tried again
                return _refused(reason, exc)
            old = self.live.catalog
            self.live.swap(catalog, matcher)
            self._signature = signature
            if self.on_feeds is not None:
                self.on_feeds(catalog.feeds)
        changes = describe(diff_catalogs(old, catalog))
        log.info("config reloaded (%s): %s", reason, "; ".join(changes))
        lines = [
            f"✅ Config reloaded ({reason}): {len(catalog.topics)} topics, "
            f"{len(catalog.feeds)} feeds.",
            *changes,
            *self._orphans(catalog),
        ]
        if catalog.warnings:
            lines.append(f"{len(catalog.warnings)} warning(s):")
            lines += [f"• {warning}" for warning in catalog.warnings]
        return ReloadResult(True, tuple(lines))

    async def watch(
        self, stop: asyncio.Event, every: float, tell: Callable[[str], Awaitable[None]]
    ) -> None:
        """Until `stop`: reload after an edit of the files, once they have stayed unchanged
        for `every` seconds (debounce), and `tell` the admins the result."""
        pending: Signature | None = None
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), every)
                return
            except TimeoutError:
                pass
            current = self.changed_on_disk()
            if current is None or current != pending:
                pending = current  # first sight of this change, or still being written
                continue
            pending = None
            try:
                result = await self.reload("config files changed")
                await tell(result.text)
            except Exception:  # the watcher must outlive a surprise (a disk error, a bug)
                log.exception("config watch failed")

    def _compile(self) -> tuple[Catalog, Matcher]:
        """Off the event loop: reading, validating and compiling a large config takes a while."""
        catalog = load_catalog(self._config_dir, self._default_interval)
        return catalog, Matcher(catalog)

    def _orphans(self, catalog: Catalog) -> list[str]:
        """Subscriptions to topics the config no longer has are kept, and said so."""
        gone = {
            topic: chats
            for topic, chats in self.subscribers().items()
            if topic not in catalog.topics
        }
        if not gone:
            return []
        listed = ", ".join(f"{topic} ({chats} chats)" for topic, chats in sorted(gone.items()))
        return [
            f"Subscriptions kept for topics no longer in the config: {listed}. "
            "They get alerts again if the topic comes back."
        ]


def _refused(reason: str, error: ConfigError) -> ReloadResult:
    log.warning("config reload refused (%s): %d problem(s)", reason, len(error.problems))
    return ReloadResult(
        False,
        (
            f"⚠️ Config not reloaded ({reason}): the previous config keeps running. "
            "Fix these, and it is picked up on the next save (or /reload):",
            *(f"• {problem}" for problem in error.problems),
        ),
    )
