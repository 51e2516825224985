"""Buttons and watches through the real bot and the local Bot API: what a user sees and taps."""

from __future__ import annotations

import pytest

from .fake_bot_api import FakeBotAPI, SentMessage
from .feed_server import Entry, FeedServer

pytestmark = pytest.mark.slow

STALE = "This button no longer works"


async def ask(api: FakeBotAPI, chat_id: int, *texts: str) -> list[SentMessage]:
    """Send messages from a user in `chat_id`; return the bot's replies to them, in order."""
    before = len(api.messages_to(chat_id))
    for text in texts:
        await api.user_says(chat_id, text)
    return (await api.wait_for_messages(chat_id, before + len(texts)))[before:]


async def press(api: FakeBotAPI, chat_id: int, message: SentMessage, data: str) -> str:
    """Tap a button (or send forged data) under `message`; return the answer's text."""
    query = await api.user_presses(chat_id, message.message_id, data)
    answer = await api.wait_for_answer(query)
    return str(answer.get("text") or "")


def data_of(api: FakeBotAPI, message: SentMessage, label_start: str) -> str:
    return next(d for label, d in api.buttons(message) if label.startswith(label_start))


async def first_poll_done(feeds: FeedServer) -> None:
    feeds.publish("world", Entry("seed", "Nothing to see"))
    await feeds.wait_for_fetches("world", 2)  # the first poll is recorded, never alerted


async def test_topics_buttons_toggle_the_subscription_and_redraw_in_place(
    bot_api: FakeBotAPI, bot: object
) -> None:
    [topics] = await ask(bot_api, 11, "/topics")
    assert bot_api.buttons(topics) == [
        ("⬜ Russia–Ukraine crisis", "v1:follow:russia-ukraine"),
        ("⬜ Energy security", "v1:follow:energy"),
    ]

    answer = await press(bot_api, 11, topics, "v1:follow:energy")
    assert "Following Energy security" in answer
    redrawn = bot_api.message(topics.message_id)
    assert ("✅ Energy security", "v1:unfollow:energy") in bot_api.buttons(redrawn)
    assert "✅ <b>Energy security</b>" in redrawn.text
    [listing] = await ask(bot_api, 11, "/list")
    assert "<code>energy</code>" in listing.text

    assert "Already so" in await press(bot_api, 11, topics, "v1:follow:energy")  # stale list
    assert "Stopped following" in await press(bot_api, 11, topics, "v1:unfollow:energy")
    assert ("⬜ Energy security", "v1:follow:energy") in bot_api.buttons(
        bot_api.message(topics.message_id)
    )
    [listing] = await ask(bot_api, 11, "/list")
    assert "no topics yet" in listing.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("garbage", STALE),
        ("v9:follow:energy", STALE),
        ("v1:follow:mars", "That topic no longer exists"),
        ("v1:why:999999", STALE),
        ("v1:mute:999999:energy", STALE),
        ("v1:unwatch:1", STALE),
        ("v1:why:1:" + "x" * 200, STALE),
    ],
)
async def test_forged_or_stale_button_data_gets_a_polite_answer(
    bot_api: FakeBotAPI, bot: object, data: str, expected: str
) -> None:
    [topics] = await ask(bot_api, 12, "/topics")
    assert expected in await press(bot_api, 12, topics, data)
    [listing] = await ask(bot_api, 12, "/list")  # the bot carries on, and said nothing else
    assert "no topics yet" in listing.text
    assert len(bot_api.messages_to(12)) == 2


async def test_alert_buttons_explain_mute_and_undo(
    feed_server: FeedServer, bot_api: FakeBotAPI, bot: object
) -> None:
    reader, stranger = 21, 22
    await ask(bot_api, reader, "/subscribe russia-ukraine")
    await ask(bot_api, stranger, "/start")
    await first_poll_done(feed_server)
    feed_server.publish("world", Entry("hot", "NATO says troops are massing near Kyiv"))
    alert = (await bot_api.wait_for_messages(reader, 2))[1]
    assert [label for label, _ in bot_api.buttons(alert)] == ["❓ Why?", "🔕 Mute #russia_ukraine"]

    why = data_of(bot_api, alert, "❓")
    assert STALE in await press(bot_api, stranger, alert, why), "another chat's alert"
    assert "why" in (await press(bot_api, reader, alert, why)).lower()
    explanation = (await bot_api.wait_for_messages(reader, 3))[2]
    assert bot_api.replied_to(explanation) == alert.message_id
    assert "Why you got" in explanation.text
    assert "Russia–Ukraine crisis" in explanation.text

    assert "Muted #russia_ukraine" in await press(
        bot_api, reader, alert, data_of(bot_api, alert, "🔕")
    )
    muted = bot_api.message(alert.message_id)
    undo = data_of(bot_api, muted, "↩️ Undo: follow #russia_ukraine")
    [listing] = await ask(bot_api, reader, "/list")
    assert "no topics yet" in listing.text

    assert "Following #russia_ukraine again" in await press(bot_api, reader, alert, undo)
    assert [label for label, _ in bot_api.buttons(bot_api.message(alert.message_id))] == [
        "❓ Why?",
        "🔕 Mute #russia_ukraine",
    ]
    [listing] = await ask(bot_api, reader, "/list")
    assert "<code>russia-ukraine</code>" in listing.text


async def test_a_watch_brings_an_item_to_its_chat_only_once_and_explains_itself(
    feed_server: FeedServer, bot_api: FakeBotAPI, bot: object
) -> None:
    watcher, follower, bystander = 31, 32, 33
    [added] = await ask(bot_api, watcher, "/watch Putin")
    assert "Watching “Putin” (also catches “Vladimir Putin”, “Путин”)" in added.text
    await ask(bot_api, follower, "/subscribe russia-ukraine", "/watch troops")
    await ask(bot_api, bystander, "/watch grain deal")
    await first_poll_done(feed_server)

    feed_server.publish("world", Entry("w", "Путин visits a tractor factory"))  # no topic fires
    alert = (await bot_api.wait_for_messages(watcher, 2))[1]
    assert "Путин visits a tractor factory" in alert.text
    assert "#watch" in alert.text
    feed_server.publish("world", Entry("t", "Putin sends troops"))  # topic, and two watches
    feed_server.publish("world", Entry("g", "Grain deal signed in Istanbul"))
    both = (await bot_api.wait_for_messages(follower, 3))[2]
    grain = (await bot_api.wait_for_messages(bystander, 2))[1]
    await bot_api.wait_for_messages(watcher, 3)

    assert "Putin sends troops" in both.text
    assert "Grain deal signed" in grain.text
    follower_alerts = [m.text for m in bot_api.messages_to(follower)[2:]]
    assert len(follower_alerts) == 1, "topic and watch both want it: sent once"
    assert "Putin sends troops" in bot_api.messages_to(watcher)[2].text
    assert len(bot_api.messages_to(bystander)) == 2, "only the grain deal reached the bystander"
    for message in bot_api.messages_to(follower) + bot_api.messages_to(bystander):
        assert "tractor" not in message.text

    assert [label for label, _ in bot_api.buttons(alert)] == ["❓ Why?", "🔕 Unwatch “Putin”"]
    await press(bot_api, watcher, alert, data_of(bot_api, alert, "❓"))
    why = (await bot_api.wait_for_messages(watcher, 4))[3]
    assert "Your watch</b> “Putin”" in why.text
    assert "Vladimir Putin (“Путин”, headline)" in why.text
    assert "troops" not in why.text, "another chat's watches stay private"
    await bot_api.user_says(watcher, "/why", reply_to=alert.message_id)
    replied = (await bot_api.wait_for_messages(watcher, 5))[4]
    assert replied.text == why.text, "/why as a reply says the same as the button"

    assert "Stopped watching" in await press(bot_api, watcher, alert, data_of(bot_api, alert, "🔕"))
    [listing] = await ask(bot_api, watcher, "/watchlist")
    assert "watches no phrases yet" in listing.text
    again = data_of(bot_api, bot_api.message(alert.message_id), "↩️ Watch “Putin” again")
    assert "Watching that again" in await press(bot_api, watcher, alert, again)
    [listing] = await ask(bot_api, watcher, "/watchlist")
    assert "“Putin”" in listing.text


async def test_watch_commands_explain_limits_and_what_to_do_next(
    bot_api: FakeBotAPI, bot: object
) -> None:
    chat = 41
    replies = await ask(
        bot_api,
        chat,
        "/watch",
        "/watch a",
        "/watch " + "x" * 101,
        "/watch Putin, Xi",
        "/watch <Putin>",
        "/watch Putin",
        "/unwatch mars",
        "/unwatch PUTIN",
        "/watchlist",
    )
    texts = [m.text for m in replies]
    assert "What should I watch for? For example: /watch Putin" in texts[0]
    assert "at least 2 letters" in texts[1]
    assert "at most 100" in texts[2]
    assert "never match as one phrase" in texts[3]
    assert "Watching “&lt;Putin&gt;”" in texts[4]
    assert "Watching “Putin”" in texts[5]
    assert "doesn't watch “mars”" in texts[6]
    assert "It watches “&lt;Putin&gt;”, “Putin”" in texts[6]
    assert "Stopped watching “Putin”" in texts[7]
    assert "(1 of 20)" in texts[8]
    assert not bot_api.rejected, "every reply is valid Telegram HTML"

    await ask(bot_api, chat, *(f"/watch word{n}" for n in range(19)))
    [full] = await ask(bot_api, chat, "/watch one more")
    assert "has 20 watches, the most I keep" in full.text
    assert "/unwatch" in full.text


async def test_test_command_help_and_menu(bot_api: FakeBotAPI, bot: object) -> None:
    chat = 51
    replies = await ask(
        bot_api,
        chat,
        "/subscribe energy",
        "/watch Putin",
        "/test Путин sends troops",
        "/test",
        "/test Local weather is mild",
        "/help",
    )
    trial = replies[2].text
    assert "Russia–Ukraine crisis" in trial
    assert "not followed: /subscribe russia-ukraine" in trial
    assert "Your watch</b> “Putin”" in trial
    assert "Send a headline after /test" in replies[3].text
    assert "Nothing would fire" in replies[4].text
    assert "/watch Putin" in replies[5].text
    assert "/test" in replies[5].text
    assert {c["command"] for c in bot_api.commands} >= {"watch", "unwatch", "watchlist", "test"}


async def test_a_watch_is_one_watch_whatever_its_case_or_script(
    bot_api: FakeBotAPI, bot: object
) -> None:
    chat = 43
    replies = await ask(
        bot_api,
        chat,
        "/watch Putin",
        "/watch putin",
        "/watch Путин",
        "/watch Nord Stream",
        "/watch nord  STREAM",
        "/watchlist",
        "/unwatch PUTIN",
        "/unwatch nord stream",
        "/watchlist",
    )
    texts = [m.text for m in replies]
    assert "Watching “Putin”" in texts[0]
    assert "already watches “Putin”, which catches “putin” too" in texts[1]
    assert "already watches “Putin”, which catches “Путин” too" in texts[2]
    assert "already watches “Nord Stream”" in texts[4]
    assert "(2 of 20)" in texts[5]
    assert "Stopped watching “Putin”" in texts[6]
    assert "Stopped watching “Nord Stream”" in texts[7]
    assert "no phrases yet" in texts[8], "nothing left that would still alert"
