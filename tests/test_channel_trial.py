"""`/test @channel <headline>`: a channel's administrator tries a headline on the channel.

The whole bot runs against the local Bot API; the admin talks to it in private, the trial is
posted in the channel (where its alerts would arrive), and the admin gets a short confirmation,
or a reply saying what to fix, with nothing posted.
"""

from __future__ import annotations

import pytest

from .fake_bot_api import Failure, FakeBotAPI, check_telegram_html
from .test_channel_settings import BARE, MUTE, OPEN, channels
from .test_groups import ADMIN, CHANNEL, GROUP, answer

pytestmark = pytest.mark.slow

HEADLINE = "Putin meets NATO envoy in Kyiv on grain deal and Nord Stream"


async def test_a_channel_admin_posts_a_trial_in_the_channel(
    bot_api: FakeBotAPI, bot: object
) -> None:
    channels(bot_api)
    await answer(bot_api, ADMIN, "/subscribe russia-ukraine @worldalerts")
    await answer(bot_api, ADMIN, "/watch @worldalerts grain deal")

    confirmation = await answer(bot_api, ADMIN, f"/test @worldalerts {HEADLINE}")
    assert confirmation == f"🧪 Posted the test of “{HEADLINE}” in @worldalerts."
    [message] = bot_api.messages_to(CHANNEL)
    assert message.silent, "a try-out is no news: it must not ring the readers' phones"
    posted = check_telegram_html(message.text)
    assert posted.startswith(f"🧪 Testing “{HEADLINE}”")
    assert "Russia–Ukraine crisis (#russia_ukraine) – ✅ you follow it" in posted
    assert "“grain deal”" in posted, "the channel's own watch fires"
    # Examples in the trial name the channel, so an admin can act on them from private.
    assert "Energy security (#energy) – not followed: /subscribe energy @worldalerts" in posted

    own = check_telegram_html(await answer(bot_api, ADMIN, f"/test {HEADLINE}"))
    assert own.startswith(f"🧪 Testing “{HEADLINE}”"), "without @channel: this chat, as before"
    assert "not followed: /subscribe russia-ukraine\n" in own, "the admin's chat follows nothing"
    assert "grain deal" not in own.split("\n", 1)[1], "nor has it the channel's watch"
    assert len(bot_api.messages_to(CHANNEL)) == 1
    assert not bot_api.rejected


async def test_only_a_first_at_word_names_a_channel_and_a_bare_one_asks_for_a_headline(
    bot_api: FakeBotAPI, bot: object
) -> None:
    channels(bot_api)
    mention = check_telegram_html(await answer(bot_api, ADMIN, "/test Putin replies to @nato"))
    assert mention.startswith("🧪 Testing “Putin replies to @nato”")
    prompt = await answer(bot_api, ADMIN, "/test @worldalerts")
    assert "Send a headline after /test @worldalerts and I'll say" in prompt
    assert "/test @worldalerts Putin meets NATO envoy as troops gather" in prompt
    assert not bot_api.messages_to(CHANNEL)
    assert not bot_api.rejected


async def test_a_user_who_is_not_the_channels_admin_is_refused_and_nothing_is_posted(
    bot_api: FakeBotAPI, bot: object
) -> None:
    channels(bot_api)
    refused = await answer(bot_api, ADMIN, f"/test @openchannel {HEADLINE}")
    assert refused == (
        "Only @openchannel's administrators can change its alerts, and you aren't one of them."
    )
    assert not bot_api.messages_to(OPEN)
    assert not bot_api.rejected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("@nosuchchannel", "I can't find a channel called @nosuchchannel. Check its @username"),
        ("@no", "“@no” isn't a channel name. Use the channel's public @username"),
        ("@newsroom", "@newsroom is a group, not a channel: add me to it and send /test there"),
        ("@barechannel", "I'm not an administrator of @barechannel. Add me to the channel"),
        ("@mutechannel", "I'm an administrator of @mutechannel but may not post there"),
    ],
)
async def test_a_channel_the_bot_cannot_reach_gets_a_reply_saying_what_to_fix(
    bot_api: FakeBotAPI, bot: object, name: str, expected: str
) -> None:
    channels(bot_api)
    reply = await answer(bot_api, ADMIN, f"/test {name} {HEADLINE}")
    assert reply.startswith(expected)
    assert not any(bot_api.messages_to(chat) for chat in (CHANNEL, MUTE, BARE, GROUP))
    assert not bot_api.rejected


async def test_a_channel_named_in_a_group_is_sent_to_a_private_chat(
    bot_api: FakeBotAPI, bot: object
) -> None:
    channels(bot_api)
    reply = await answer(bot_api, GROUP, f"/test @worldalerts {HEADLINE}")
    assert "in a private chat with me: send me /test @worldalerts there" in reply
    assert not bot_api.messages_to(CHANNEL)


async def test_a_post_telegram_refuses_after_the_checks_gets_a_reply_not_silence(
    bot_api: FakeBotAPI, bot: object
) -> None:
    channels(bot_api)
    bot_api.fail_next(CHANNEL, Failure(403, "Forbidden: bot was kicked from the channel chat"))
    reply = await answer(bot_api, ADMIN, f"/test @worldalerts {HEADLINE}")
    assert reply == (
        f"I couldn't post the test of “{HEADLINE}” in @worldalerts. Check that I'm still an "
        "administrator there with the “Post messages” right, then try again."
    )
    assert not bot_api.messages_to(CHANNEL)
    again = await answer(bot_api, ADMIN, f"/test @worldalerts {HEADLINE}")
    assert again.startswith("🧪 Posted the test"), "the next try, once Telegram takes it, works"
    assert len(bot_api.messages_to(CHANNEL)) == 1


async def test_a_post_telegram_throttles_says_to_wait_not_to_check_rights(
    bot_api: FakeBotAPI, bot: object
) -> None:
    channels(bot_api)
    bot_api.fail_next(
        CHANNEL, Failure(429, "Too Many Requests: retry after 30", {"retry_after": 30})
    )
    reply = await answer(bot_api, ADMIN, f"/test @worldalerts {HEADLINE}")
    assert reply == (
        f"Telegram asks me to wait before posting in @worldalerts again. Try the test of "
        f"“{HEADLINE}” in a minute."
    )
    assert not bot_api.messages_to(CHANNEL)


async def test_help_says_a_channels_trial_is_posted_there(bot_api: FakeBotAPI, bot: object) -> None:
    shown = check_telegram_html(await answer(bot_api, ADMIN, "/help"))
    assert "/test @yourchannel <headline> posts a trial in the channel" in shown
