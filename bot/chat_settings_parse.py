"""Parsing what users type into chat settings: time zones, times of day, quiet ranges, pause
lengths and /digest arguments.

Pure. Bad input raises SettingsError, whose message says what was wrong, quotes the user's text
(the caller escapes it for HTML) and gives an example of what to type instead. The settings
themselves and the decisions made from them are in `chat_settings`.
"""

from __future__ import annotations

import difflib
import re
from datetime import time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_PAUSE = timedelta(days=30)

_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?")
_RANGE = re.compile(r"\s*(\S+?)\s*(?:-|–|—|\bto\b)\s*(\S+)\s*")
_DURATION_PART = re.compile(r"(\d+)\s*(minutes?|mins?|m|hours?|h|days?|d)", re.IGNORECASE)
_DURATION = re.compile(rf"(?:\s*{_DURATION_PART.pattern})+\s*", re.IGNORECASE)
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


class SettingsError(ValueError):
    """Input that is not a valid setting; the message says why and what to type instead."""


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
