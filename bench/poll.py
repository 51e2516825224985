"""Poller at scale: N synthetic feeds served locally, polled by the real scheduler and pipeline.

    python bench/poll.py [--feeds 10000] [--interval 60] [--cycles 4] [--workers 2]

A separate process serves N feeds (50 entries, ~40 KB each; 80 % send ETags, the rest only
change their body) and changes 10 % of them once per interval. This process runs the bot's
own FeedScheduler, process_feed, Storage (a temporary SQLite file), the shipped topics'
Matcher and a ProcessParser, exactly as `python -m bot` wires them. Per cycle it prints wall
time, CPU seconds (this process and the parser workers), polls, parses skipped by 304 or an
unchanged body, new items, peak resident memory, feeds per core-second, and how long a changed
feed took from the start of its poll to the end of matching (p50/p95/max). The first cycle
polls every feed for the first time (everything parsed and recorded): it is warm-up.

Baseline: a poller without conditional GET or body hashing parses every feed on every poll;
its cost is measured parse time × N, printed alongside.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalog import Feed, load_catalog  # noqa: E402
from bot.fetch import new_session  # noqa: E402
from bot.match import Matcher  # noqa: E402
from bot.models import FetchResult  # noqa: E402
from bot.parse import parse_feed  # noqa: E402
from bot.pipeline import FeedOutcome, ProcessParser, process_feed  # noqa: E402
from bot.polling import PollPolicy  # noqa: E402
from bot.scheduler import FeedScheduler  # noqa: E402
from bot.storage import Storage  # noqa: E402

ENTRIES = 50
WORDS = [
    *[
        "officials",
        "said",
        "talks",
        "would",
        "resume",
        "next",
        "week",
        "as",
        "ministers",
        "met",
        "in",
        "the",
        "capital",
    ],
    *[
        "to",
        "discuss",
        "energy",
        "supplies",
        "trade",
        "and",
        "security",
        "while",
        "markets",
        "watched",
        "closely",
    ],
    *["for", "signals", "of", "change"],
]


# -- the feed server (its own process, so its CPU is not counted) ---------------------------


def entry_xml(feed: int, number: int) -> str:
    rng = random.Random(feed * 100_003 + number)
    title = " ".join(rng.choice(WORDS) for _ in range(9)).capitalize()
    if rng.random() < 0.05:
        title = "Kyiv: " + title
    body = " ".join(rng.choice(WORDS) for _ in range(110))
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(1_700_000_000 + number * 60))
    return (
        f"<item><title>{title}</title><link>https://feeds.example/{feed}/{number}</link>"
        f"<guid>https://feeds.example/{feed}/{number}</guid><pubDate>{when}</pubDate>"
        f"<description>{body}</description></item>"
    )


def feed_xml(feed: int, version: int) -> bytes:
    newest = 1000 + version
    items = "".join(entry_xml(feed, n) for n in range(newest, newest - ENTRIES, -1))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://feeds.example/{feed}</link>"
        f"<description>synthetic</description><language>en</language>{items}</channel></rss>"
    ).encode()


def serve(feeds: int, interval: float, change: float, ready: Any) -> None:
    from aiohttp import web

    versions = [0] * feeds
    rng = random.Random(7)

    async def handler(request: web.Request) -> web.Response:
        feed = int(request.match_info["feed"])
        version = versions[feed]
        etag = f'"{feed}-{version}"' if feed % 5 else None  # every fifth: no validators
        if etag and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        headers = {"ETag": etag} if etag else {}
        return web.Response(
            body=feed_xml(feed, version), headers=headers, content_type="application/rss+xml"
        )

    async def changer() -> None:
        await asyncio.sleep(interval * 1.5)  # mid-way through the second cycle, then each one
        while True:
            for feed in rng.sample(range(feeds), int(feeds * change)):
                versions[feed] += 1
            await asyncio.sleep(interval)

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{feed}.xml", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        ready.put(runner.addresses[0][1])
        await changer()

    asyncio.run(main())


# -- measuring --------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def peak_rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@dataclass
class Cycle:
    polls: int = 0
    skipped: int = 0
    parsed: int = 0
    new_items: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def naive_parse_seconds(samples: int = 20) -> float:
    body = FetchResult("x", feed_xml(1, 0))
    start = time.process_time()
    for _ in range(samples):
        parse_feed("x", body)
    return (time.process_time() - start) / samples


async def run(args: argparse.Namespace) -> None:
    ready: Any = multiprocessing.get_context("spawn").Queue()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(args.feeds, args.interval, 0.1, ready), daemon=True
    )
    server.start()
    port = ready.get(timeout=60)
    catalog = load_catalog(ROOT / "config")
    matcher = Matcher(catalog)
    feeds = [
        Feed(f"f{i}", f"http://127.0.0.1:{port}/{i}.xml", args.interval) for i in range(args.feeds)
    ]
    cycles: defaultdict[int, Cycle] = defaultdict(Cycle)
    started = time.monotonic()
    parser = ProcessParser(args.workers)
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage.open(Path(folder) / "bench.sqlite3")
        async with new_session(timeout=20.0, connections=256) as http:

            async def job(feed: Feed) -> FeedOutcome:
                begin = time.monotonic()
                outcome = await process_feed(
                    feed,
                    http=http,
                    storage=storage,
                    matcher=matcher,
                    parser=parser,
                    policy=PollPolicy(),
                )
                cycle = cycles[int((begin - started) // args.interval)]
                cycle.polls += 1
                if outcome.error:
                    cycle.errors += 1
                elif outcome.not_modified:
                    cycle.skipped += 1
                else:
                    cycle.parsed += 1
                    cycle.new_items += outcome.new
                    cycle.latencies.append(time.monotonic() - begin)
                return outcome

            scheduler = FeedScheduler(feeds, job, concurrency=64, per_host=64)
            scheduler.start()
            naive = naive_parse_seconds()
            print(
                f"{args.feeds} feeds × {ENTRIES} entries (~{len(feed_xml(1, 0)) // 1024} KB), "
                f"interval {args.interval:.0f} s, 10 % change per cycle, {args.workers} parser processes"
            )
            print(
                f"baseline, parse every feed every poll: {naive * 1000:.1f} ms/parse × {args.feeds} = "
                f"{naive * args.feeds:.0f} CPU-s per cycle ({naive * args.feeds / args.interval:.2f} cores)"
            )
            header = "cycle  wall s  CPU s  cores  polls  skipped  parsed  new  errors  RSS MB  feeds/core-s  changed→matched p50/p95/max ms"
            print(header)
            last_cpu = 0.0
            for number in range(args.cycles):
                await asyncio.sleep(args.interval - ((time.monotonic() - started) % args.interval))
                pids = [os.getpid(), *parser.worker_pids()]
                cpu = cpu_seconds(pids)
                spent, last_cpu = cpu - last_cpu, cpu
                c = cycles[number]
                lat = [x * 1000 for x in c.latencies]
                label = f"{number + 1}{' (warm-up)' if number == 0 else ''}"
                print(
                    f"{label:<6} {args.interval:6.0f} {spent:6.1f} {spent / args.interval:6.2f} {c.polls:6d} "
                    f"{c.skipped:8d} {c.parsed:7d} {c.new_items:6d} {c.errors:7d} {peak_rss_mb(pids):7.0f} "
                    f"{c.polls / max(spent, 1e-9):13.0f}  {percentile(lat, 0.5):.0f}/{percentile(lat, 0.95):.0f}/{max(lat, default=0):.0f}"
                )
            scheduler.shutdown()
        storage.close()
    parser.close()
    server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--cycles", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
