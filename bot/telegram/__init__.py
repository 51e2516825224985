"""The Telegram side of the bot: chat commands, membership tracking and the error handler."""
