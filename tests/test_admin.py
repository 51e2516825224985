"""Admin commands through the real bot and the local Bot API, and `python -m bot feeds`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.settings import Settings

from .conftest import running
from .fake_bot_api import FakeBotAPI
from .feed_server import Broken, Entry, FeedServer
from .test_commands import ask

pytestmark = pytest.mark.slow

ADMIN, STRANGER = 7001, 7002


async def test_feeds_and_poll_are_for_admins_and_show_each_feeds_health(
    feed_server: FeedServer, bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    feed_server.publish("world", Entry("a", "Weather"))
    async with running(make_settings(admins=frozenset({ADMIN}))):
        await feed_server.wait_for_fetches("world", 2)
        [refused] = await ask(bot_api, STRANGER, "/feeds")
        assert "only the bot's admins" in refused
        assert "World" not in refused

        [listing] = await ask(bot_api, ADMIN, "/feeds")
        assert "<b>World</b>" in listing
        assert "✅" in listing
        assert "1 items" in listing

        feed_server.break_feed("world", Broken(status=500, body=b"down"))
        fetches = feed_server.fetches["world"]
        [polling] = await ask(bot_api, ADMIN, "/poll world")
        assert "Polling <b>World</b> now" in polling
        await feed_server.wait_for_fetches("world", fetches + 2)  # the forced poll is done
        [failing] = await ask(bot_api, ADMIN, "/feeds")
        assert "⚠️" in failing
        assert "HTTP 500" in failing

        [unknown] = await ask(bot_api, ADMIN, "/poll Nonexistent &lt;b&gt;")
        assert "No feed called" in unknown
        assert "<b>" not in unknown.split("No feed called")[1].split("/feeds")[0]


async def test_stats_show_delivery_health_to_admins_only(
    feed_server: FeedServer, bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    async with running(make_settings(admins=frozenset({ADMIN}))):
        await ask(bot_api, 1001, "/subscribe russia-ukraine")
        await feed_server.wait_for_fetches("world", 2)
        feed_server.publish("world", Entry("hot", "Kyiv: talks resume"))
        await bot_api.wait_for_messages(1001, 2)
        [refused] = await ask(bot_api, STRANGER, "/stats")
        assert "only the bot's admins" in refused
        [stats] = await ask(bot_api, ADMIN, "/stats")
    assert "Queue: 0 pending" in stats
    assert "Sent in the last hour: 1" in stats
    assert "Problems in the last 24 h: none" in stats
    assert "p50" in stats


def test_a_long_feed_list_is_cut_between_entries_and_says_how_many_are_missing() -> None:
    """During an outage many feeds fail with long errors: the /feeds message must stay valid
    HTML within Telegram's limit, cut between entries, and say what it left out."""
    from bot.feed_report import FeedLine, render_html
    from bot.summarise import utf16_length

    from .fake_bot_api import check_telegram_html

    lines = [
        FeedLine(f"Feed & Co {n}", "failing", "1h ago", "in 5m", 10, 3, "HTTP 503 <html>" * 30)
        for n in range(60)
    ]
    text = render_html(lines)
    assert utf16_length(text) <= 4000
    check_telegram_html(text)  # raises on a cut inside a tag or an entity
    shown = text.count("failures:")
    assert 0 < shown < 60
    assert text.endswith(f"… and {60 - shown} more: python -m bot feeds lists all.")
    assert not render_html(lines[:2]).endswith("lists all."), "nothing left out, no note"
