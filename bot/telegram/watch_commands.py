"""Watch commands: `/watch <phrase>`, `/unwatch <phrase>`, `/watchlist`, and `/test <headline>`.

A watch is a chat's own keyword, like a Google Alert inside Telegram (see watches.py for how a
phrase matches). Replies are short, echo the phrase escaped, and say what to do next. The watch
commands apply to this chat, or, from a private chat, to a channel the user administers:
`/watch @channel <phrase>` (targets.py resolves it and checks the rights; adding a watch to a
channel needs the bot's right to post there). Changing this chat's watches is guarded like its
subscriptions (in a group: admins only). `/test @channel <headline>` tries the headline on the
channel's topics and watches and posts the result in the channel, with the same checks as
adding a watch there; the user is told in private whether it was posted.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence

from telegram import Chat, Update
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from ..catalog import Catalog
from ..match import Matcher
from ..storage import Storage
from ..text import shorten
from ..trial import trial_text
from ..watches import (
    PHRASE_LIMIT,
    WATCH_LIMIT,
    also_catches,
    normalise,
    same_watches,
    watch_problem,
)
from .channels import channel_argument
from .replies import reply
from .targets import Target, command_target, may_change_target

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
HEADLINE_PREVIEW = 80  # characters of the headline the private confirmation repeats
EXAMPLE_HEADLINE = "Putin meets NATO envoy as troops gather"


class WatchCommands:
    """Handlers for the watch commands and /test."""

    def __init__(
        self, storage: Storage, catalog: Callable[[], Catalog], matcher: Callable[[], Matcher]
    ) -> None:
        self._storage = storage
        self._catalog = catalog
        self._matcher = matcher

    def handlers(self) -> list[BaseHandler[Update, Context, object]]:
        return [
            CommandHandler("watch", self.watch),
            CommandHandler("unwatch", self.unwatch),
            CommandHandler("watchlist", self.watchlist),
            CommandHandler("test", self.test),
        ]

    async def watch(self, update: Update, context: Context) -> None:
        """Add a phrase this chat (or a named channel) wants alerts for."""
        target, phrase = await self._target(update, context, change=True, need_post=True)
        if target is None:
            return
        at = target.suffix
        if not phrase:
            await reply(
                update,
                f"What should I watch for? For example: /watch{at} Putin or "
                f"/watch{at} grain deal\n"
                f"Up to {WATCH_LIMIT} phrases per chat, {PHRASE_LIMIT} characters each.",
            )
            return
        problem = watch_problem(phrase)
        if problem is not None:
            await reply(update, f"{html.escape(problem)} For example: /watch{at} grain deal")
            return
        shown = _quoted(phrase)
        chat_id = target.chat_id
        same = same_watches(phrase, self._storage.watches(chat_id), self._catalog())
        result = "exists" if same else self._storage.add_watch(chat_id, phrase, WATCH_LIMIT)
        if result == "exists":
            existing = _list(same) if same and same != [phrase] else shown
            catches = f", which catches {shown} too" if existing != shown else ""
            text = (
                f"{target.name} already watches {existing}{catches}. "
                f"/watchlist{at} shows all its watches."
            )
        elif result == "full":
            text = (
                f"{target.name} has {WATCH_LIMIT} watches, the most I keep. "
                f"Remove one with /unwatch{at} &lt;phrase&gt; first; /watchlist{at} shows them."
            )
        else:
            others = also_catches(phrase, self._catalog())
            also = f" (also catches {', '.join(map(_quoted, others))})" if others else ""
            added = f"{target.name} now watches" if target.channel else "Watching"
            stop = f"/unwatch{at} {html.escape(phrase)}"
            # /test @channel posts in the channel, before its readers, so it is not suggested
            after = (
                f"Stop with {stop}"
                if target.channel
                else f"Try a headline with /test; stop with {stop}"
            )
            # Not target.where: a watch's alerts go to the chat, not to a forum thread
            where = f"in {target.name}" if target.channel else "here"
            text = (
                f"👁 {added} {shown}{also}. New items that mention it will arrive {where}.\n{after}"
            )
        await reply(update, text)

    async def unwatch(self, update: Update, context: Context) -> None:
        """Remove one of this chat's (or a named channel's) watches, or all of them."""
        target, phrase = await self._target(update, context, change=True)
        if target is None:
            return
        current = self._storage.watches(target.chat_id)
        if not phrase:
            listing = (
                f"{target.name} watches {_list(current)}." if current else "It watches nothing."
            )
            await reply(update, f"Which one? For example: /unwatch{target.suffix} Putin\n{listing}")
            return
        if phrase.lower() == "all":
            wanted = current
        else:  # every watch that catches what the phrase names, whatever its case or script
            wanted = same_watches(phrase, current, self._catalog())
        removed = self._storage.remove_watches(target.chat_id, wanted)
        if removed:
            where = f" in {target.name}" if target.channel else ""
            text = (
                f"🔕 Stopped watching {_list(removed)}{where}. "
                f"/watchlist{target.suffix} shows the rest."
            )
        else:
            text = f"{target.name} doesn't watch {_quoted(phrase)}. " + (
                f"It watches {_list(current)}." if current else "It watches nothing yet."
            )
        await reply(update, text)

    async def watchlist(self, update: Update, context: Context) -> None:
        """The phrases this chat (or a named channel) watches."""
        target, _ = await self._target(update, context, change=False)
        if target is None:
            return
        at = target.suffix
        current = self._storage.watches(target.chat_id)
        if not current:
            text = (
                f"{target.name} watches no phrases yet. Add your own keyword, like a Google "
                f"Alert: /watch{at} Putin"
            )
        else:
            lines = "\n".join(f"• {_quoted(p)}" for p in current)
            text = (
                f"👁 <b>{target.name} watches</b> ({len(current)} of {WATCH_LIMIT})\n{lines}\n\n"
                f"Add: /watch{at} &lt;phrase&gt; · remove: /unwatch{at} &lt;phrase&gt;"
            )
        await reply(update, text)

    async def test(self, update: Update, context: Context) -> None:
        """Which topics and watches would fire for a headline, and why: in this chat, or posted
        in a channel the user administers (`/test @channel <headline>`)."""
        self._remember(update)
        arguments = list(context.args or ())
        # Only a first @word names a channel: a headline may mention an @account itself.
        channel = arguments.pop(0) if arguments and arguments[0].startswith("@") else None
        target = await command_target(update, context, self._storage, channel, need_post=True)
        if target is None:
            return
        at = target.suffix
        headline = " ".join(arguments)
        if not headline.strip():
            await reply(
                update,
                f"Send a headline after /test{at} and I'll say which topics and watches fire, "
                f"e.g.\n/test{at} {html.escape(EXAMPLE_HEADLINE)}",
            )
            return
        text = trial_text(
            headline,
            self._matcher(),
            self._catalog(),
            self._storage.watches(target.chat_id),
            set(self._storage.subscriptions(target.chat_id)),
            suffix=at,
        )
        if target.channel:
            await _post_trial(update, context, target, headline, text)
        else:
            await reply(update, text)

    async def _target(
        self, update: Update, context: Context, *, change: bool, need_post: bool = False
    ) -> tuple[Target | None, str]:
        """The chat the command applies to (None: the user may not, and was told why) and
        the phrase its other arguments make."""
        self._remember(update)
        arguments, channel = channel_argument(context.args)
        target = await command_target(update, context, self._storage, channel, need_post=need_post)
        if target is None or (change and not await may_change_target(update, context, target)):
            return None, ""
        return target, normalise(" ".join(arguments))

    def _remember(self, update: Update) -> Chat:
        chat = update.effective_chat
        assert chat is not None  # command handlers only run for messages, which have a chat
        self._storage.remember_chat(chat.id, chat.type, chat.effective_name or "")
        return chat


async def _post_trial(
    update: Update, context: Context, target: Target, headline: str, text: str
) -> None:
    """Post a channel's trial in the channel, where its alerts would arrive (which shows the bot
    can post there), and tell the user in private whether it went."""
    shown = _quoted(shorten(headline, HEADLINE_PREVIEW))
    try:
        # Silent: a try-out is no news, and the channel's readers may be asleep.
        await context.bot.send_message(
            target.chat_id, text, parse_mode=ParseMode.HTML, disable_notification=True
        )
    except RetryAfter as exc:  # the channel's or the bot's sending limit
        log.info("test post throttled channel=%s retry_after=%s", target.name, exc.retry_after)
        await reply(
            update,
            f"Telegram asks me to wait before posting in {target.name} again. Try the test of "
            f"{shown} in a minute.",
        )
        return
    except TelegramError as exc:  # the rights changed since the check, or Telegram is down
        log.info("test post failed channel=%s: %s", target.name, exc)
        await reply(
            update,
            f"I couldn't post the test of {shown} in {target.name}. Check that I'm still an "
            "administrator there with the “Post messages” right, then try again.",
        )
        return
    await reply(update, f"🧪 Posted the test of {shown} in {target.name}.")


def _quoted(phrase: str) -> str:
    return f"“{html.escape(phrase)}”"


def _list(phrases: Sequence[str]) -> str:
    return ", ".join(map(_quoted, phrases))
