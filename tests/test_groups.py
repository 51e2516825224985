"""Groups, forum topic threads and channels: who may change a chat's alerts, and where they go.

The first tests drive storage and the Deliverer against the local Bot API; the slow ones run the
whole bot and talk to it as group members, anonymous admins and channel admins would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    Update,
    User,
)
from telegram.ext import Application, ApplicationBuilder, CallbackContext

from bot.deliver import Deliverer
from bot.models import Item, TopicMatch
from bot.ratelimit import AlertBudget
from bot.settings import Settings
from bot.storage import Storage
from bot.summarise import summarise
from bot.telegram.channels import channel_argument
from bot.telegram.permissions import ADMINS_ONLY, AdminCache, can_post, may_change

from .clock import FrozenClock as Clock
from .conftest import TEST_TOKEN, running
from .fake_bot_api import BOT_USER, FakeBotAPI
from .feed_server import Entry, FeedServer

FORUM = -100900
GROUP = -100500
CHANNEL = -100700
_keys = count()


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage.open(tmp_path / "db.sqlite3")
    db.remember_chat(FORUM, "supergroup", "Forum")
    yield db
    db.close()


def queue(storage: Storage, title: str, *topics: str) -> None:
    item = Item("Wire", f"k{next(_keys)}", title, "https://e.org/x", "Summary.")
    alert = summarise(item, [TopicMatch(topic) for topic in topics])
    storage.record_poll("Wire", "https://e.org/feed", [item], [alert])


def threads(api: FakeBotAPI, chat: int, *titles: str) -> list[tuple[str, int | None]]:
    """(title, thread) of each message the chat got that shows one of `titles`."""
    return [
        (title, m.thread_id) for m in api.messages_to(chat) for title in titles if title in m.text
    ]


# -- storage and delivery ----------------------------------------------------------------------


async def test_each_topic_goes_to_its_thread_and_a_double_match_once_to_the_older_one(
    bot_api: FakeBotAPI, telegram_bot: Bot, storage: Storage
) -> None:
    storage.subscribe(FORUM, ["war"], thread_id=5)
    storage.subscribe(FORUM, ["energy"], thread_id=9)
    queue(storage, "War news", "war")
    queue(storage, "Gas news", "energy")
    queue(storage, "Gas and war", "energy", "war")  # war was subscribed first: thread 5
    deliverer = Deliverer(telegram_bot, storage, clock=Clock())
    while await deliverer.drain():
        pass
    assert sorted(threads(bot_api, FORUM, "War news", "Gas news", "Gas and war")) == sorted(
        [("War news", 5), ("Gas news", 9), ("Gas and war", 5)]
    )


async def test_subscribing_again_in_another_thread_moves_the_topic(storage: Storage) -> None:
    storage.subscribe(FORUM, ["war", "energy"], thread_id=5)
    assert storage.move_to_thread(FORUM, ["war", "energy"], 9) == ["war", "energy"]
    assert storage.move_to_thread(FORUM, ["war"], 9) == []
    assert storage.move_to_thread(FORUM, ["war"], None) == ["war"]
    assert storage.subscription_threads(FORUM) == {"energy": 9, "war": None}


async def test_a_deleted_thread_falls_back_to_general_once_and_for_what_follows(
    bot_api: FakeBotAPI, telegram_bot: Bot, storage: Storage
) -> None:
    storage.subscribe(FORUM, ["war"], thread_id=5)
    bot_api.delete_thread(FORUM, 5)
    queue(storage, "First", "war")
    deliverer = Deliverer(telegram_bot, storage, clock=Clock())
    assert await deliverer.drain() == 1
    queue(storage, "Second", "war")
    assert await deliverer.drain() == 1
    assert threads(bot_api, FORUM, "First", "Second") == [("First", None), ("Second", None)]
    assert bot_api.rejected == [(FORUM, "Bad Request: message thread not found")]
    assert storage.subscription_threads(FORUM) == {"war": None}
    assert storage.delivery_stats().failures_last_day == {"thread_not_found": 1}


async def test_a_merged_message_holds_only_its_own_threads_alerts(
    bot_api: FakeBotAPI, telegram_bot: Bot, storage: Storage
) -> None:
    clock = Clock()
    storage.subscribe(FORUM, ["war"], thread_id=5)
    storage.subscribe(FORUM, ["energy"], thread_id=9)
    deliverer = Deliverer(telegram_bot, storage, clock=clock, budget=AlertBudget(clock, 1, 600))
    for n in range(3):
        queue(storage, f"War {n}", "war")
        queue(storage, f"Gas {n}", "energy")
    await deliverer.drain()
    for _ in range(2):
        clock.now += 601
        await deliverer.drain()
    sent = bot_api.messages_to(FORUM)
    assert [m.thread_id for m in sent] == [5, 9, 5]
    assert "War" in sent[2].text
    assert "Gas" not in sent[2].text, "another thread's alerts are not merged into this one"
    assert sent[1].text.startswith("<b>🗞 Several alerts")
    assert "War" not in sent[1].text
    clock.now += 601
    await deliverer.drain()
    assert storage.delivery_stats().queue_depth == 0


@pytest.fixture
async def application(bot_api: FakeBotAPI) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    built = ApplicationBuilder().token(TEST_TOKEN).base_url(bot_api.base_url).build()
    async with built:
        yield built


async def guard(application: Application, payload: dict[str, object]) -> bool:  # type: ignore[type-arg]
    """What `may_change` says of this update."""
    update = Update.de_json({"update_id": 1, **payload}, application.bot)
    return await may_change(update, CallbackContext.from_update(update, application))


def said_in(
    chat: dict[str, object], sender_chat: dict[str, object] | None = None
) -> dict[str, object]:
    """A message update from user 7 (a member), posted as `sender_chat` if given."""
    message: dict[str, object] = {
        "message_id": 3, "date": 0, "chat": chat, "text": "/subscribe energy",
        "from": {"id": 7, "is_bot": False, "first_name": "U"},
    }  # fmt: skip
    if sender_chat is not None:
        message["sender_chat"] = sender_chat
    return {"message": message}


async def test_an_anonymous_admin_may_change_but_someone_posting_as_a_channel_may_not(
    bot_api: FakeBotAPI,
    application: Application,  # type: ignore[type-arg]
) -> None:
    bot_api.add_chat(FORUM, "supergroup", "Desk")
    bot_api.add_chat(CHANNEL, "channel", "Elsewhere")
    bot_api.set_member(FORUM, 7, "member")
    group, channel = bot_api.chats[FORUM], bot_api.chats[CHANNEL]
    assert await guard(application, said_in({"id": 7, "type": "private", "first_name": "U"}))
    assert await guard(application, said_in(group, sender_chat=group))
    assert bot_api.sent == []
    assert not await guard(application, said_in(group, sender_chat=channel))
    assert not await guard(application, said_in(group))
    assert [m.text for m in bot_api.messages_to(FORUM)] == [ADMINS_ONLY, ADMINS_ONLY]


async def test_a_members_button_press_is_refused_with_an_alert_not_a_message(
    bot_api: FakeBotAPI,
    application: Application,  # type: ignore[type-arg]
) -> None:
    bot_api.add_chat(FORUM, "supergroup", "Desk")
    bot_api.set_member(FORUM, 7, "member")
    bot_api.set_member(FORUM, 8, "administrator")

    def press(user_id: int) -> dict[str, object]:
        return {
            "callback_query": {
                "id": f"q{user_id}",
                "chat_instance": "c",
                "data": "toggle:energy",
                "from": {"id": user_id, "is_bot": False, "first_name": "U"},
                "message": {
                    "message_id": 3, "date": 0, "chat": bot_api.chats[FORUM],
                    "from": BOT_USER, "text": "Topics",
                },
            }
        }  # fmt: skip

    assert await guard(application, press(7)) is False
    assert await guard(application, press(8)) is True
    assert [(a["callback_query_id"], a.get("show_alert")) for a in bot_api.callback_answers] == [
        ("q7", "true")  # form-encoded by python-telegram-bot
    ]
    assert bot_api.callback_answers[0]["text"] == ADMINS_ONLY
    assert bot_api.sent == [], "nothing was posted in the group"


# -- pure helpers ----------------------------------------------------------------------------


def test_admin_answers_are_cached_briefly_and_refusals_more_briefly() -> None:
    clock = Clock()
    cache = AdminCache(clock, admin_ttl=60, not_admin_ttl=10)
    cache.put(1, 7, True)
    cache.put(1, 8, False)
    assert (cache.get(1, 7), cache.get(1, 8), cache.get(2, 7)) == (True, False, None)
    clock.now += 11
    assert (cache.get(1, 7), cache.get(1, 8)) == (True, None)
    clock.now += 50
    assert cache.get(1, 7) is None


_BOT = User(BOT_USER["id"], "Bot", is_bot=True)
_ADMIN_RIGHTS = dict.fromkeys(
    (
        "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
        "can_manage_video_chats", "can_restrict_members", "can_promote_members",
        "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
        "can_delete_stories",
    ),
    False,
)  # fmt: skip
_RESTRICTED = dict.fromkeys(
    (
        "can_change_info", "can_invite_users", "can_pin_messages", "can_send_polls",
        "can_send_other_messages", "can_add_web_page_previews", "can_manage_topics",
        "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
        "can_send_video_notes", "can_send_voice_notes", "can_edit_tag", "can_react_to_messages",
    ),
    True,
)  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("chat_type", "member", "expected"),
    [
        ("group", ChatMemberMember(_BOT), True),
        ("supergroup", ChatMemberAdministrator(_BOT, **_ADMIN_RIGHTS), True),
        ("group", ChatMemberLeft(_BOT), False),
        ("supergroup", ChatMemberBanned(_BOT, _EPOCH), False),
        ("supergroup", ChatMemberRestricted(_BOT, True, can_send_messages=False, until_date=_EPOCH, **_RESTRICTED), False),
        ("supergroup", ChatMemberRestricted(_BOT, True, can_send_messages=True, until_date=_EPOCH, **_RESTRICTED), True),
        ("channel", ChatMemberAdministrator(_BOT, **_ADMIN_RIGHTS, can_post_messages=True), True),
        ("channel", ChatMemberAdministrator(_BOT, **_ADMIN_RIGHTS, can_post_messages=False), False),
        ("channel", ChatMemberMember(_BOT), False),
        ("channel", ChatMemberOwner(_BOT, is_anonymous=False), False),
        ("channel", ChatMemberLeft(_BOT), False),
    ],
)  # fmt: skip
def test_where_the_bot_can_post(chat_type: str, member: object, expected: bool) -> None:
    assert can_post(chat_type, member) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "rest", "channel"),
    [
        (["energy", "@news"], ["energy"], "@news"),
        (["@news", "energy", "war"], ["energy", "war"], "@news"),
        (["energy"], ["energy"], None),
        (["energy", "@a_one", "@b_two"], ["energy", "@b_two"], "@a_one"),
        (None, [], None),
    ],
)
def test_the_channel_is_the_argument_starting_with_an_at(
    args: list[str] | None, rest: list[str], channel: str | None
) -> None:
    assert channel_argument(args) == (rest, channel)


# -- the whole bot ------------------------------------------------------------------------------

ADMIN, MEMBER, OUTSIDER = 2001, 2002, 2003


async def said(api: FakeBotAPI, chat_id: int, count: int = 1) -> list[str]:
    """The next `count` messages the bot sends to `chat_id`, once they have arrived (a group
    gets at most 20 a minute, so a few alerts can take seconds)."""
    before = len(api.messages_to(chat_id))
    messages = await api.wait_for_messages(chat_id, before + count, within=40.0)
    return [m.text for m in messages[before:]]


async def answer(api: FakeBotAPI, chat_id: int, text: str, **how: object) -> str:
    """Say `text` in a registered group (or, with no group, in the user's private chat) and
    return the bot's one reply."""
    before = len(api.messages_to(chat_id))
    if chat_id in api.chats:
        await api.says_in_group(chat_id, text, **how)  # type: ignore[arg-type]
    else:
        await api.user_says(chat_id, text)
    messages = await api.wait_for_messages(chat_id, before + 1)
    return messages[before].text


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait, polling the real state, until `condition` holds."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.05)  # sync-ok: polls the database the bot writes


@pytest.mark.slow
async def test_in_a_group_only_admins_change_subscriptions(
    bot_api: FakeBotAPI, bot: object
) -> None:
    bot_api.add_chat(GROUP, "supergroup", "Newsroom")
    bot_api.set_member(GROUP, ADMIN, "administrator")
    bot_api.set_member(GROUP, MEMBER, "member")
    bot_api.set_member(GROUP, 1087968824, "member")  # what Telegram says of the anonymous sender

    refused = await answer(bot_api, GROUP, "/subscribe energy", user_id=MEMBER)
    assert "only this group's admins" in refused
    listing = await answer(bot_api, GROUP, "/list", user_id=MEMBER)
    assert "no topics yet" in listing, "anyone may look"
    subscribed = await answer(bot_api, GROUP, "/subscribe energy", user_id=ADMIN)
    assert "Subscribed to <code>energy</code>" in subscribed
    again = await answer(
        bot_api, GROUP, "/subscribe@newsbot_test_bot russia-ukraine", user_id=ADMIN
    )
    assert "Subscribed to <code>russia-ukraine</code>" in again
    assert bot_api.calls.count("getChatMember") == 2, "the admin's answer was cached"
    removed = await answer(bot_api, GROUP, "/unsubscribe energy", anonymous=True)
    assert "Unsubscribed from <code>energy</code>" in removed
    refused = await answer(bot_api, GROUP, "/unsubscribe all", user_id=MEMBER)
    assert "only this group's admins" in refused
    listing = await answer(bot_api, GROUP, "/list", user_id=MEMBER)
    assert "follows <code>russia-ukraine</code>." in listing


@pytest.mark.slow
async def test_in_a_group_only_admins_change_watches_settings_and_topic_buttons(
    bot_api: FakeBotAPI, bot: object
) -> None:
    """Every command or button that changes a group's alerts asks the same guard."""
    bot_api.add_chat(GROUP, "supergroup", "Newsroom")
    bot_api.set_member(GROUP, ADMIN, "administrator")
    bot_api.set_member(GROUP, MEMBER, "member")
    for command in ("/watch Putin", "/unwatch all", "/quiet 22:00-07:00", "/pause 2h"):
        refused = await answer(bot_api, GROUP, command, user_id=MEMBER)
        assert "only this group's admins" in refused, command
    shown = await answer(bot_api, GROUP, "/settings", user_id=MEMBER)
    assert "only this group's admins" not in shown, "anyone may look"
    assert "no phrases yet" in await answer(bot_api, GROUP, "/watchlist", user_id=MEMBER)

    watching = await answer(bot_api, GROUP, "/watch Putin", user_id=ADMIN)
    assert "Watching" in watching

    await answer(bot_api, GROUP, "/topics", user_id=MEMBER)
    before = len(bot_api.messages_to(GROUP))
    listing = bot_api.messages_to(GROUP)[-1]
    [(_label, data)] = [b for b in bot_api.buttons(listing) if "energy" in b[1]]
    query = await bot_api.user_presses(GROUP, listing.message_id, data, user_id=MEMBER)
    refusal = await bot_api.wait_for_answer(query)
    assert refusal["text"] == ADMINS_ONLY
    assert len(bot_api.messages_to(GROUP)) == before, "refused in a pop-up, not a post"


@pytest.mark.slow
async def test_commands_for_another_bot_are_ignored_in_groups_and_private_chats(
    bot_api: FakeBotAPI, bot: object
) -> None:
    bot_api.add_chat(GROUP, "supergroup", "Newsroom")
    bot_api.set_member(GROUP, MEMBER, "member")
    for text in ("/subscribe@otherbot energy", "/list@otherbot", "/weather@otherbot"):
        await bot_api.says_in_group(GROUP, text, user_id=MEMBER)
        await bot_api.user_says(ADMIN, text)
    listing = await answer(bot_api, ADMIN, "/list")
    assert "no topics yet" in listing
    refused = await answer(bot_api, GROUP, "/subscribe@newsbot_test_bot energy", user_id=MEMBER)
    assert "only this group's admins" in refused
    assert len(bot_api.messages_to(ADMIN)) == 1
    assert len(bot_api.messages_to(GROUP)) == 1, "the other bot's commands got no reply"
    assert "getChatMember" in bot_api.calls


@pytest.mark.slow
async def test_a_forum_gets_each_topic_in_the_thread_it_was_subscribed_in(
    feed_server: FeedServer, bot_api: FakeBotAPI, bot: object
) -> None:
    feed_server.publish("world", Entry("seed", "Nothing to see"))
    bot_api.add_chat(FORUM, "supergroup", "Desk", forum=True)
    war = await answer(bot_api, FORUM, "/subscribe russia-ukraine", thread_id=5)
    assert "arrive in this topic thread" in war
    gas = await answer(bot_api, FORUM, "/subscribe energy", thread_id=9)
    assert "arrive in this topic thread" in gas
    assert [m.thread_id for m in bot_api.messages_to(FORUM)] == [5, 9], "replies in the thread"
    listing = await answer(bot_api, FORUM, "/list", thread_id=9)
    assert "<code>energy</code> (this thread), <code>russia-ukraine</code> (thread 5)" in listing
    await feed_server.wait_for_fetches("world", 2)  # the first poll only records what is there

    feed_server.publish(
        "world",
        Entry("gas", "Nord Stream repairs finished"),
        Entry("both", "Ukraine and the Nord Stream gas deal"),
        Entry("war", "Troops leave Kyiv suburbs"),
    )
    await said(bot_api, FORUM, 3)
    titles = ("Nord Stream repairs", "Ukraine and the Nord Stream", "Troops leave Kyiv")
    assert sorted(threads(bot_api, FORUM, *titles)) == [
        ("Nord Stream repairs", 9),
        ("Troops leave Kyiv", 5),
        ("Ukraine and the Nord Stream", 5),  # once, to the older subscription's thread
    ]

    moved = await answer(bot_api, FORUM, "/subscribe energy")  # from the General topic
    assert "Alerts for <code>energy</code> will now arrive here" in moved
    feed_server.publish("world", Entry("gas2", "Nord Stream flows resume"))
    [alert] = await said(bot_api, FORUM)
    assert "Nord Stream flows resume" in alert
    assert bot_api.messages_to(FORUM)[-1].thread_id is None


@pytest.mark.slow
async def test_a_channel_is_managed_by_its_admins_from_a_private_chat(
    feed_server: FeedServer,
    bot_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
) -> None:
    feed_server.publish("world", Entry("seed", "Nothing to see"))
    bot_api.add_chat(CHANNEL, "channel", "World Alerts", username="worldalerts")
    bot_api.set_member(CHANNEL, BOT_USER["id"], "administrator", can_post_messages=True)
    bot_api.set_member(CHANNEL, ADMIN, "creator")
    settings = make_settings()
    async with running(settings):
        reply = await answer(bot_api, ADMIN, "/subscribe energy @WorldAlerts")
        assert "Subscribed @WorldAlerts to <code>energy</code>" in reply
        assert "arrive in @WorldAlerts" in reply
        listing = await answer(bot_api, ADMIN, "/list @worldalerts")
        assert "@worldalerts follows <code>energy</code>" in listing
        assert "no topics yet" in await answer(bot_api, ADMIN, "/list"), "the user's own chat"
        await feed_server.wait_for_fetches("world", 2)

        feed_server.publish("world", Entry("gas", "Nord Stream repairs finished"))
        [alert] = await said(bot_api, CHANNEL)
        assert "Nord Stream repairs finished" in alert

        stats = Storage.open(settings.db)
        try:
            await bot_api.bot_rights(CHANNEL, "administrator", can_post_messages=False)
            await until(lambda: stats.delivery_stats().inactive_chats == 1)
            await bot_api.bot_rights(CHANNEL, "administrator", can_post_messages=True)
            await until(lambda: stats.delivery_stats().inactive_chats == 0)
            await bot_api.bot_rights(CHANNEL, "left")
            await until(lambda: stats.delivery_stats().inactive_chats == 1)
        finally:
            stats.close()
        gone = await answer(bot_api, ADMIN, "/unsubscribe energy @worldalerts")
        assert "I'm not an administrator of @worldalerts" in gone
        await bot_api.bot_rights(CHANNEL, "administrator", can_post_messages=True)
        removed = await answer(bot_api, ADMIN, "/unsubscribe energy @worldalerts")
        assert "Unsubscribed @worldalerts from <code>energy</code>" in removed


@pytest.mark.slow
async def test_each_channel_problem_gets_a_reply_saying_what_to_fix(
    bot_api: FakeBotAPI, bot: object
) -> None:
    bot_api.add_chat(CHANNEL, "channel", "World Alerts", username="worldalerts")
    bot_api.set_member(CHANNEL, ADMIN, "administrator")
    bot_api.add_chat(-100701, "channel", "Mute", username="mutechannel")
    bot_api.set_member(-100701, BOT_USER["id"], "administrator", can_post_messages=False)
    bot_api.set_member(-100701, ADMIN, "creator")
    bot_api.add_chat(-100702, "channel", "Open", username="openchannel")
    bot_api.set_member(-100702, BOT_USER["id"], "administrator", can_post_messages=True)
    bot_api.add_chat(GROUP, "supergroup", "Newsroom", username="newsroom")
    cases = {
        "/subscribe energy @nosuchchannel": "I can't find a channel called @nosuchchannel",
        "/subscribe energy @no": "isn't a channel name",
        "/subscribe energy @<b>": "“@&lt;b&gt;” isn't a channel name",
        "/subscribe energy @newsroom": "@newsroom is a group, not a channel",
        "/subscribe energy @worldalerts": "I'm not an administrator of @worldalerts",
        "/subscribe energy @mutechannel": "may not post there",
        "/subscribe energy @openchannel": "you aren't one of them",
        "/list @openchannel": "you aren't one of them",
    }
    for command, expected in cases.items():
        assert expected in await answer(bot_api, ADMIN, command), command
    in_group = await answer(bot_api, GROUP, "/subscribe energy @openchannel", user_id=ADMIN)
    assert "in a private chat with me" in in_group
    mute = await answer(bot_api, ADMIN, "/list @mutechannel")
    assert "@mutechannel follows no topics yet" in mute, "listing needs no right to post"
    assert not bot_api.rejected
