"""Per-chat delivery settings: what they are, when an alert may reach the chat, and how the
settings read back to the user. Parsing what users type is in `chat_settings_parse`.

Pure: no storage, no clock of its own (every decision takes `now`, an aware datetime).

Settings, all in the chat's time zone (`/timezone Europe/Berlin`, default UTC):
- digest: "off" (each alert as it comes), "hourly" (at every full local hour) or "daily" at a
  local HH:MM; the alerts of the period arrive together as one message.
- quiet hours HH:MM-HH:MM (the end excluded; a range may cross midnight): alerts arrive
  without a notification sound, or with `hold` are kept back until the end of quiet hours.
- pause: until a moment, or until /resume; alerts are kept back, nothing is lost.

`release_at` combines them: an alert decided at `now` goes out right away (None) or at the
returned moment. Wall-clock times follow the tz database, so DST is handled: a local time
skipped by a spring-forward happens at the moment it would have been (02:30 → 03:30), and a
local time that happens twice (autumn) counts at its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Parsing lives in its own module; its names stay importable from here, where callers and
# tests have always found them.
from .chat_settings_parse import MAX_PAUSE as MAX_PAUSE
from .chat_settings_parse import SettingsError as SettingsError
from .chat_settings_parse import parse_clock as parse_clock
from .chat_settings_parse import parse_digest as parse_digest
from .chat_settings_parse import parse_duration as parse_duration
from .chat_settings_parse import parse_quiet as parse_quiet
from .chat_settings_parse import parse_timezone as parse_timezone

DIGEST_MODES = ("off", "hourly", "daily")
# A pause without an end: alerts wait for /resume. Far enough away to never come, near enough
# to be a valid timestamp everywhere.
UNTIL_RESUMED = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ChatSettings:
    """How and when one chat wants its alerts. Times are local wall-clock times."""

    timezone: str = "UTC"
    digest: str = "off"  # one of DIGEST_MODES
    digest_time: time | None = None  # for "daily"
    quiet_start: time | None = None
    quiet_end: time | None = None
    quiet_hold: bool = False  # hold alerts until the end of quiet hours (else: silent)
    paused: bool = False
    paused_until: datetime | None = None  # None while paused: until /resume

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None


# -- decisions -----------------------------------------------------------------------------


def next_local(clock: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first moment strictly after `after` when local time in `zone` reads `clock`."""
    local_day = after.astimezone(zone).date()
    for days in range(3):  # today, tomorrow, or (DST gap just skipped past) the day after
        candidate = datetime.combine(local_day + timedelta(days=days), clock, tzinfo=zone)
        moment = candidate.astimezone(UTC)  # a skipped time maps to where it would have been
        if moment > after:
            return moment
    raise AssertionError("a local time always recurs within three days")


def _next_full_hour(zone: ZoneInfo, after: datetime) -> datetime:
    """The next moment when local minutes read :00 (zones may be offset by 30 or 45 min)."""
    utc = after.astimezone(UTC)
    step = utc.replace(minute=utc.minute // 15 * 15, second=0, microsecond=0)
    for _ in range(8):
        step += timedelta(minutes=15)
        if step.astimezone(zone).minute == 0:
            return step
    raise AssertionError("every zone has a full hour within two hours")


def is_paused(settings: ChatSettings, now: datetime) -> bool:
    return settings.paused and (settings.paused_until is None or now < settings.paused_until)


def in_quiet_hours(settings: ChatSettings, now: datetime) -> bool:
    """Whether local time is inside the quiet range (start included, end excluded)."""
    if settings.quiet_start is None or settings.quiet_end is None:
        return False
    local = now.astimezone(settings.zone).time().replace(tzinfo=None)
    start, end = settings.quiet_start, settings.quiet_end
    if start < end:
        return start <= local < end
    return local >= start or local < end  # across midnight


def next_digest(settings: ChatSettings, after: datetime) -> datetime | None:
    """When the chat's next digest goes out (None: no digests)."""
    if settings.digest == "hourly":
        return _next_full_hour(settings.zone, after)
    if settings.digest == "daily" and settings.digest_time is not None:
        return next_local(settings.digest_time, settings.zone, after)
    return None


def release_at(settings: ChatSettings, now: datetime) -> datetime | None:
    """When an alert decided at `now` may go out: None for right away, else the moment when it
    goes out with the others kept back until then (one message). A pause ends first; then the
    next digest; a moment inside held quiet hours moves to their end."""
    moment = now
    if is_paused(settings, now):
        if settings.paused_until is None:
            return UNTIL_RESUMED
        moment = settings.paused_until
    digest = next_digest(settings, moment)
    if digest is not None:
        moment = digest
    if settings.quiet_hold and settings.quiet_end and in_quiet_hours(settings, moment):
        moment = next_local(settings.quiet_end, settings.zone, moment)
    return None if moment == now else moment


def is_silent(settings: ChatSettings, now: datetime) -> bool:
    """Whether a message sent now should make no sound: inside quiet hours."""
    return in_quiet_hours(settings, now)


# -- describing ----------------------------------------------------------------------------


def clock_text(clock: time) -> str:
    return clock.strftime("%H:%M")


def local_text(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """A moment as the chat reads it: "14:05" today, else "Sat 28 Nov 14:05"."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def digest_text(settings: ChatSettings) -> str:
    if settings.digest == "hourly":
        return "hourly, at every full hour"
    if settings.digest == "daily" and settings.digest_time is not None:
        return f"daily at {clock_text(settings.digest_time)}"
    return "off (each alert arrives as it comes)"


def quiet_text(settings: ChatSettings) -> str:
    if settings.quiet_start is None or settings.quiet_end is None:
        return "none"
    what = "alerts held until they end" if settings.quiet_hold else "alerts arrive silently"
    return f"{clock_text(settings.quiet_start)}–{clock_text(settings.quiet_end)}, {what}"


def pause_text(settings: ChatSettings, now: datetime, resume: str = "/resume") -> str:
    """Whether the chat is paused, and until when; `resume` is the command that ends it."""
    if not is_paused(settings, now):
        return "no"
    if settings.paused_until is None:
        return f"yes, until {resume}"
    return f"yes, until {local_text(settings.paused_until, settings.zone, now)}"
