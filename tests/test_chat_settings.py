"""Chat settings input and timing decisions: table tests with an explicit `now`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.chat_settings import (
    UNTIL_RESUMED,
    ChatSettings,
    SettingsError,
    in_quiet_hours,
    next_digest,
    parse_clock,
    parse_digest,
    parse_duration,
    parse_quiet,
    parse_timezone,
    release_at,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:05", time(7, 5)),
        ("7", time(7)),
        (" 23:59 ", time(23, 59)),
        ("00:00", time(0)),
    ],
)
def test_clock_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("25:00", "hours go from 00 to 23"),
        ("24:00", "midnight is 00:00"),
        ("12:60", "minutes from 00 to 59"),
        ("noon", "Write it as HH:MM"),
        ("7:5", "Write it as HH:MM"),
        ("", "Write it as HH:MM"),
    ],
)
def test_bad_clock_times_say_what_to_write(text: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("UTC", "UTC"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("America/New York", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),  # renamed in the tz database: the current name is kept
        ("Etc/GMT+3", "Etc/GMT+3"),  # a fixed offset written the tz database's way is taken
    ],
)
def test_time_zones_from_the_tz_database(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Mars/Olympus", "not a time zone I know"),
        ("Europe/Berlinn", "Did you mean Europe/Berlin"),
        ("../../etc/passwd", "Area/City"),
        ("Berlin", "Did you mean Europe/Berlin?"),
        ("localtime", "not a time zone I know"),
        ("", "not a time zone"),
        ("Kiev", "Did you mean Europe/Kyiv\\?"),
        ("GMT+3", "offset, and offsets do not follow summer time"),
        ("UTC-5:30", "offset"),
        ("+3", "offset"),
        ("MSK", "If you mean Europe/Moscow"),  # not MST, the nearest spelling
        ("PST", "If you mean America/Los_Angeles"),
        ("CET", "If you mean Europe/Berlin"),  # the legacy CET zone has no city's rules
        ("x" * 4000, "^“x{40}…” is not"),  # the echo is capped
    ],
)
def test_unknown_time_zones_are_refused_with_a_hint(text: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        parse_timezone(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("90 minutes", timedelta(minutes=90)),
        ("2 hours", timedelta(hours=2)),
        ("3D", timedelta(days=3)),
        ("30d", timedelta(days=30)),
    ],
)
def test_pause_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-2h", "negative"),
        ("0m", "at least a minute"),
        ("31d", "at most 30 days"),
        ("99999999999999999999d", "at most 30 days"),  # too large for a timedelta
        ("2 weeks", "not a duration"),
        ("soon", "not a duration"),
        ("2", "not a duration"),
        ("h2", "not a duration"),
    ],
)
def test_bad_durations_say_what_to_write(text: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-07:00", (time(22), time(7))),
        ("22:00 - 07:00", (time(22), time(7))),
        ("22–7", (time(22), time(7))),
        ("13:00 to 14:30", (time(13), time(14, 30))),
    ],
)
def test_quiet_ranges(text: str, expected: tuple[time, time]) -> None:
    assert parse_quiet(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("22:00", "not a range"),
        ("25:00-07:00", "hours go from 00 to 23"),
        ("07:00-07:00", "different times"),
        ("late-early", "not a time of day"),
    ],
)
def test_bad_quiet_ranges(text: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        parse_quiet(text)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["off"], ("off", None)),
        (["Hourly"], ("hourly", None)),
        (["daily", "08:00"], ("daily", time(8))),
        (["08:00"], ("daily", time(8))),
    ],
)
def test_digest_arguments(words: list[str], expected: tuple[str, time | None]) -> None:
    assert parse_digest(words) == expected


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ([], "Choose off, hourly or daily"),
        (["daily"], "At what time"),
        (["daily", "25:00"], "hours go from 00 to 23"),
        (["weekly"], "not a digest setting"),
        (["hourly", "08:00"], "not a digest setting"),
    ],
)
def test_bad_digest_arguments(words: list[str], reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        parse_digest(words)


BERLIN = "Europe/Berlin"
NIGHT = ChatSettings(timezone=BERLIN, quiet_start=time(22), quiet_end=time(7))
LUNCH = ChatSettings(quiet_start=time(12), quiet_end=time(13))


@pytest.mark.parametrize(
    ("settings", "now", "quiet"),
    [
        (NIGHT, "2026-01-10T20:59", False),  # 21:59 in Berlin (UTC+1)
        (NIGHT, "2026-01-10T21:00", True),  # 22:00: the start is included
        (NIGHT, "2026-01-10T23:30", True),  # after midnight
        (NIGHT, "2026-01-11T05:59", True),
        (NIGHT, "2026-01-11T06:00", False),  # 07:00: the end is excluded
        (NIGHT, "2026-07-10T20:00", True),  # summer: 22:00 in Berlin is 20:00 UTC
        (LUNCH, "2026-01-10T12:30", True),
        (LUNCH, "2026-01-10T13:00", False),
        (ChatSettings(), "2026-01-10T12:30", False),
    ],
)
def test_quiet_hours_in_the_chats_zone(settings: ChatSettings, now: str, quiet: bool) -> None:
    assert in_quiet_hours(settings, utc(now)) is quiet


DAILY_8 = ChatSettings(timezone=BERLIN, digest="daily", digest_time=time(8))
HOURLY_INDIA = ChatSettings(timezone="Asia/Kolkata", digest="hourly")
DST_NIGHT = ChatSettings(timezone=BERLIN, digest="daily", digest_time=time(2, 30))


@pytest.mark.parametrize(
    ("settings", "after", "expected"),
    [
        (DAILY_8, "2026-01-10T06:59", "2026-01-10T07:00"),
        (DAILY_8, "2026-01-10T07:00", "2026-01-11T07:00"),  # strictly after
        (DAILY_8, "2026-07-10T07:00", "2026-07-11T06:00"),  # summer time
        (DAILY_8, "2026-03-28T12:00", "2026-03-29T06:00"),  # across the spring change
        (HOURLY_INDIA, "2026-01-10T10:05", "2026-01-10T10:30"),  # IST is UTC+5:30
        (HOURLY_INDIA, "2026-01-10T10:30", "2026-01-10T11:30"),
        # 02:30 does not exist on 29 March in Berlin: the digest goes when it would have been.
        (DST_NIGHT, "2026-03-28T12:00", "2026-03-29T01:30"),
        # 02:30 happens twice on 25 October: once, at the first.
        (DST_NIGHT, "2026-10-24T12:00", "2026-10-25T00:30"),
        (DST_NIGHT, "2026-10-25T00:30", "2026-10-26T01:30"),
    ],
)
def test_next_digest(settings: ChatSettings, after: str, expected: str) -> None:
    assert next_digest(settings, utc(after)) == utc(expected)


HOLD_NIGHT = ChatSettings(timezone=BERLIN, quiet_start=time(22), quiet_end=time(7), quiet_hold=True)
PAUSED = ChatSettings(paused=True, paused_until=utc("2026-01-10T15:00"))


@pytest.mark.parametrize(
    ("settings", "now", "expected"),
    [
        (ChatSettings(), "2026-01-10T12:00", None),
        (NIGHT, "2026-01-10T23:00", None),  # quiet without hold: sent now, silently
        (HOLD_NIGHT, "2026-01-10T23:00", "2026-01-11T06:00"),  # held until 07:00 Berlin
        (HOLD_NIGHT, "2026-01-10T12:00", None),
        (PAUSED, "2026-01-10T12:00", "2026-01-10T15:00"),
        (PAUSED, "2026-01-10T15:00", None),  # the pause is over
        (ChatSettings(paused=True), "2026-01-10T12:00", UNTIL_RESUMED.isoformat()[:16]),
        (DAILY_8, "2026-01-10T12:00", "2026-01-11T07:00"),
        # paused until 15:00, then the next digest
        (
            ChatSettings(digest="hourly", paused=True, paused_until=utc("2026-01-10T15:00")),
            "2026-01-10T12:00",
            "2026-01-10T16:00",
        ),
        # an hourly digest due inside held quiet hours waits for their end
        (
            ChatSettings(
                digest="hourly", quiet_start=time(22), quiet_end=time(6, 30), quiet_hold=True
            ),
            "2026-01-10T21:10",
            "2026-01-11T06:30",
        ),
    ],
)
def test_release_at(settings: ChatSettings, now: str, expected: str | None) -> None:
    assert release_at(settings, utc(now)) == (None if expected is None else utc(expected))
