"""Every setting the project reads from the environment, with its safe local default.

This is the one place that documents configuration: `python -m bot settings` prints the table, and the
README's configuration section is that table. Nothing here is required to run locally; production sets
the URLs and secrets.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def get(self) -> str:
        value = os.environ.get(self.name, "").strip()
        return value or self.default


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("DATA_DIR", str(PROJECT_ROOT / "var"),
                "Local data folder: SQLite databases, generated keys and tokens, logs."),
        Setting("RASA_PORT", "5005", "Port of the Rasa server (REST webhook, socket.io, HTTP API)."),
        Setting("ACTION_PORT", "5055", "Port of the action server."),
        Setting("ACTION_ENDPOINT_URL", "",
                "URL Rasa calls for custom actions (default http://localhost:ACTION_PORT/webhook)."),
        Setting("RASA_API_TOKEN", "",
                "Token protecting Rasa's HTTP API; generated into DATA_DIR/rasa-api-token when empty."),
        Setting("RASA_CORS", "",
                "Origins allowed to embed the web chat from other sites (e.g. https://www.example.org; "
                "space-separated; empty: same origin only)."),
        Setting("RASA_CREDENTIALS", "credentials.yml",
                "Rasa channel credentials file (REST, web chat, WeChat, ...)."),
        Setting("TRACKER_DB", "",
                "SQLite file of Rasa's conversation (tracker) store (default DATA_DIR/tracker.db)."),
        Setting("RASA_ENDPOINTS", "endpoints.yml",
                "Rasa endpoints file; endpoints.production.yml switches to PostgreSQL and Redis."),
        Setting("ACTION_TIMEOUT_SECONDS", "5",
                "How long the Rasa server waits for one custom action before it tells the user it has a "
                "problem and offers a person (bot.outage)."),
        Setting("ACTION_SERVER_SECRET", "",
                "Shared secret between Rasa and the action server (header X-Action-Secret); the action "
                "server rejects /webhook calls without it. Empty: no check (local only); production must "
                "set it."),
        Setting("TRACKER_DB_HOST", "",
                "Used only by endpoints.production.yml, where Rasa reads them directly and refuses to start "
                "while one is unset (empty is allowed): PostgreSQL host of Rasa's tracker store."),
        Setting("TRACKER_DB_PORT", "", "endpoints.production.yml: its PostgreSQL port, e.g. 5432."),
        Setting("TRACKER_DB_NAME", "", "endpoints.production.yml: its database name, e.g. rasa."),
        Setting("TRACKER_DB_USER", "", "endpoints.production.yml: its database user."),
        Setting("TRACKER_DB_PASSWORD", "", "endpoints.production.yml: that user's password."),
        Setting("REDIS_HOST", "",
                "endpoints.production.yml: Redis host of Rasa's lock store (required there)."),
        Setting("REDIS_PORT", "", "endpoints.production.yml: its Redis port, e.g. 6379."),
        Setting("REDIS_DB", "", "endpoints.production.yml: its Redis database number, e.g. 1."),
        Setting("REDIS_PASSWORD", "", "endpoints.production.yml: its Redis password (empty: none)."),
        Setting("DATABASE_URL", "",
                "Enrollment store SQLAlchemy URL (default sqlite:///DATA_DIR/enrollment.db), "
                "e.g. postgresql+psycopg2://user@host/db."),
        Setting("ID_ENCRYPTION_KEY", "",
                "Key that encrypts ID numbers at rest (Fernet, urlsafe base64); generated into "
                "DATA_DIR/id-encryption.key when empty."),
        Setting("ID_HASH_KEY", "",
                "Key of the keyed hash that finds duplicate ID numbers; generated into "
                "DATA_DIR/id-hash.key when empty."),
        Setting("CONVERSATION_SEAL_KEY", "",
                "Key that seals ID numbers and phones in the conversation (tracker) store (Fernet, urlsafe "
                "base64); generated into DATA_DIR/conversation-seal.key when empty. The Rasa server and the "
                "action server need the same one."),
        Setting("PLAN_CONFIG", str(PROJECT_ROOT / "bot" / "plan" / "senior_cancer_plan.yml"),
                "The plan configuration file (ages, screening, payouts, costs, consent versions)."),
        Setting("TEST_POSTGRES_URL", "",
                "PostgreSQL URL for the store tests; CI sets it and the tests then cannot skip."),
        Setting("STAFF_HOURS", "09:00-21:00",
                "When support staff answer handed-over conversations, China time (HH:MM-HH:MM)."),
        Setting("LOG_LEVEL", "INFO", "Log level of the launcher and the action server."),
        Setting("RASA_URL", "",
                "Base URL of the Rasa server's HTTP API for the support console (default "
                "http://localhost:RASA_PORT)."),
        Setting("CONSOLE_HOST", "127.0.0.1",
                "Address the support console listens on (0.0.0.0 to serve other machines, behind HTTPS)."),
        Setting("CONSOLE_PORT", "5080", "Port of the support console (`python -m bot.console`)."),
        Setting("CONSOLE_SESSION_HOURS", "12", "How long a support-console login lasts, in hours."),
        Setting("CONSOLE_SECURE_COOKIES", "false",
                "true: the console's cookies are sent over HTTPS only (set it when served through HTTPS)."),
        Setting("WECHAT_TOKEN", "",
                "WeChat Official Account server token (signs every webhook call); the WeChat channel "
                "answers 403 to everything while it is empty."),
        Setting("WECHAT_APP_ID", "", "WeChat Official Account AppID (checked in safe-mode messages)."),
        Setting("WECHAT_APP_SECRET", "",
                "WeChat Official Account AppSecret, used to get the access token for sending replies."),
        Setting("WECHAT_AES_KEY", "",
                "WeChat EncodingAESKey (43 characters); needed only in compatible or safe (encrypted) mode."),
        Setting("WECHAT_API_BASE", "https://api.weixin.qq.com",
                "Base URL of the WeChat API (tests point it at a local mock)."),
    ]
}


def get(name: str) -> str:
    """The value of a documented setting (environment first, then its default)."""
    return SETTINGS[name].get()


def data_dir() -> Path:
    path = Path(get("DATA_DIR"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    return get("DATABASE_URL") or f"sqlite:///{data_dir() / 'enrollment.db'}"


def rasa_url() -> str:
    return (get("RASA_URL") or f"http://localhost:{get('RASA_PORT')}").rstrip("/")


def action_timeout_seconds() -> float:
    raw = get("ACTION_TIMEOUT_SECONDS")
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"ACTION_TIMEOUT_SECONDS={raw!r} is not a number of seconds") from None
    if not 0 < seconds <= 300:
        raise ValueError(f"ACTION_TIMEOUT_SECONDS={raw!r} must be between 0 and 300 seconds")
    return seconds


def tracker_db() -> str:
    return get("TRACKER_DB") or str(data_dir() / "tracker.db")


def secret_from_file(setting: str, filename: str, generate) -> str:
    """A secret from the environment, or from DATA_DIR/filename, created with `generate()` on first use.

    The file is written whole under a temporary name (mode 0600) and then linked into place, which
    fails if another process got there first: every process ends up reading the same, complete secret.
    """
    value = get(setting)
    if value:
        return value
    path = data_dir() / filename
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{filename}.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(generate())
            os.chmod(temporary, 0o600)
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process created it first; use theirs
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def describe() -> str:
    """The settings as a Markdown table (used by `python -m bot settings` and the README)."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for s in SETTINGS.values():
        default = s.default.replace(str(PROJECT_ROOT), ".") if s.default else "(see text)"
        rows.append(f"| `{s.name}` | `{default}` | {s.help} |")
    return "\n".join(rows)
