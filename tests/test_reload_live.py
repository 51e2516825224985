"""Config hot reload in the running bot, through the local Bot API: a broken edit keeps the old
config working and the admins are told what is wrong; a good edit is picked up on its own, and
/reload says what changed."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings

from .conftest import TEST_TOPICS, feeds_toml, running
from .fake_bot_api import FakeBotAPI
from .feed_server import Entry, FeedServer
from .test_cli import command
from .test_commands import ask
from .test_reload import edit

pytestmark = pytest.mark.slow

ADMIN, STRANGER, READER = 7001, 7002, 1001
GRAIN = '\n[topics.grain]\ntitle = "Grain exports"\nmatch_any = ["wheat"]\n'


async def test_a_broken_edit_keeps_the_bot_working_and_a_fixed_one_is_picked_up(
    feed_server: FeedServer,
    bot_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    config_dir: Path,
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    feed_server.publish("asia", Entry("seed", "Weather in Asia"))
    settings = make_settings(admins=frozenset({ADMIN}), config_watch_seconds=0.1)
    async with running(settings):
        await ask(bot_api, READER, "/subscribe energy")
        await feed_server.wait_for_fetches("world", 2)

        edit(
            config_dir / "topics.toml",
            TEST_TOPICS.replace('match_any = ["Nord', 'match_anyy = ["Nord'),
        )
        [notice] = await bot_api.wait_for_messages(ADMIN, 1)
        assert "Config not reloaded" in notice.text
        assert "topics.toml: topics.energy.match_anyy: unknown key" in notice.text

        feed_server.publish("world", Entry("gas", "Nord Stream pressure drops"))
        alerts = await bot_api.wait_for_messages(READER, 2)
        assert "Nord Stream" in alerts[-1].text, "the old config still matches"
        [refused] = await ask(bot_api, STRANGER, "/reload")
        assert "only the bot's admins" in refused
        [again] = await ask(bot_api, ADMIN, "/reload")
        assert "topics.energy.match_anyy: unknown key" in again

        edit(config_dir / "topics.toml", TEST_TOPICS.split("[topics.energy]")[0] + GRAIN)
        edit(
            config_dir / "feeds.toml",
            feeds_toml({"World": feed_server.url("world"), "Asia": feed_server.url("asia")}),
        )
        notices = await bot_api.wait_for_messages(ADMIN, 3)
        text = notices[-1].text
        assert "Config reloaded" in text
        assert "- topic energy" in text
        assert "+ topic grain" in text
        assert "+ feed Asia" in text
        assert "energy (1 chats)" in text, "orphaned subscriptions are reported"
        await feed_server.wait_for_fetches("asia", 1)

        [listing, topics] = await ask(bot_api, READER, "/list", "/topics")
        assert "energy" in listing, "subscriptions to a removed topic are kept"
        assert "Grain exports" in topics
        [unchanged] = await ask(bot_api, ADMIN, "/reload")
        assert "no changes" in unchanged


async def read_until(process: asyncio.subprocess.Process, wanted: str) -> str:
    assert process.stdout is not None
    output = ""
    while wanted not in output:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        assert line, f"console mode exited before printing {wanted!r}: {output}"
        output += line.decode()
    return output


async def test_console_mode_picks_up_a_new_topic_and_matches_with_it(
    tmp_path: Path, feed_server: FeedServer, config_dir: Path
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    process = await command(
        "--console",
        BOT_CONFIG_DIR=str(config_dir),
        BOT_DB=str(tmp_path / "c.db"),
        BOT_CONFIG_WATCH_SECONDS="0.1",
    )
    try:
        await feed_server.wait_for_fetches("world", 2)
        edit(config_dir / "topics.toml", TEST_TOPICS + GRAIN)
        reloaded = await read_until(process, "+ topic grain")
        feed_server.publish("world", Entry("wheat", "Wheat exports resume from Odesa"))
        matched = await read_until(process, "#grain")
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    assert "Config reloaded (config files changed)" in reloaded
    assert "Wheat exports resume from Odesa" in matched
