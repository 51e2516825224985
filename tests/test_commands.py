"""Chat commands, through the real bot and the local Bot API: what a user sees in reply."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.settings import Settings

from .conftest import running
from .fake_bot_api import FakeBotAPI

pytestmark = pytest.mark.slow

GROUP = -100500


async def ask(api: FakeBotAPI, chat_id: int, *texts: str, **kind: str) -> list[str]:
    """Send commands from a user in `chat_id`; return the bot's replies to them, in order."""
    before = len(api.messages_to(chat_id))
    for text in texts:
        await api.user_says(chat_id, text, **kind)
    replies = await api.wait_for_messages(chat_id, before + len(texts))
    return [m.text for m in replies[before:]]


async def test_start_greets_lists_topics_and_the_menu_is_registered(
    bot_api: FakeBotAPI, bot: object
) -> None:
    [reply] = await ask(bot_api, 1, "/start")
    assert "Hi" in reply
    assert "<code>russia-ukraine</code>" in reply
    assert "<code>energy</code>" in reply
    assert "/subscribe russia-ukraine" in reply
    assert {c["command"] for c in bot_api.commands} >= {
        "start", "help", "topics", "subscribe", "unsubscribe", "list",
    }  # fmt: skip


async def test_topics_and_help(bot_api: FakeBotAPI, bot: object) -> None:
    topics, help_text = await ask(bot_api, 2, "/topics", "/help")
    assert "Russia–Ukraine crisis" in topics
    assert "Troops, talks and sanctions." in topics
    assert "/unsubscribe all" in help_text


async def test_subscribe_is_case_insensitive_and_idempotent(
    bot_api: FakeBotAPI, bot: object
) -> None:
    first, again, listing, topics = await ask(
        bot_api, 3, "/subscribe RUSSIA-Ukraine", "/subscribe #russia_ukraine", "/list", "/topics"
    )
    assert "Subscribed to <code>russia-ukraine</code>" in first
    assert "already follows <code>russia-ukraine</code>" in again
    assert "follows <code>russia-ukraine</code>" in listing
    assert "✅ <b>Russia–Ukraine crisis</b>" in topics


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/subscribe", "Which topic?"),
        ("/subscribe mars", "I don't know <code>mars</code>"),
        ("/subscribe <b>&", "I don't know <code>&lt;b&gt;&amp;</code>"),
        ("/unsubscribe", "Which topic?"),
        ("/unsubscribe mars", "I don't know <code>mars</code>"),
    ],
)
async def test_bad_arguments_get_a_helpful_reply_listing_topics(
    bot_api: FakeBotAPI, bot: object, command: str, expected: str
) -> None:
    [reply] = await ask(bot_api, 4, command)
    assert expected in reply
    assert "<code>russia-ukraine</code>" in reply
    assert not bot_api.rejected


async def test_several_topics_at_once_and_unsubscribe_all(bot_api: FakeBotAPI, bot: object) -> None:
    replies = await ask(
        bot_api,
        5,
        "/subscribe russia-ukraine energy mars",
        "/unsubscribe energy",
        "/unsubscribe energy",
        "/unsubscribe all",
        "/list",
    )
    assert "Subscribed to <code>russia-ukraine</code>, <code>energy</code>" in replies[0]
    assert "I don't know <code>mars</code>" in replies[0]
    assert "Unsubscribed from <code>energy</code>" in replies[1]
    assert "did not follow <code>energy</code>" in replies[2]
    assert "Unsubscribed from <code>russia-ukraine</code>" in replies[3]
    assert "no topics yet" in replies[4]


async def test_groups_use_commands_addressed_to_this_bot_only(
    bot_api: FakeBotAPI, bot: object
) -> None:
    group = {"chat_type": "supergroup"}
    await bot_api.user_says(GROUP, "/subscribe@otherbot energy", **group)
    await bot_api.user_says(GROUP, "/weather", **group)
    [reply] = await ask(bot_api, GROUP, "/subscribe@newsbot_test_bot energy", **group)
    assert "Subscribed to <code>energy</code>" in reply
    [listing] = await ask(bot_api, GROUP, "/list", **group)
    assert "<code>energy</code>" in listing
    assert len(bot_api.messages_to(GROUP)) == 2, "other bots' and unknown commands get no reply"


async def test_private_chats_get_help_for_unknown_commands_and_text(
    bot_api: FakeBotAPI, bot: object
) -> None:
    unknown, text = await ask(bot_api, 6, "/frobnicate now", "hello there")
    assert "I don't know /frobnicate" in unknown
    assert "/help" in unknown
    assert "/help" in text


async def test_subscriptions_survive_a_restart(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    async with running(settings):
        await ask(bot_api, 7, "/subscribe energy")
    async with running(settings):
        [listing] = await ask(bot_api, 7, "/list")
    assert "follows <code>energy</code>" in listing


async def test_a_chat_can_leave_a_topic_the_config_no_longer_has(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    """A reload that drops a topic keeps its subscriptions (and reports them); the chat must
    still be able to leave it by name."""
    from bot.storage import Storage

    settings = make_settings()
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    before = Storage.open(settings.db)
    before.remember_chat(9, "private", "reader")
    before.subscribe(9, ["energy", "baltic-shipping"])  # the second is not in the config
    before.close()
    async with running(settings):
        listing, left, again = await ask(
            bot_api, 9, "/list", "/unsubscribe #Baltic_Shipping", "/unsubscribe baltic-shipping"
        )
    assert "baltic-shipping" in listing
    assert "Unsubscribed from <code>baltic-shipping</code>" in left
    assert "I don't know <code>baltic-shipping</code>" in again
