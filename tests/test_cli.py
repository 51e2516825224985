"""`python -m bot …` as an admin runs it: real subprocesses, real exit codes, real output."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage import Storage

from .conftest import TEST_TOKEN, feeds_toml
from .fake_bot_api import FakeBotAPI
from .feed_server import Entry, FeedServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "mixed.xml"


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update({"BOT_CONFIG_DIR": str(ROOT / "config"), "PYTHONPATH": str(ROOT)}, **values)
    return env


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_config_accepts_the_shipped_config() -> None:
    result = run("check-config")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert "russia-ukraine" in result.stdout


def test_check_config_names_file_key_and_problem(tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text(
        '[actors.putin]\nname = "Putin"\n[topics.crisis]\ntitle = "C"\nactors = ["putn"]\nkeywords = ["troops"]\n'
    )
    (tmp_path / "feeds.toml").write_text('[[feeds]]\nname = "A"\nurl = "not a url"\n')
    result = run("check-config", BOT_CONFIG_DIR=str(tmp_path))
    assert result.returncode == 1
    assert "topics.toml: topics.crisis.actors[0]: unknown actor 'putn'" in result.stderr
    assert (
        'feeds.toml: feeds[0] (name = "A").url: must be an http:// or https:// URL' in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_preview_json_explains_every_item() -> None:
    result = run("preview", "--json", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    by_link = {r["link"].rsplit("/", 1)[1]: r for r in records}
    assert set(by_link) == {"nato-sanctions", "bike-lanes", "kyiv-explosions"}

    nato = by_link["nato-sanctions"]
    assert "russia-ukraine" in nato["topics"]
    assert {"Vladimir Putin", "NATO"} <= set(nato["actors"])
    assert {"sanction", "troop"} <= set(nato["keywords"])
    assert nato["title"] == "NATO allies weigh new sanctions as Putin masses troops"
    assert "#russia_ukraine" in nato["alert"]

    assert by_link["kyiv-explosions"]["match_any"] == ["Kyiv"]
    bikes = by_link["bike-lanes"]
    assert bikes["topics"] == []
    assert bikes["actors"] == []
    assert bikes["alert"] is None


def test_preview_text_shows_decisions_and_alert_text() -> None:
    result = run("preview", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    assert "3 items, 2 match" in result.stdout
    assert "no match: City council approves new bike lanes" in result.stdout
    assert "actors: NATO (headline), Vladimir Putin (“Putin”, headline)" in result.stdout
    assert "│ https://wire.example.org/2022/02/nato-sanctions" in result.stdout


def test_preview_reports_an_unreadable_source_and_goes_on(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_text("<html>nope</html>")
    result = run("preview", str(tmp_path / "missing.xml"), str(junk), str(FIXTURE))
    assert result.returncode == 1
    assert "missing.xml" in result.stderr
    assert "junk.xml: not a readable RSS/Atom feed" in result.stderr
    assert "3 items, 2 match" in result.stdout


def test_without_a_token_the_bot_explains_how_to_get_one() -> None:
    result = run()
    assert result.returncode == 2
    assert "BOT_TOKEN is not set" in result.stderr
    assert "@BotFather" in result.stderr
    assert "python -m bot --console" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_named() -> None:
    result = run(BOT_ADMINS="alice,bob")
    assert result.returncode == 2
    assert "BOT_ADMINS" in result.stderr
    assert "Traceback" not in result.stderr


async def command(*args: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        env=environment(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.slow
async def test_a_rejected_token_is_reported_without_leaking_it(bot_api: FakeBotAPI) -> None:
    wrong = TEST_TOKEN.replace("TEST", "WRONG")
    process = await command(BOT_TOKEN=wrong, BOT_API_URL=bot_api.base_url, BOT_LOG_LEVEL="DEBUG")
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert "Telegram rejected BOT_TOKEN" in err.decode()
    assert wrong not in (out + err).decode()
    assert wrong.split(":")[1] not in (out + err).decode()


@pytest.mark.slow
async def test_console_mode_prints_new_matching_items(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    config = tmp_path / "console-config"
    config.mkdir()
    (config / "topics.toml").write_text((ROOT / "config" / "topics.toml").read_text())
    (config / "feeds.toml").write_text(feeds_toml({"Wire": feed_server.url("wire")}))
    feed_server.publish("wire", Entry("old", "Kyiv: an item already in the feed"))
    process = await command("--console", BOT_CONFIG_DIR=str(config), BOT_DB=str(tmp_path / "c.db"))
    try:
        await feed_server.wait_for_fetches("wire", 2)
        feed_server.publish("wire", Entry("new", "Blinken and Lavrov to meet in Geneva for talks"))
        feed_server.publish("wire", Entry("dull", "Bake sale raises funds for library"))
        assert process.stdout is not None
        output = ""
        while "#us_russia_diplomacy" not in output:
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, "console mode exited early"
            output += line.decode()
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    assert "Blinken and Lavrov to meet in Geneva for talks" in output
    assert "#us_russia_diplomacy" in output
    assert "already in the feed" not in output
    assert "Bake sale" not in output
    assert not (tmp_path / "c.db").exists(), "console mode keeps its own database"


def test_check_config_warns_about_rules_that_cannot_do_what_they_say(tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text(
        "[actors.putin]\n"
        'name = "Putin"\n'
        'aliases = ["Put\u0456n"]\n'  # a Cyrillic і pasted into a Latin name
        "[actors.kremlin]\n"
        'name = "Kremlin"\n'
        "[actors.moscow]\n"
        'name = "Moscow"\n'
        'aliases = ["Kremlin"]\n'
        "[topics.crisis]\n"
        'title = "C"\n'
        'actors = ["putin", "kremlin"]\n'
        'keywords = ["troops", "troops", "Champions League"]\n'
        'exclude = ["Champions League"]\n',
        encoding="utf-8",
    )
    (tmp_path / "feeds.toml").write_text('[[feeds]]\nname = "A"\nurl = "https://a.example/f"\n')
    result = run("check-config", BOT_CONFIG_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "OK" in out
    assert "actors.putin.aliases[0]: 'Putіn' mixes CYRILLIC and LATIN letters" in out
    assert "actors.moscow: alias 'kremlin' is shared with actor 'kremlin'" in out
    assert "actors.moscow: no topic lists this actor" in out
    assert "topics.crisis.keywords[1]: 'troops' is listed twice" in out
    assert "topics.crisis.keywords[2]: 'Champions League' is also an exclude term" in out


def test_feeds_lists_each_feeds_health(tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text('[topics.t]\ntitle = "T"\nmatch_any = ["Kyiv"]\n')
    (tmp_path / "feeds.toml").write_text(
        feeds_toml({"Wire": "https://wire.example/f.xml", "Fresh": "https://fresh.example/f.xml"})
    )
    db = tmp_path / "bot.sqlite3"
    storage = Storage.open(db)
    storage.record_poll("Wire", "https://wire.example/f.xml", [], [])
    storage.record_failure("Wire", "https://wire.example/f.xml", "HTTP 503 Service Unavailable")
    storage.close()
    result = run("feeds", BOT_CONFIG_DIR=str(tmp_path), BOT_DB=str(db))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "feed", "status", "last", "success", "next", "poll", "items", "failures", "last", "error",
    ]  # fmt: skip
    wire = next(line for line in lines if line.startswith("Wire"))
    assert "failing" in wire
    assert "HTTP 503 Service Unavailable" in wire
    fresh = next(line for line in lines if line.startswith("Fresh"))
    assert "new" in fresh
    assert "never" in fresh


def test_the_token_can_come_from_a_file_and_a_missing_file_is_named(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text(f"{TEST_TOKEN}\n")
    settings = Settings(_env_file=None, token_file=secret)  # type: ignore[call-arg]
    assert settings.token_value == TEST_TOKEN
    result = run(BOT_TOKEN_FILE=str(tmp_path / "absent"))
    assert result.returncode == 2
    assert f"cannot read BOT_TOKEN_FILE {tmp_path / 'absent'}" in result.stderr
    assert "Traceback" not in result.stderr
