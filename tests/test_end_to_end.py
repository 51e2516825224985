"""The whole bot, as `python -m bot` runs it, against a local feed server and Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from telegram.error import InvalidToken

from bot import app as app_module
from bot.settings import Settings

from .conftest import running
from .fake_bot_api import FakeBotAPI
from .feed_server import Entry, FeedServer

pytestmark = pytest.mark.slow

SUBSCRIBER, BYSTANDER = 1001, 1002


async def next_poll_done(feeds: FeedServer, name: str = "world") -> None:
    """Return once a poll that started after this call has been completely processed."""
    await feeds.wait_for_fetches(name, feeds.fetches[name] + 2)


async def test_subscriber_gets_each_new_matching_item_once_across_restarts(
    feed_server: FeedServer, bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    feed_server.publish("world", Entry("old", "Putin sends more troops to the border"))
    settings = make_settings()

    async with running(settings):
        await bot_api.user_says(SUBSCRIBER, "/subscribe russia-ukraine")
        await bot_api.user_says(BYSTANDER, "/start")
        [reply] = await bot_api.wait_for_messages(SUBSCRIBER, 1)
        assert "Subscribed" in reply.text
        assert "russia-ukraine" in reply.text
        await bot_api.wait_for_messages(BYSTANDER, 1)
        await feed_server.wait_for_fetches("world", 2)  # first poll: "old" recorded, not sent

        feed_server.publish("world", Entry("quiet", "Local elections draw record turnout"))
        await next_poll_done(feed_server)
        feed_server.publish(
            "world",
            Entry(
                "hot",
                "NATO says Russian troops are massing",
                "<p>Satellite images show <b>troops</b> &amp; armour near the border.</p>",
                link="https://news.example.org/world/nato-troops",
            ),
        )
        alert = (await bot_api.wait_for_messages(SUBSCRIBER, 2))[1]

    assert alert.parse_mode == "HTML"
    assert '<a href="https://news.example.org/world/nato-troops">' in alert.text
    assert "NATO says Russian troops are massing" in alert.text
    assert "Satellite images show troops &amp; armour near the border." in alert.text
    assert "#russia_ukraine" in alert.text
    assert "Putin sends more troops" not in alert.text  # the first poll's item never alerts
    assert [m.text for m in bot_api.messages_to(SUBSCRIBER)][1:] == [alert.text]

    async with running(settings):  # restart on the same database
        await next_poll_done(feed_server)
        feed_server.publish("world", Entry("after", "Kyiv says talks will resume"))
        messages = await bot_api.wait_for_messages(SUBSCRIBER, 3)

    assert len(messages) == 3, "nothing sent before the restart is sent again"
    assert "Kyiv says talks will resume" in messages[2].text
    assert len(bot_api.messages_to(BYSTANDER)) == 1, "a chat that never subscribed gets no alert"


async def test_hostile_titles_reach_the_chat_escaped(
    feed_server: FeedServer, bot_api: FakeBotAPI, bot: object
) -> None:
    feed_server.publish("world", Entry("seed", "Nothing to see"))
    await bot_api.user_says(SUBSCRIBER, "/subscribe russia-ukraine")
    await bot_api.wait_for_messages(SUBSCRIBER, 1)
    await feed_server.wait_for_fetches("world", 2)

    hostile = 'Kyiv: losses < 5% & <script>alert("x")</script> <b>"bold"</b>'
    feed_server.publish(
        "world", Entry("evil", hostile, "<img src=x onerror=alert(1)>Tom &amp; Jerry</i> <tag")
    )
    alert = (await bot_api.wait_for_messages(SUBSCRIBER, 2))[1]

    assert not bot_api.rejected, "Telegram accepts the alert's HTML"
    assert "Kyiv: losses &lt; 5% &amp;" in alert.text
    assert "<script>" not in alert.text
    assert 'alert("x")' not in alert.text
    assert "Tom &amp; Jerry" in alert.text


async def test_a_broken_feed_does_not_stop_the_others(
    feed_server: FeedServer,
    bot_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    config_dir: object,
) -> None:
    from pathlib import Path

    from .conftest import feeds_toml
    from .feed_server import Broken

    assert isinstance(config_dir, Path)
    (config_dir / "feeds.toml").write_text(
        feeds_toml({"Broken": feed_server.url("broken"), "World": feed_server.url("world")})
    )
    feed_server.break_feed("broken", Broken(status=200, body=b"<html>not a feed</html>"))
    feed_server.publish("world", Entry("seed", "Nothing to see"))

    async with running(make_settings()):
        await bot_api.user_says(SUBSCRIBER, "/subscribe russia-ukraine")
        await bot_api.wait_for_messages(SUBSCRIBER, 1)
        await feed_server.wait_for_fetches("world", 2)
        await feed_server.wait_for_fetches("broken", 2)
        feed_server.publish("world", Entry("news", "Ukraine and NATO hold talks"))
        alert = (await bot_api.wait_for_messages(SUBSCRIBER, 2))[1]

    assert "Ukraine and NATO hold talks" in alert.text


async def test_alerts_decided_while_telegram_is_down_are_sent_when_it_returns(
    feed_server: FeedServer, bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    feed_server.publish("world", Entry("seed", "Weather"))
    settings = make_settings()
    async with running(settings):
        await bot_api.user_says(SUBSCRIBER, "/subscribe russia-ukraine")
        await bot_api.wait_for_messages(SUBSCRIBER, 1)

    bot_api.outage = True
    async with running(settings):
        await next_poll_done(feed_server)  # polling goes on while Telegram is down
        feed_server.publish("world", Entry("during", "Kyiv reports heavy shelling"))
        await next_poll_done(feed_server)
        assert len(bot_api.messages_to(SUBSCRIBER)) == 1
        bot_api.outage = False
        messages = await bot_api.wait_for_messages(SUBSCRIBER, 2)

    assert "Kyiv reports heavy shelling" in messages[1].text
    assert len(messages) == 2


async def test_why_replied_to_an_alert_names_the_rule_and_the_words(
    feed_server: FeedServer, bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    feed_server.publish("world", Entry("old", "Nothing yet"))
    async with running(make_settings()):
        await bot_api.user_says(SUBSCRIBER, "/subscribe russia-ukraine")
        [subscribed] = await bot_api.wait_for_messages(SUBSCRIBER, 1)
        await feed_server.wait_for_fetches("world", 2)
        feed_server.publish(
            "world", Entry("hot", "Putin’s troops cross the border", "Columns seen at dawn.")
        )
        alert = (await bot_api.wait_for_messages(SUBSCRIBER, 2))[1]
        await bot_api.user_says(SUBSCRIBER, "/why", reply_to=alert.message_id)
        await bot_api.user_says(SUBSCRIBER, "/why")
        await bot_api.user_says(SUBSCRIBER, "/why", reply_to=subscribed.message_id)
        why, bare, not_alert = (await bot_api.wait_for_messages(SUBSCRIBER, 5))[2:]

    assert "Putin’s troops cross the border" in why.text
    assert "#russia_ukraine" in why.text
    assert "Vladimir Putin (“Putin”, headline)" in why.text
    assert "troops (headline)" in why.text
    assert "Rule: an actor and a keyword." in why.text
    assert "Reply to one of my alerts with /why" in bare.text
    assert "isn't one of my alerts" in not_alert.text


async def test_a_token_revoked_while_running_stops_the_bot(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "TOKEN_CHECK_SECONDS", 0.2)  # the check's period, not a wait
    stop = asyncio.Event()
    task = asyncio.create_task(app_module.run_bot(make_settings(), stop))
    await bot_api.user_says(SUBSCRIBER, "/start")
    await bot_api.wait_for_messages(SUBSCRIBER, 1)
    bot_api.token = "999:revoked"  # BotFather /revoke: the old token is refused from now on
    with pytest.raises(InvalidToken):
        await asyncio.wait_for(task, 30)


async def test_a_group_that_removes_the_bot_is_paused_and_resumes_when_re_added(
    feed_server: FeedServer, bot_api: FakeBotAPI, bot: object
) -> None:
    group = -100777
    feed_server.publish("world", Entry("seed", "Nothing yet"))
    await bot_api.user_says(group, "/subscribe russia-ukraine", chat_type="group", user_id=5)
    await bot_api.wait_for_messages(group, 1)
    await feed_server.wait_for_fetches("world", 2)

    await bot_api.bot_membership(group, "member", "left")
    await bot_api.user_says(SUBSCRIBER, "/subscribe russia-ukraine")  # a witness chat
    await bot_api.wait_for_messages(SUBSCRIBER, 1)
    feed_server.publish("world", Entry("while-gone", "Kyiv: news while the bot was removed"))
    await bot_api.wait_for_messages(SUBSCRIBER, 2)
    assert len(bot_api.messages_to(group)) == 1, "nothing is sent to a group that removed the bot"

    await bot_api.bot_membership(group, "left", "member")
    feed_server.publish("world", Entry("after", "Kyiv: news after the bot came back"))
    [_, back] = await bot_api.wait_for_messages(group, 2)
    assert "after the bot came back" in back.text
