"""How a command handler answers: one short HTML message in the chat the command came from.

Shared by the command modules so every reply is sent the same way (HTML, not quoting the
command, nothing sent when the update carries no message). The one exception is the permission
guard's refusal (permissions.py), which may answer a button press instead of a message.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode


async def reply(update: Update, text: str) -> None:
    """Answer `update` with `text` (HTML; callers escape any user input it echoes)."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)
