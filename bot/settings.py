"""Runtime settings, read from the environment and `.env` (every variable starts with BOT_).

Only `app` and `__main__` build a Settings; everything else receives values as arguments.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .polling import PollPolicy

DEFAULT_API_URL = "https://api.telegram.org/bot"
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


class Settings(BaseSettings):
    """Everything an operator may set; see `.env.example` for the documented list."""

    model_config = SettingsConfigDict(
        env_prefix="BOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = Field(default=None, description="Bot token from @BotFather")
    token_file: Path | None = Field(
        default=None, description="File holding the token (container secrets); BOT_TOKEN wins"
    )
    api_url: str = Field(
        default=DEFAULT_API_URL, description="Bot API base URL; the token is appended to it"
    )
    db: Path = Field(default=Path("data/newsbot.sqlite3"), description="SQLite database file")
    config_dir: Path = Field(default=Path("config"), description="Folder of the TOML config")
    admins: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), description="Comma-separated Telegram user ids of the bot's admins"
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    feed_interval: int = Field(
        default=60, ge=1, description="Seconds between polls of a feed without its own interval"
    )
    fetch_timeout: float = Field(default=20.0, gt=0, description="Seconds for one feed request")
    fetch_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest feed accepted, decoded bytes"
    )
    max_item_age_hours: float = Field(
        default=48, gt=0, description="New items published longer ago are recorded, not alerted"
    )
    flood_limit: int = Field(
        default=5, ge=1, description="Most alerts per poll from a feed that suddenly looks all new"
    )
    keep_seen_days: int = Field(
        default=90, ge=1, description="Days an item no longer in its feed is remembered"
    )
    poll_concurrency: int = Field(default=32, ge=1, description="Feed requests at once, overall")
    poll_per_host: int = Field(default=2, ge=1, description="Feed requests at once per server")
    alert_budget: int = Field(
        default=30, ge=1, description="Alerts a chat gets per BOT_ALERT_BUDGET_MINUTES, then merged"
    )
    alert_budget_minutes: float = Field(default=10, gt=0, description="Window of the alert budget")
    send_concurrency: int = Field(
        default=2, ge=1, description="Sends to Telegram in flight at once (a crash repeats these)"
    )
    parse_workers: int = Field(
        default=0, ge=0, description="Processes parsing feeds; 0 parses in a thread (few feeds)"
    )
    article_timeout: float = Field(
        default=4.0,
        gt=0,
        le=60,
        description="Seconds a poll waits for the article pages of fetch_article feeds",
    )
    poll_timeout: int = Field(
        default=30, ge=0, description="Seconds one getUpdates long poll may wait"
    )
    config_watch_seconds: float = Field(
        default=1.0, ge=0, description="How often config/*.toml is checked for edits; 0: never"
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="text: one readable line per record; json: JSON lines"
    )
    webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL Telegram posts updates to; unset: polling"
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="Secret Telegram sends with every update (required for it)"
    )
    port: int = Field(
        default=8443,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("PORT", "BOT_PORT"),  # PaaS platforms set PORT
        description="Port the webhook server listens on (all interfaces)",
    )

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _token_from_file(self) -> Settings:
        if self.token is None and self.token_file is not None:
            try:
                value = self.token_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValueError(
                    f"cannot read BOT_TOKEN_FILE {self.token_file}: {exc.strerror}"
                ) from exc
            self.token = SecretStr(value) if value else None
        return self

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _empty_webhook_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        """Without the secret, anyone who finds the URL could post updates as an admin."""
        if self.webhook_url is None:
            return self
        if not self.webhook_url.startswith("https://") and not self.webhook_url.startswith(
            "http://"
        ):
            raise ValueError("BOT_WEBHOOK_URL must be the https:// URL Telegram will post to")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not _SECRET_TOKEN.match(secret):
            raise ValueError(
                "BOT_WEBHOOK_URL needs BOT_WEBHOOK_SECRET: 1-256 characters from A-Z, a-z, "
                "0-9, _ and - (for example the output of `openssl rand -hex 32`)"
            )
        return self

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def poll_policy(self) -> PollPolicy:
        return PollPolicy(
            max_age=timedelta(hours=self.max_item_age_hours),
            flood_limit=self.flood_limit,
            keep_seen=timedelta(days=self.keep_seen_days),
            max_bytes=self.fetch_max_bytes,
            article_timeout=self.article_timeout,
        )

    @property
    def token_value(self) -> str | None:
        return self.token.get_secret_value() if self.token else None
