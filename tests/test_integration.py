"""Where features meet: forum threads × digests, broadcasts × pause, stories × digests and
watches × unsubscribe, buttons × channels and forums. Each was once a bug a user would notice.
Real SQLite and the local Bot API; the last two run the whole bot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from itertools import count
from pathlib import Path

import pytest

from bot.chat_settings import ChatSettings, release_at
from bot.deliver import Deliverer
from bot.match import Matcher
from bot.models import Item, TopicMatch
from bot.settings import Settings
from bot.storage import Storage
from bot.summarise import summarise
from bot.watches import WatchIndex, decide

from .clock import FrozenClock as Clock
from .conftest import TEST_TOPICS, running
from .fake_bot_api import BOT_USER, FakeBotAPI
from .rules import catalog_from

CATALOG = catalog_from(TEST_TOPICS)
MATCHER = Matcher(CATALOG)
A, FORUM, CHANNEL = 11, -100900, -100700
READER = 5555  # reads the channel; not an admin
_keys = count()
FIRST = (
    "Putin orders troops back from the Ukraine border",
    "Units will return to their bases after the exercises, the Kremlin said.",
)
SECOND = (
    "Putin pulls troops back from Ukraine border as exercises end",
    "The Kremlin says units are returning to their bases.",
)
DAILY_8 = ChatSettings(digest="daily", digest_time=time(8))


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage.open(tmp_path / "db.sqlite3")
    yield db
    db.close()


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-01-10T10:00")


def report(
    storage: Storage,
    feed: str,
    text: tuple[str, str],
    *,
    watches: WatchIndex | None = None,
    topic: str | None = None,
) -> int:
    key = f"item-{next(_keys)}"
    item = Item(feed, key, text[0], f"https://{key}.example.org/", text[1], None)
    alert = summarise(item, [TopicMatch(topic)]) if topic else decide(item, MATCHER, watches)
    assert alert is not None
    return storage.record_poll(feed, f"https://{feed}.example.org/feed", [item], [alert])


def configure(storage: Storage, clock: Clock, chat: int, settings: ChatSettings) -> None:
    """What a settings command does: save, and re-plan what the chat holds."""
    storage.save_chat_settings(chat, settings)
    now = datetime.fromtimestamp(clock.now, UTC)
    storage.replan_held(chat, (release_at(settings, now) or now).timestamp())


async def test_a_forums_digest_goes_to_each_thread_with_its_own_alerts(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    storage.remember_chat(FORUM, "supergroup", "Forum")
    storage.subscribe(FORUM, ["energy"], thread_id=5)
    storage.subscribe(FORUM, ["russia-ukraine"], thread_id=9)
    configure(storage, clock, FORUM, DAILY_8)
    report(storage, "Wire", ("Nord Stream flows drop", "Gas."), topic="energy")
    report(storage, "Wire", ("Troops gather near Kyiv", "Ukraine."), topic="russia-ukraine")
    await deliverer.drain()
    assert bot_api.messages_to(FORUM) == [], "held for the digest"
    stats = storage.delivery_stats()
    assert (stats.queue_depth, stats.held) == (0, 2), "/stats counts what chats hold"

    clock.set(datetime(2026, 1, 11, 8, 0, 1, tzinfo=UTC))
    await deliverer.drain()
    by_thread = {m.thread_id: m.text for m in bot_api.messages_to(FORUM)}
    assert sorted(by_thread) == [5, 9]
    assert "Nord Stream" in by_thread[5]
    assert "Troops" not in by_thread[5]
    assert "Troops gather" in by_thread[9]
    assert "Nord Stream" not in by_thread[9]


async def test_a_broadcast_is_not_held_by_a_pause(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    storage.remember_chat(A, "private", "a")
    configure(storage, clock, A, ChatSettings(paused=True))
    body = "Maintenance tonight: " + "the bot is offline between 22:00 and 23:00 UTC. " * 4
    storage.queue_broadcast(f"📢 {body}", f"📢 {body}")
    await deliverer.drain()
    [message] = bot_api.messages_to(A)
    assert body.strip() in message.text, "the whole announcement, as its own message"


async def test_a_digest_of_one_alert_is_not_edited_into_a_full_alert(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer, clock: Clock
) -> None:
    storage.remember_chat(A, "private", "a")
    storage.subscribe(A, ["russia-ukraine"])
    configure(storage, clock, A, DAILY_8)
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    clock.set(datetime(2026, 1, 11, 8, 0, 1, tzinfo=UTC))
    await deliverer.drain()
    [digest] = bot_api.messages_to(A)
    assert "digest" in digest.text

    assert report(storage, "Al Jazeera", SECOND) == 0, "the same story: no new message"
    await deliverer.drain()
    assert bot_api.edits_to(A) == [], "a digest line is not turned into an alert"


async def test_a_report_merged_into_a_cancelled_alert_still_reaches_a_chat_that_watches_it(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    storage.remember_chat(A, "private", "a")
    storage.subscribe(A, ["russia-ukraine"])
    storage.add_watch(A, "pull", 20)
    index = WatchIndex(storage, lambda: CATALOG)
    report(storage, "BBC", FIRST, watches=index)  # the topic only
    report(storage, "Al Jazeera", SECOND, watches=index)  # the topic and the watch "pull"
    storage.unsubscribe(A, ["russia-ukraine"])  # the chat still watches "pull"
    await deliverer.drain()
    [message] = bot_api.messages_to(A)
    assert "pulls troops back" in message.text


async def test_a_story_in_another_forum_thread_is_a_message_there_not_an_edit(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    storage.remember_chat(FORUM, "supergroup", "Forum")
    storage.subscribe(FORUM, ["russia-ukraine"], thread_id=9)
    report(storage, "BBC", FIRST)
    await deliverer.drain()
    storage.subscribe(FORUM, ["russia-ukraine"], thread_id=7)  # /subscribe again in thread 7
    storage.move_to_thread(FORUM, ["russia-ukraine"], 7)
    report(storage, "Al Jazeera", SECOND)
    await deliverer.drain()
    assert [m.thread_id for m in bot_api.messages_to(FORUM)] == [9, 7]
    assert bot_api.edits_to(FORUM) == []


def prepare(settings: Settings, chat: int, kind: str, thread: int | None) -> None:
    """A chat that follows energy, and one energy alert queued for it."""
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    db = Storage.open(settings.db)
    db.remember_chat(chat, kind, "x")
    db.subscribe(chat, ["energy"], thread_id=thread)
    item = Item("Wire", "k1", "Nord Stream flows drop", "https://e.org/a", "Gas.")
    db.record_poll("Wire", "https://e.org/feed", [item], [summarise(item, [TopicMatch("energy")])])
    db.close()


async def press(api: FakeBotAPI, chat: int, message_id: int, data: str, user: int) -> str:
    query = await api.user_presses(chat, message_id, data, user_id=user)
    return str((await api.wait_for_answer(query)).get("text") or "")


@pytest.mark.slow
async def test_a_channels_alerts_carry_no_buttons_and_its_readers_cannot_change_it(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    bot_api.add_chat(CHANNEL, "channel", "World Alerts", username="worldalerts")
    bot_api.set_member(CHANNEL, BOT_USER["id"], "administrator", can_post_messages=True)
    bot_api.set_member(CHANNEL, READER, "member")
    prepare(settings, CHANNEL, "channel", None)
    async with running(settings):
        [alert] = await bot_api.wait_for_messages(CHANNEL, 1)
        assert bot_api.buttons(alert) == [], "a reader cannot mute a channel for everyone"
        answer = await press(bot_api, CHANNEL, alert.message_id, "v1:mute:1:energy", READER)
        assert "admins" in answer
    db = Storage.open(settings.db)
    assert db.subscriptions(CHANNEL) == ["energy"]
    db.close()
    assert len(bot_api.messages_to(CHANNEL)) == 1, "nothing posted to the channel's readers"


@pytest.mark.slow
async def test_mute_then_undo_in_a_forum_thread_keeps_the_topic_in_its_thread(
    bot_api: FakeBotAPI, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    bot_api.add_chat(FORUM, "supergroup", "Forum", forum=True)
    prepare(settings, FORUM, "supergroup", 9)
    async with running(settings):
        [alert] = await bot_api.wait_for_messages(FORUM, 1)
        assert alert.thread_id == 9
        mute = next(data for label, data in bot_api.buttons(alert) if "Mute" in label)
        assert "Muted" in await press(bot_api, FORUM, alert.message_id, mute, 1001)
        undo = mute.replace(":mute:", ":undo:")
        assert "again" in await press(bot_api, FORUM, alert.message_id, undo, 1001)
    db = Storage.open(settings.db)
    assert db.subscription_threads(FORUM) == {"energy": 9}
    db.close()


async def test_old_finished_alerts_are_pruned_but_anything_still_owed_is_kept(
    bot_api: FakeBotAPI, storage: Storage, deliverer: Deliverer
) -> None:
    from datetime import timedelta

    storage.remember_chat(A, "private", "a")
    storage.subscribe(A, ["energy"])
    long_ago = datetime.now(UTC) - timedelta(days=100)
    for key, title in (("old-1", "Pipeline flows resume"), ("old-2", "Gas storage fills")):
        item = Item("Wire", key, title, f"https://e.org/{key}", "Gas.", long_ago)
        alert = summarise(item, [TopicMatch("energy")])
        storage.record_poll("Wire", "https://e.org/feed", [item], [alert], now=long_ago)
    [first, second] = storage.pending_for_chat(A)
    storage.mark_sent(first.id, 1)

    assert storage.prune_alerts(datetime.now(UTC) - timedelta(days=90)) == 1
    assert storage.delivery_reasons(first.id) is None, "the sent one is forgotten"
    assert [d.id for d in storage.pending_for_chat(A)] == [second.id], "the owed one stays"
    assert storage.prune_alerts(datetime.now(UTC) - timedelta(days=90)) == 0
    await deliverer.drain()
    assert "Gas storage fills" in bot_api.messages_to(A)[0].text
