"""newsbot: polls news feeds, matches actors and keywords, and alerts Telegram chats.

Data flows one way: poll → parse → dedupe → match → summarise → deliver.
"""

import os

__version__ = "0.1.0"

# python-telegram-bot 22 reports time periods (RetryAfter.retry_after, …) as ints with a
# deprecation warning on every use unless this opts in to timedeltas, its next major version's
# behaviour. Opting in for the whole process keeps the code ready for PTB 23 and the logs clean.
os.environ.setdefault("PTB_TIMEDELTA", "true")
