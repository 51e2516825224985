"""Command line: `python -m bot [--console]`, `python -m bot check-config`, `python -m bot feeds`,
`python -m bot preview [--json] SOURCE...`. Parses argv, builds Settings, calls `app`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from telegram.error import InvalidToken, NetworkError, TelegramError

from .app import run_bot, run_console
from .catalog import Catalog, load_catalog
from .errors import ConfigError
from .feed_report import feed_lines, render_text
from .logs import RedactingFormatter, setup_logging
from .preview import preview
from .settings import Settings
from .storage import Storage

NO_TOKEN = """\
BOT_TOKEN is not set, so the bot cannot connect to Telegram.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps.
Then put it in the environment or in a .env file next to where you run the bot:

    BOT_TOKEN=123456:ABC...   (the token BotFather gave you)

To watch the bot poll and match feeds without Telegram, run console mode:

    python -m bot --console
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            if error["loc"]:
                name = "BOT_" + "_".join(str(p) for p in error["loc"]).upper()
                print(f"setting {name}: {error['msg']}", file=sys.stderr)
            else:
                print(f"settings: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    secrets = [settings.token_value or ""]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    setup_logging(settings.log_level, secrets, fmt=settings.log_format)
    redact = RedactingFormatter("%(message)s", secrets).redact
    try:
        if args.command == "check-config":
            return _check_config(settings)
        if args.command == "feeds":
            return _feeds(settings)
        if args.command == "preview":
            catalog = load_catalog(settings.config_dir, settings.feed_interval)
            return asyncio.run(
                preview(args.sources, catalog, as_json=args.json, out=sys.stdout, err=sys.stderr)
            )
        if args.console:
            return _until_signal(lambda stop: run_console(settings, stop, sys.stdout))
        if not settings.token_value:
            print(NO_TOKEN, file=sys.stderr)
            return 2
        return _until_signal(lambda stop: run_bot(settings, stop))
    except ConfigError as exc:
        print(f"The configuration has problems:\n{exc}", file=sys.stderr)
        if any(problem.message == "file not found" for problem in exc.problems):
            print(
                f"(looked in {settings.config_dir.absolute()}; set BOT_CONFIG_DIR to the folder "
                "holding topics.toml and feeds.toml)",
                file=sys.stderr,
            )
        return 1
    except InvalidToken:
        print("Telegram rejected BOT_TOKEN. Check it with @BotFather (/token).", file=sys.stderr)
        return 1
    except NetworkError as exc:
        print(redact(f"Cannot reach the Bot API at {settings.api_url}: {exc}"), file=sys.stderr)
        return 1
    except TelegramError as exc:
        print(redact(f"Telegram error: {exc}"), file=sys.stderr)
        return 1


def _check_config(settings: Settings) -> int:
    catalog = load_catalog(settings.config_dir, settings.feed_interval)
    print(
        f"{settings.config_dir}: OK: {len(catalog.topics)} topics "
        f"({', '.join(catalog.topics)}), {len(catalog.actors)} actors, {len(catalog.feeds)} feeds"
    )
    if note := _article_note(catalog, settings):
        print(note)
    if catalog.warnings:
        print(f"{len(catalog.warnings)} warning(s): legal, but probably not what you meant:")
        for warning in catalog.warnings:
            print(f"  warning: {warning}")
    return 0


def _feeds(settings: Settings) -> int:
    catalog = load_catalog(settings.config_dir, settings.feed_interval)
    if not settings.db.exists():
        print(f"No database at {settings.db} yet: the bot has not polled any feed.")
        states = {}
    else:
        storage = Storage.open(settings.db)
        try:
            states = {state.name: state for state in storage.feed_states()}
        finally:
            storage.close()
    print(render_text(feed_lines(catalog.feeds, states, datetime.now(UTC))))
    if note := _article_note(catalog, settings):
        print(note)
    return 0


def _article_note(catalog: Catalog, settings: Settings) -> str | None:
    """Which feeds read article pages (`fetch_article = true`), and the time they get."""
    names = [feed.name for feed in catalog.feeds if feed.fetch_article]
    if not names:
        return None
    return (
        f"Article pages of title-only items are fetched for {len(names)} feed(s), "
        f"{settings.article_timeout:g} s per poll at most: {', '.join(names)}"
    )


def _until_signal(start: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> int:
    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await start(stop)

    asyncio.run(runner())
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="News alerts for Telegram from RSS/Atom feeds."
    )
    parser.add_argument(
        "--console", action="store_true", help="poll and match, print alerts; no Telegram needed"
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("check-config", help="validate config/*.toml and exit")
    commands.add_parser("feeds", help="list every feed: last success, errors, next poll, items")
    show = commands.add_parser("preview", help="show what the matcher decides for feeds")
    show.add_argument("--json", action="store_true", help="one JSON object per item per line")
    show.add_argument("sources", nargs="+", metavar="SOURCE", help="feed file path or URL")
    return parser


def _exit_quietly_on_closed_pipe() -> int:
    """`python -m bot preview … | head` closes our stdout early: that is not an error."""
    try:
        return main()
    except BrokenPipeError:
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(_exit_quietly_on_closed_pipe())
