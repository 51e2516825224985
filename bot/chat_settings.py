"""Per-chat delivery settings: the input users type, and when an alert may reach the chat.

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

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DIGEST_MODES = ("off", "hourly", "daily")
MAX_PAUSE = timedelta(days=30)
# A pause without an end: alerts wait for /resume. Far enough away to never come, near enough
# to be a valid timestamp everywhere.
UNTIL_RESUMED = datetime(9999, 1, 1, tzinfo=UTC)

_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?")
_RANGE = re.compile(r"\s*(\S+?)\s*(?:-|–|—|\bto\b)\s*(\S+)\s*")
_DURATION_PART = re.compile(r"(\d+)\s*(minutes?|mins?|m|hours?|h|days?|d)", re.IGNORECASE)
_DURATION = re.compile(rf"(?:\s*{_DURATION_PART.pattern})+\s*", re.IGNORECASE)
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


class SettingsError(ValueError):
    """Input that is not a valid setting; the message says why and what to type instead."""


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


# -- parsing what users type ---------------------------------------------------------------


# In the tz directory, but not zones a user means: the host's own setting, and placeholders.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zone_names() -> dict[str, str]:
    """Every tz database name, by its case-folded spelling."""
    return {name.casefold(): name for name in available_timezones() - _NOT_ZONES}


# Abbreviations people type for a zone: the city zone they most likely mean (with its summer
# time). The tz database's own legacy zones by these names (EST, CET...) have none, or the
# wrong one, so they are suggested away rather than accepted.
_ABBREVIATIONS = {
    "msk": "Europe/Moscow",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "eet": "Europe/Kyiv",
    "eest": "Europe/Kyiv",
    "wet": "Europe/Lisbon",
    "bst": "Europe/London",
    "ist": "Asia/Kolkata",
    "est": "America/New_York",
    "edt": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "aest": "Australia/Sydney",
    "hst": "Pacific/Honolulu",
    "met": "Europe/Paris",
}
# Zones the tz database renamed: the old name still loads, the new one is what people expect.
_RENAMED = {
    "Europe/Kiev": "Europe/Kyiv",
    "Europe/Uzhgorod": "Europe/Kyiv",
    "Europe/Zaporozhye": "Europe/Kyiv",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Katmandu": "Asia/Kathmandu",
}
_OFFSET = re.compile(r"(?:utc|gmt)?\s*[+\-−]\s*\d{1,2}(?::?\d{2})?", re.IGNORECASE)
_ECHO_LIMIT = 40  # characters of the user's input quoted back


def parse_timezone(text: str) -> str:
    """The tz database name for `text` ("europe/berlin" → "Europe/Berlin", "Kiev" → a hint
    for "Europe/Kyiv"); abbreviations and bare offsets are refused with the zone meant."""
    wanted = "_".join(text.split())  # "America/New York" → "America/New_York"
    typed = " ".join(text.split())
    shown = typed if len(typed) <= _ECHO_LIMIT else typed[:_ECHO_LIMIT] + "…"
    if _OFFSET.fullmatch(text.strip()):
        raise SettingsError(
            f"“{shown}” is an offset, and offsets do not follow summer time. Send the zone of a "
            "city instead, e.g. /timezone Europe/Moscow (UTC+3) or /timezone America/New_York."
        )
    if (meant := _ABBREVIATIONS.get(wanted.casefold())) is not None:
        raise SettingsError(
            f"“{shown}” is an abbreviation, and several places share most of them. If you mean "
            f"{meant}, send /timezone {meant}; otherwise the Area/City of your place."
        )
    name = _zone_names().get(wanted.casefold())
    if name is None:
        raise SettingsError(
            f"“{shown}” is not a time zone I know.{_suggestions(wanted)} Use an Area/City name "
            "from the tz database, for example Europe/Berlin, America/New_York or Asia/Tokyo."
        )
    name = _RENAMED.get(name, name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # listed, yet not loadable: a broken install
        raise SettingsError(f"The time zone {name} cannot be loaded here; try another.") from None
    return name


def _suggestions(wanted: str) -> str:
    """ " Did you mean …?" for a city name or a near miss; nothing for short guesses, where
    spelling similarity picks unrelated zones (MSK → MST)."""
    names = sorted(_zone_names().values())
    city = "/" + wanted.casefold()
    found = [_RENAMED.get(n, n) for n in names if n.casefold().endswith(city)]
    suggestions = list(dict.fromkeys(found))[:3]
    if not suggestions and len(wanted) > 5:
        suggestions = difflib.get_close_matches(wanted, names, n=3)
    return f" Did you mean {', '.join(suggestions)}?" if suggestions else ""


def parse_clock(text: str) -> time:
    """A local time of day: "7", "07:30", "23:05"."""
    found = _CLOCK.fullmatch(text.strip())
    if found is None:
        raise SettingsError(f"“{text}” is not a time of day. Write it as HH:MM, e.g. 07:30.")
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if hour > 23 or minute > 59:
        raise SettingsError(
            f"“{text}” is not a time of day: hours go from 00 to 23 and minutes from 00 to 59 "
            "(midnight is 00:00)."
        )
    return time(hour, minute)


def parse_quiet(text: str) -> tuple[time, time]:
    """A quiet range "22:00-07:00" (may cross midnight; the end is excluded)."""
    if not text.strip():
        raise SettingsError("Which hours? Write them like 22:00-07:00.")
    found = _RANGE.fullmatch(text)
    if found is None:
        raise SettingsError(f"“{text}” is not a range of hours. Write it like 22:00-07:00.")
    start, end = parse_clock(found.group(1)), parse_clock(found.group(2))
    if start == end:
        raise SettingsError("Quiet hours must start and end at different times, e.g. 22:00-07:00.")
    return start, end


def parse_duration(text: str) -> timedelta:
    """A pause length: "30m", "2h", "1d", "1h30m", "90 minutes"; at most MAX_PAUSE."""
    cleaned = text.strip()
    if cleaned.startswith("-"):
        raise SettingsError(f"“{cleaned}” is negative: a pause lasts a positive time, e.g. 2h.")
    if not _DURATION.fullmatch(cleaned):
        raise SettingsError(
            f"“{cleaned}” is not a duration. Use minutes, hours or days: 30m, 2h, 1d, 1h30m."
        )
    parts = _DURATION_PART.finditer(cleaned)
    try:
        total = sum((int(p.group(1)) * _UNIT[p.group(2)[0].lower()] for p in parts), timedelta())
    except OverflowError:  # "99999999999999999999d": longer than any pause could be
        total = MAX_PAUSE + timedelta(days=1)
    if total <= timedelta():
        raise SettingsError("A pause must last at least a minute, e.g. /pause 30m.")
    if total > MAX_PAUSE:
        raise SettingsError(
            "A pause lasts at most 30 days. Without a duration, /pause lasts until /resume."
        )
    return total


def parse_digest(words: list[str]) -> tuple[str, time | None]:
    """`/digest` arguments: "off", "hourly", "daily 08:00" (or just "08:00")."""
    if not words:
        raise SettingsError("Choose off, hourly or daily HH:MM, e.g. /digest daily 08:00.")
    mode = words[0].casefold()
    if mode in {"off", "hourly"} and len(words) == 1:
        return mode, None
    if mode == "daily" and len(words) == 2:
        return "daily", parse_clock(words[1])
    if mode == "daily":
        raise SettingsError("At what time? For example: /digest daily 08:00.")
    if len(words) == 1 and _CLOCK.fullmatch(words[0]):
        return "daily", parse_clock(words[0])
    raise SettingsError(
        f"“{' '.join(words)}” is not a digest setting. Choose /digest off, /digest hourly or "
        "/digest daily 08:00."
    )


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
