"""Config hot reload without Telegram: what a reload reports, a broken edit that keeps the old
config, the file watcher's debounce, and the scheduler following the feed list."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.catalog import Feed, load_catalog
from bot.config_diff import describe, diff_catalogs
from bot.pipeline import FeedOutcome
from bot.reload import Reloader
from bot.scheduler import FeedScheduler

from .conftest import TEST_TOPICS, feeds_toml
from .test_scheduler import yield_until

FEEDS = {"World": "https://world.example/rss", "Europe": "https://europe.example/rss"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "topics.toml").write_text(TEST_TOPICS, encoding="utf-8")
    (folder / "feeds.toml").write_text(feeds_toml(FEEDS, interval=60), encoding="utf-8")
    return folder


def edit(path: Path, text: str) -> None:
    """Write, and move the modification time on: two saves within the file system's clock
    resolution must still look like a change."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns <= before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t, ["no changes"]),
        (
            lambda t: t + '\n[topics.grain]\ntitle = "Grain"\nmatch_any = ["wheat"]\n',
            ["+ topic grain"],
        ),
        (
            lambda t: t.replace(
                'keywords = ["troops", "sanctions"]', 'keywords = ["troops", "ceasefire"]'
            ),
            ["+ keywords of russia-ukraine: ceasefire", "- keywords of russia-ukraine: sanctions"],
        ),
        (
            lambda t: t.replace('aliases = ["Putin", "Путин"]', 'aliases = ["Putin"]'),
            ["- names of actor putin: Путин"],
        ),
        (
            lambda t: t.replace('title = "Energy security"', 'title = "Energy"'),
            ["~ topic energy: new title"],
        ),
    ],
)
def test_diff_names_topics_and_terms_added_or_removed(
    config: Path, change: Callable[[str], str], expected: list[str]
) -> None:
    old = load_catalog(config)
    (config / "topics.toml").write_text(change(TEST_TOPICS), encoding="utf-8")
    assert describe(diff_catalogs(old, load_catalog(config))) == expected


def test_diff_names_feeds_added_removed_and_changed(config: Path) -> None:
    old = load_catalog(config)
    (config / "feeds.toml").write_text(
        feeds_toml({"World": "https://world.example/v2"}, interval=60)
        + feeds_toml({"Asia": "https://asia.example/rss"}, interval=300)
    )
    assert describe(diff_catalogs(old, load_catalog(config))) == [
        "+ feed Asia (https://asia.example/rss, every 300 s)",
        "- feed Europe",
        "~ feed World: URL now https://world.example/v2",
    ]


async def test_a_broken_edit_keeps_the_old_config_and_names_file_and_key(config: Path) -> None:
    reloader = Reloader.load(config, 60)
    before = reloader.live.catalog
    edit(config / "feeds.toml", '[[feeds]]\nname = "World"\nurl = "ftp://nope"\n')
    result = await reloader.reload("test")
    assert not result.applied
    assert reloader.live.catalog is before, "the old config keeps running"
    assert "previous config keeps running" in result.text
    assert 'feeds.toml: feeds[0] (name = "World").url: must be an http:// or https:// URL' in (
        result.text
    )
    assert reloader.changed_on_disk() is None, "told once; the same broken file is not retried"


async def test_a_valid_edit_is_swapped_in_and_feeds_follow(config: Path) -> None:
    reloader = Reloader.load(config, 60)
    given: list[tuple[Feed, ...]] = []
    reloader.on_feeds = lambda feeds: given.append(tuple(feeds))
    reloader.subscribers = lambda: {"energy": 3, "russia-ukraine": 1}
    edit(config / "topics.toml", TEST_TOPICS.split("[topics.energy]")[0])
    result = await reloader.reload("test")
    assert result.applied
    assert "energy" not in reloader.live.catalog.topics
    assert "- topic energy" in result.lines
    assert any("Subscriptions kept" in line and "energy (3 chats)" in line for line in result.lines)
    assert given == [reloader.live.catalog.feeds]
    assert reloader.live.matcher is not None


async def test_the_watcher_reloads_once_per_save_and_tells_the_admins(config: Path) -> None:
    reloader = Reloader.load(config, 60)
    told: list[str] = []
    heard = asyncio.Event()

    async def tell(text: str) -> None:
        told.append(text)
        heard.set()

    stop = asyncio.Event()
    watcher = asyncio.create_task(reloader.watch(stop, 0.05, tell))
    try:
        # An editor's save: a truncated write, then the full one.
        edit(config / "feeds.toml", "[[feeds]]\n")
        edit(config / "feeds.toml", feeds_toml({"World": FEEDS["World"]}, interval=60))
        await asyncio.wait_for(heard.wait(), 10)
        heard.clear()
        edit(config / "topics.toml", "[topics.broken\n")
        await asyncio.wait_for(heard.wait(), 10)
    finally:
        stop.set()
        await asyncio.wait_for(watcher, 5)
    assert len(told) == 2, told
    assert told[0].startswith("✅ Config reloaded (config files changed)")
    assert "- feed Europe" in told[0]
    assert "topics.toml: invalid TOML" in told[1]
    assert [f.name for f in reloader.live.catalog.feeds] == ["World"]


async def test_scheduler_adds_removes_and_reschedules_feeds() -> None:
    polled: list[Feed] = []

    async def job(feed: Feed) -> FeedOutcome:
        polled.append(feed)
        return FeedOutcome(feed.name)

    world, europe = Feed("World", FEEDS["World"], 3600), Feed("Europe", FEEDS["Europe"], 3600)
    scheduler = FeedScheduler([world, europe], job)
    scheduler.start()
    try:
        asia = Feed("Asia", "https://asia.example/rss", 3600)
        moved = Feed("World", "https://world.example/v2", 3600)
        scheduler.set_feeds([moved, asia])
        assert scheduler.next_poll("Europe") is None, "a removed feed is not polled"
        await yield_until(lambda: {f.name for f in polled} >= {"World", "Asia"}, rounds=10_000)
        assert moved in polled, "a feed with a new URL is polled at once, at that URL"
        assert asia in polled, "an added feed is polled at once"
        assert world not in polled
        slower = Feed("Asia", "https://asia.example/rss", 7200)
        scheduler.set_feeds([moved, slower])
        upcoming = scheduler.next_poll("Asia")
        assert upcoming is not None, "a feed with a new interval stays scheduled"
    finally:
        scheduler.shutdown()
