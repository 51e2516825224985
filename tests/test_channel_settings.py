"""A channel's watches and settings, managed by its administrators from a private chat.

The whole bot runs against the local Bot API; a channel admin talks to it in private
(`/watch @worldalerts grain deal`, `/pause @worldalerts`), and the tests check what the admin is
told and what arrives in the channel.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.chat_settings import ChatSettings
from bot.settings import Settings
from bot.storage import Storage

from .conftest import running
from .fake_bot_api import BOT_USER, FakeBotAPI, check_telegram_html
from .feed_server import Entry, FeedServer
from .test_groups import ADMIN, CHANNEL, FORUM, GROUP, answer, said
from .test_settings_commands import until_held

pytestmark = pytest.mark.slow

MUTE, OPEN, BARE = -100701, -100702, -100703  # the bot: may not post / fine / not an admin


def channels(api: FakeBotAPI) -> None:
    """@worldalerts, run by ADMIN with the bot allowed to post; and channels where something
    is missing: the bot's right to post (@mutechannel), the user's admin rights
    (@openchannel), the bot itself (@barechannel); and a group, @newsroom."""
    api.add_chat(CHANNEL, "channel", "World Alerts", username="worldalerts")
    api.set_member(CHANNEL, BOT_USER["id"], "administrator", can_post_messages=True)
    api.set_member(CHANNEL, ADMIN, "creator")
    api.add_chat(MUTE, "channel", "Mute", username="mutechannel")
    api.set_member(MUTE, BOT_USER["id"], "administrator", can_post_messages=False)
    api.set_member(MUTE, ADMIN, "administrator")
    api.add_chat(OPEN, "channel", "Open", username="openchannel")
    api.set_member(OPEN, BOT_USER["id"], "administrator", can_post_messages=True)
    api.add_chat(BARE, "channel", "Bare", username="barechannel")
    api.set_member(BARE, ADMIN, "creator")
    api.add_chat(GROUP, "supergroup", "Newsroom", username="newsroom")


async def test_a_watch_set_for_a_channel_alerts_in_the_channel(
    feed_server: FeedServer, bot_api: FakeBotAPI, bot: object
) -> None:
    feed_server.publish("world", Entry("seed", "Nothing to see"))
    channels(bot_api)
    added = await answer(bot_api, ADMIN, "/watch @worldalerts grain deal")
    assert "@worldalerts now watches “grain deal”" in added
    assert "arrive in @worldalerts" in added
    assert "Stop with /unwatch @worldalerts grain deal" in added
    again = await answer(bot_api, ADMIN, "/watch Grain Deal @WorldAlerts")  # @name anywhere
    assert "@WorldAlerts already watches “grain deal”" in again
    listing = await answer(bot_api, ADMIN, "/watchlist @worldalerts")
    assert "<b>@worldalerts watches</b> (1 of 20)\n• “grain deal”" in listing
    assert "remove: /unwatch @worldalerts &lt;phrase&gt;" in listing
    own = await answer(bot_api, ADMIN, "/watchlist")
    assert "This chat watches no phrases yet" in own, "the admin's own chat is apart"
    await feed_server.wait_for_fetches("world", 2)  # the first poll is recorded, never alerted

    feed_server.publish("world", Entry("g", "Grain deal signed in Istanbul"))
    [alert] = await said(bot_api, CHANNEL)
    assert "Grain deal signed in Istanbul" in alert
    assert "#watch" in alert
    assert len(bot_api.messages_to(ADMIN)) == 4, "only the four replies reached the admin"

    removed = await answer(bot_api, ADMIN, "/unwatch @worldalerts GRAIN deal")
    assert "Stopped watching “grain deal” in @worldalerts" in removed
    assert "@worldalerts watches no phrases yet" in await answer(
        bot_api, ADMIN, "/watchlist @worldalerts"
    )
    assert not bot_api.rejected


async def test_a_channels_settings_are_set_in_private_and_apply_in_the_channel(
    feed_server: FeedServer, bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    feed_server.publish("world", Entry("seed", "Nothing to see"))
    channels(bot_api)
    settings = make_settings()
    async with running(settings):
        commands = (
            "/subscribe russia-ukraine @worldalerts",
            "/timezone @worldalerts Europe/Berlin",
            "/digest @worldalerts daily 08:00",
            "/quiet @worldalerts 22:00-07:00",
            "/settings @worldalerts",
            "/digest @worldalerts off",
            "/quiet @worldalerts off",
            "/pause @worldalerts",
            "/settings",
            "/settings @worldalerts",
        )
        replies = [await answer(bot_api, ADMIN, command) for command in commands]
        _, zone, digest, quiet, shown, digest_off, quiet_off, pause, own, paused = replies
        assert "Time zone for @worldalerts set to Europe/Berlin" in zone
        assert "/settings @worldalerts shows them all" in zone
        assert "Digest daily at 08:00, Europe/Berlin time" in digest
        assert "arrive in @worldalerts together" in digest
        assert "/digest @worldalerts off ends it" in digest
        assert "Quiet hours for @worldalerts set: 22:00–07:00" in quiet
        assert "/quiet @worldalerts 22:00-07:00 hold" in quiet
        assert "<b>Settings for @worldalerts</b>" in shown
        assert "Time zone: Europe/Berlin" in shown
        assert "Digest: daily at 08:00" in shown
        assert "Quiet hours: 22:00–07:00, alerts arrive silently" in shown
        assert "Change with /digest @worldalerts," in shown
        assert "each alert arrives in @worldalerts as it comes" in digest_off
        assert "No quiet hours for @worldalerts" in quiet_off
        assert "Alerts for @worldalerts paused until you send /resume @worldalerts" in pause
        assert "Settings for this chat" in own
        assert "Time zone: UTC" in own, "the admin's own settings did not change"
        assert "Paused: no" in own
        assert "Paused: yes, until /resume @worldalerts" in paused

        await feed_server.wait_for_fetches("world", 2)
        feed_server.publish("world", Entry("hot", "NATO says troops are massing"))
        await until_held(settings, CHANNEL)
        assert not bot_api.messages_to(CHANNEL), "the paused channel got nothing yet"
        resumed = await answer(bot_api, ADMIN, "/resume @worldalerts")
        assert "Resumed: alerts arrive in @worldalerts again" in resumed
        assert "1 alert kept back, arriving now as one message" in resumed
        [kept] = map(check_telegram_html, await said(bot_api, CHANNEL))
    assert kept.startswith("🗞 Kept back while alerts were paused: 1 story")
    assert "NATO says troops are massing" in kept
    assert not bot_api.rejected


CHANNEL_COMMANDS = (
    "/watch {} Putin",
    "/unwatch {} Putin",
    "/watchlist {}",
    "/settings {}",
    "/digest {} daily 08:00",
    "/quiet {} 22:00-07:00 hold",
    "/quiet {} off",
    "/timezone {} Europe/Berlin",
    "/pause {} 2h",
    "/resume {}",
)


async def test_each_channel_problem_gets_a_reply_saying_what_to_fix_and_nothing_changes(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    channels(bot_api)
    problems = {
        "@nosuchchannel": "I can't find a channel called @nosuchchannel",
        "@no": "“@no” isn't a channel name",
        "@newsroom": "@newsroom is a group, not a channel: add me to it and send {} there",
        "@barechannel": "I'm not an administrator of @barechannel",
        "@openchannel": "Only @openchannel's administrators can change its alerts, and you "
        "aren't one of them",
    }
    settings = make_settings()
    async with running(settings):
        for template in CHANNEL_COMMANDS:
            command = template.split()[0]
            for name, expected in problems.items():
                reply = await answer(bot_api, ADMIN, template.format(name))
                assert expected.format(command) in reply, template.format(name)
            in_group = await answer(bot_api, GROUP, template.format("@worldalerts"))
            assert f"in a private chat with me: send me {command} @worldalerts there" in in_group, (
                template
            )

        mute = await answer(bot_api, ADMIN, "/watch @mutechannel Putin")
        assert "I'm an administrator of @mutechannel but may not post there" in mute
        shown = await answer(bot_api, ADMIN, "/settings @mutechannel")
        assert "Settings for @mutechannel" in shown, "showing needs no right to post"
        quiet = await answer(bot_api, ADMIN, "/quiet @mutechannel off")
        assert "No quiet hours for @mutechannel" in quiet, "nor do settings"
    assert not bot_api.rejected
    storage = Storage.open(settings.db)
    try:
        for chat in (CHANNEL, MUTE, OPEN, BARE, GROUP):
            assert storage.watches(chat) == [], chat
            assert storage.chat_settings(chat) == ChatSettings(), chat
    finally:
        storage.close()


async def test_bad_input_for_a_channel_gets_the_same_reply_as_in_a_private_chat(
    bot_api: FakeBotAPI, bot: object
) -> None:
    channels(bot_api)
    cases = (
        "/timezone {}Mars/Olympus",
        "/timezone {}<b>",
        "/timezone {}GMT+3",
        "/quiet {}25:00-07:00",
        "/quiet {}22:00",
        "/digest {}daily 25:00",
        "/digest {}weekly",
        "/pause {}-2h",
        "/pause {}45d",
        "/pause {}soon",
        "/watch {}a",
        "/watch {}" + "x" * 101,
        "/watch {}Putin, Xi",
        "/watch {}",
        "/unwatch {}",
        "/digest {}",
        "/quiet {}",
        "/timezone {}",
    )
    for case in cases:
        in_private = await answer(bot_api, ADMIN, case.format(""))
        for_channel = await answer(bot_api, ADMIN, case.format("@worldalerts "))
        # The same words; examples in the reply name the channel, so that they apply to it.
        shown = for_channel.replace(" @worldalerts", "").replace("@worldalerts", "This chat")
        assert shown == in_private, case
    assert not bot_api.rejected
    settings = await answer(bot_api, ADMIN, "/settings @worldalerts")
    assert "Time zone: UTC" in settings
    assert "Digest: off" in settings, "nothing changed"


async def test_help_shows_how_to_manage_a_channel(bot_api: FakeBotAPI, bot: object) -> None:
    shown = check_telegram_html(await answer(bot_api, ADMIN, "/help"))
    assert "Channels you run" in shown
    for example in ("/watch @yourchannel Putin", "/digest @yourchannel daily 08:00"):
        assert example in shown


async def test_a_watch_set_in_a_forum_thread_is_the_whole_chats(
    bot_api: FakeBotAPI, bot: object
) -> None:
    bot_api.add_chat(FORUM, "supergroup", "Desk", forum=True)
    added = await answer(bot_api, FORUM, "/watch Putin", thread_id=5)
    assert "New items that mention it will arrive here." in added
    assert "this topic thread" not in added, "watch alerts are not routed to a thread"
