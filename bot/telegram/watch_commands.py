"""Watch commands: `/watch <phrase>`, `/unwatch <phrase>`, `/watchlist`, and `/test <headline>`.

A watch is a chat's own keyword, like a Google Alert inside Telegram (see watches.py for how a
phrase matches). Replies are short, echo the phrase escaped, and say what to do next. The
changing handlers (`watch`, `unwatch`) each start by identifying the chat, where a permission
check can go.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from telegram import Chat, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from ..catalog import Catalog
from ..match import Matcher
from ..storage import Storage
from ..trial import trial_text
from ..watches import (
    PHRASE_LIMIT,
    WATCH_LIMIT,
    also_catches,
    normalise,
    same_watches,
    watch_problem,
)
from .permissions import may_change

Context = ContextTypes.DEFAULT_TYPE
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
        """Add a phrase this chat wants alerts for."""
        if not await may_change(update, context):  # in a group: its admins only
            return
        chat = self._remember(update)
        phrase = normalise(" ".join(context.args or ()))
        if not phrase:
            await _reply(
                update,
                "What should I watch for? For example: /watch Putin or /watch grain deal\n"
                f"Up to {WATCH_LIMIT} phrases per chat, {PHRASE_LIMIT} characters each.",
            )
            return
        problem = watch_problem(phrase)
        if problem is not None:
            await _reply(update, f"{html.escape(problem)} For example: /watch grain deal")
            return
        shown = _quoted(phrase)
        same = same_watches(phrase, self._storage.watches(chat.id), self._catalog())
        result = "exists" if same else self._storage.add_watch(chat.id, phrase, WATCH_LIMIT)
        if result == "exists":
            existing = _list(same) if same and same != [phrase] else shown
            text = (
                f"This chat already watches {existing}, which catches {shown} too. "
                "/watchlist shows all its watches."
                if existing != shown
                else f"This chat already watches {shown}. /watchlist shows all its watches."
            )
        elif result == "full":
            text = (
                f"This chat has {WATCH_LIMIT} watches, the most I keep. "
                "Remove one with /unwatch &lt;phrase&gt; first; /watchlist shows them."
            )
        else:
            others = also_catches(phrase, self._catalog())
            also = f" (also catches {', '.join(map(_quoted, others))})" if others else ""
            text = (
                f"👁 Watching {shown}{also}. New items that mention it will arrive here.\n"
                f"Try a headline with /test; stop with /unwatch {html.escape(phrase)}"
            )
        await _reply(update, text)

    async def unwatch(self, update: Update, context: Context) -> None:
        """Remove one of this chat's watches, or all of them."""
        if not await may_change(update, context):  # in a group: its admins only
            return
        chat = self._remember(update)
        phrase = normalise(" ".join(context.args or ()))
        current = self._storage.watches(chat.id)
        if not phrase:
            listing = f"This chat watches {_list(current)}." if current else "It watches nothing."
            await _reply(update, f"Which one? For example: /unwatch Putin\n{listing}")
            return
        if phrase.lower() == "all":
            wanted = current
        else:  # every watch that catches what the phrase names, whatever its case or script
            wanted = same_watches(phrase, current, self._catalog())
        removed = self._storage.remove_watches(chat.id, wanted)
        if removed:
            text = f"🔕 Stopped watching {_list(removed)}. /watchlist shows the rest."
        else:
            text = f"This chat doesn't watch {_quoted(phrase)}. " + (
                f"It watches {_list(current)}." if current else "It watches nothing yet."
            )
        await _reply(update, text)

    async def watchlist(self, update: Update, context: Context) -> None:
        """The phrases this chat watches."""
        chat = self._remember(update)
        current = self._storage.watches(chat.id)
        if not current:
            text = (
                "This chat watches no phrases yet. Add your own keyword, like a Google Alert: "
                "/watch Putin"
            )
        else:
            lines = "\n".join(f"• {_quoted(p)}" for p in current)
            text = (
                f"👁 <b>This chat watches</b> ({len(current)} of {WATCH_LIMIT})\n{lines}\n\n"
                "Add: /watch &lt;phrase&gt; · remove: /unwatch &lt;phrase&gt;"
            )
        await _reply(update, text)

    async def test(self, update: Update, context: Context) -> None:
        """Which topics and watches would fire for a headline, and why."""
        chat = self._remember(update)
        headline = " ".join(context.args or ())
        if not headline.strip():
            await _reply(
                update,
                "Send a headline after /test and I'll say which topics and watches fire, e.g.\n"
                f"/test {html.escape(EXAMPLE_HEADLINE)}",
            )
            return
        text = trial_text(
            headline,
            self._matcher(),
            self._catalog(),
            self._storage.watches(chat.id),
            set(self._storage.subscriptions(chat.id)),
        )
        await _reply(update, text)

    def _remember(self, update: Update) -> Chat:
        chat = update.effective_chat
        assert chat is not None  # command handlers only run for messages, which have a chat
        self._storage.remember_chat(chat.id, chat.type, chat.effective_name or "")
        return chat


def _quoted(phrase: str) -> str:
    return f"“{html.escape(phrase)}”"


def _list(phrases: Sequence[str]) -> str:
    return ", ".join(map(_quoted, phrases))


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)
