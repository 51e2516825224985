"""newsbot: polls news feeds, matches actors and keywords, and alerts Telegram chats.

Data flows one way: poll → parse → dedupe → match → summarise → deliver.
"""

__version__ = "0.1.0"
