"""The wording of the settings commands' replies: pure functions of a chat's settings, the
command's target and the clock (`now`), so the handlers in `settings_commands` only decide
which reply to send. Prompts (a command alone), confirmations of a change, and /settings.

A channel is named in its replies (" for @channel"); this chat goes without saying. Times are
shown in the target's own time zone.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from ..chat_settings import (
    UNTIL_RESUMED,
    ChatSettings,
    digest_text,
    local_text,
    next_digest,
    pause_text,
    quiet_text,
)
from ..chat_settings_parse import SettingsError
from .targets import Target


def settings_text(
    target: Target, settings: ChatSettings, held: int, release: float | None, now: datetime
) -> str:
    """The /settings reply: every setting, what the target has kept back, and how to change."""
    zone = settings.zone
    lines = [
        f"⚙️ <b>Settings for {target.subject}</b>",
        f"Time zone: {settings.timezone} (it is {local_text(now, zone, now)} there now)",
        f"Digest: {digest_text(settings)}{next_digest_text(settings, now)}",
        f"Quiet hours: {quiet_text(settings)}",
        f"Paused: {pause_text(settings, now, f'/resume{target.suffix}')}",
    ]
    if held:
        lines.append(
            f"Kept back: {held} alert{plural(held)}{arrival_text(target, settings, release, now)}"
        )
    return "\n".join(lines) + "\n\n" + change_hint(target)


def digest_prompt(target: Target, current: ChatSettings) -> str:
    """/digest alone: the digest now, and the ways to set it."""
    at = target.suffix
    return (
        f"Digest: {digest_text(current)}.\n"
        f"Choose /digest{at} daily 08:00 (one message a day), /digest{at} hourly, or "
        f"/digest{at} off (each alert as it comes). Times are in {current.timezone}."
    )


def timezone_prompt(target: Target, current: ChatSettings) -> str:
    """/timezone alone: the time zone now, and how to name another."""
    at = target.suffix
    return (
        f"{target.name}'s time zone is {current.timezone}. Set yours with an Area/City "
        f"name of the tz database, e.g. /timezone{at} Europe/Berlin or "
        f"/timezone{at} America/New_York."
    )


def quiet_prompt(target: Target, current: ChatSettings) -> str:
    """/quiet alone: the quiet hours now, and the ways to set or end them."""
    at = target.suffix
    return (
        f"Quiet hours: {quiet_text(current)}.\n"
        f"Set them with /quiet{at} 22:00-07:00 (alerts arrive silently) or "
        f"/quiet{at} 22:00-07:00 hold (alerts wait for the end, as one message); "
        f"/quiet{at} off ends them. Times are in {current.timezone}."
    )


def confirmation_text(
    text: str,
    target: Target,
    settings: ChatSettings,
    held: int,
    release: float | None,
    now: datetime,
) -> str:
    """A change's reply `text`, plus what the target has kept back and when it arrives, and,
    while the target is on UTC, how to set its own time zone."""
    if held:
        arrival = arrival_text(target, settings, release, now)
        text += f"\n{held} alert{plural(held)} kept back{arrival}."
    if settings.timezone == "UTC" and (settings.has_quiet_hours or settings.digest != "off"):
        text += (
            f"\nTimes are in UTC; set yours with /timezone{target.suffix} Europe/Berlin "
            "(for example)."
        )
    return text


def digest_changed(target: Target, settings: ChatSettings, now: datetime) -> str:
    """/digest's reply to a change: how alerts arrive now, and how to undo it."""
    at = target.suffix
    if settings.digest == "off":
        return (
            f"🔔 Digest off: each alert arrives{in_target(target)} as it comes. "
            f"/digest{at} daily 08:00 turns it on."
        )
    return (
        f"🗞 Digest {digest_text(settings)}, {settings.timezone} time: alerts are "
        f"collected and arrive{in_target(target)} together as one message"
        f"{next_digest_text(settings, now)}. /digest{at} off ends it."
    )


def timezone_changed(target: Target, settings: ChatSettings, now: datetime) -> str:
    """/timezone's reply to a change: the local time there now, and what follows the zone."""
    return (
        f"🕰 Time zone{for_target(target)} set to {settings.timezone}: it is "
        f"{local_text(now, settings.zone, now)} there now. Alert times, digests and quiet "
        f"hours follow it. /settings{target.suffix} shows them all."
    )


def quiet_changed(target: Target, settings: ChatSettings) -> str:
    """/quiet's reply to new quiet hours: the hours, the other way to have them, the way out."""
    at = target.suffix
    text = (
        f"🌙 Quiet hours{for_target(target)} set: {quiet_text(settings)} "
        f"({settings.timezone} time)."
    )
    if not settings.quiet_hold:
        text += f" To get them at the end instead: /quiet{at} {quiet_range(settings)} hold."
    return f"{text} /quiet{at} off ends them."


def quiet_ended(target: Target) -> str:
    """/quiet off's reply."""
    return (
        f"🔔 No quiet hours{for_target(target)}: alerts arrive{in_target(target)} as they "
        f"come. /quiet{target.suffix} 22:00-07:00 sets them."
    )


def paused_text(target: Target, settings: ChatSettings, now: datetime) -> str:
    """/pause's reply: until when, and that nothing is lost."""
    at = target.suffix
    until = settings.paused_until
    moment = None if until is None else local_text(until, settings.zone, now)
    when = (
        f"until you send /resume{at}"
        if moment is None
        else f"until {moment} ({settings.timezone}) or /resume{at}"
    )
    paused = f"Alerts for {target.name} paused" if target.channel else "Paused"
    return (
        f"⏸ {paused} {when}. "
        "No alert is lost: they arrive together as one message when the pause ends. "
        f"/settings{at} shows {target.subject}'s settings."
    )


def not_paused_text(target: Target) -> str:
    """/resume's reply when there is no pause to end."""
    return f"{target.name} is not paused. /pause{target.suffix} 2h pauses alerts for two hours."


def resumed_text(target: Target) -> str:
    """/resume's reply to ending a pause (what was kept back is added by confirmation_text)."""
    return (
        f"▶️ Resumed: alerts arrive{in_target(target)} again. "
        f"/settings{target.suffix} shows {target.subject}'s settings."
    )


def refusal_text(error: SettingsError) -> str:
    """Bad input: the reason (with the user's text, escaped) and what to type instead."""
    return "⚠️ " + html.escape(str(error), quote=False)


def next_digest_text(settings: ChatSettings, now: datetime) -> str:
    """When the next digest goes out ("; the next at 08:00"), or nothing without a digest."""
    upcoming = next_digest(settings, now)
    if upcoming is None:
        return ""
    return f"; the next at {local_text(upcoming, settings.zone, now)}"


def arrival_text(
    target: Target, settings: ChatSettings, release: float | None, now: datetime
) -> str:
    """When the alerts kept back arrive: now, at a local time, or at /resume."""
    if release is None or release <= now.timestamp():
        return ", arriving now as one message"
    if release >= UNTIL_RESUMED.timestamp():
        return f", arriving as one message when you /resume{target.suffix}"
    moment = datetime.fromtimestamp(release, UTC)
    return f", arriving at {local_text(moment, settings.zone, now)} as one message"


def quiet_range(settings: ChatSettings) -> str:
    """The quiet hours as typed in /quiet ("22:00-07:00"); only for a chat that has them."""
    start, end = settings.quiet_start, settings.quiet_end
    assert start is not None
    assert end is not None
    return f"{start:%H:%M}-{end:%H:%M}"


def for_target(target: Target) -> str:
    """Names a channel in a confirmation (" for @channel"); this chat goes without saying."""
    return f" for {target.name}" if target.channel else ""


def in_target(target: Target) -> str:
    """Where a channel's alerts arrive (" in @channel"); this chat's go without saying."""
    return f" in {target.name}" if target.channel else ""


def change_hint(target: Target) -> str:
    """The commands that change the target's settings."""
    at = target.suffix
    alone = f"with only {target.name}" if target.channel else "alone"
    return (
        f"Change with /digest{at}, /quiet{at}, /pause{at}, /resume{at} or /timezone{at} "
        f"(each {alone} shows how)."
    )


def plural(count: int) -> str:
    return "" if count == 1 else "s"
