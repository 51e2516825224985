"""The scheduler's promises: first polls spread over the interval, bounded concurrency overall
and per server, and a forced poll. No waiting on the clock: jobs are driven directly."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.catalog import Feed
from bot.pipeline import FeedOutcome
from bot.scheduler import FeedScheduler


async def test_a_thousand_feeds_do_not_fire_in_the_same_second() -> None:
    feeds = [Feed(f"f{i}", f"https://host{i % 50}.example/feed.xml", 60) for i in range(1000)]

    async def job(feed: Feed) -> FeedOutcome:
        return FeedOutcome(feed.name)

    scheduler = FeedScheduler(feeds, job)
    scheduler.start()
    try:
        times = [scheduler.next_poll(f.name) for f in feeds]
    finally:
        scheduler.shutdown()
    assert all(t is not None for t in times)
    per_second = Counter(int(t.timestamp()) for t in times if t is not None)
    assert max(per_second.values()) <= 25  # 1000 feeds over 60 s: about 17 a second
    assert len(per_second) >= 55


async def yield_until(condition: object, rounds: int = 1000) -> None:
    for _ in range(rounds):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0)  # sync-ok: a yield to the other tasks, bounded by `rounds`


async def test_concurrency_is_bounded_per_server_and_overall() -> None:
    release = asyncio.Event()
    running: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    async def job(feed: Feed) -> FeedOutcome:
        host = feed.url.split("/")[2]
        running[host] += 1
        running["all"] += 1
        peak[host] = max(peak[host], running[host])
        peak["all"] = max(peak["all"], running["all"])
        await release.wait()
        running[host] -= 1
        running["all"] -= 1
        return FeedOutcome(feed.name)

    feeds = [Feed(f"a{i}", f"https://a.example/{i}.xml", 60) for i in range(10)]
    feeds += [Feed(f"b{i}", f"https://b.example/{i}.xml", 60) for i in range(10)]
    feeds += [Feed(f"c{i}", f"https://c{i}.example/feed.xml", 60) for i in range(10)]
    scheduler = FeedScheduler(feeds, job, concurrency=8, per_host=2)
    runs = [asyncio.create_task(scheduler._run(feed)) for feed in feeds]
    await yield_until(lambda: running["all"] == 8)
    assert running["all"] == 8
    assert running["a.example"] <= 2
    assert running["b.example"] <= 2
    release.set()
    await asyncio.gather(*runs)
    assert peak["all"] == 8
    assert peak["a.example"] == 2
    assert peak["b.example"] == 2


async def test_poll_now_moves_the_next_run_to_now() -> None:
    async def job(feed: Feed) -> FeedOutcome:
        return FeedOutcome(feed.name)

    feeds = [Feed("slow", "https://s.example/f.xml", 3600), Feed("x", "https://x.example/f", 3600)]
    scheduler = FeedScheduler(feeds, job)
    scheduler.start()
    try:
        before = scheduler.next_poll("x")
        assert scheduler.poll_now("x") == "started"
        after = scheduler.next_poll("x")
        assert scheduler.poll_now("nope") == "unknown"
    finally:
        scheduler.shutdown()
    assert before is not None
    assert after is not None
    assert after <= before
