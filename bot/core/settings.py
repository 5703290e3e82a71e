"""Every setting the project reads from the environment, with its safe local default.

This is the one place that documents configuration: `python -m bot settings` prints the table, and the
README's configuration section is that table. Nothing here is required to run locally; production sets
the URLs and secrets.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
        Setting("TEST_TODAY", "",
                "Tests and demos only: the date (YYYY-MM-DD) the plan counts as today, so dates and ages in "
                "answers do not move with the calendar. Ignored with the production endpoints."),
        Setting("RASA_PORT", "5005", "Port of the Rasa server (REST webhook, socket.io, HTTP API)."),
        Setting("ACTION_PORT", "5055", "Port of the action server."),
        Setting("ACTION_ENDPOINT_URL", "",
                "URL Rasa calls for custom actions (default http://localhost:ACTION_PORT/webhook)."),
        Setting("RASA_API_TOKEN", "",
                "Secret that signs the JWTs (Authorization: Bearer) internal callers send to Rasa's HTTP "
                "API (bot.rasa.api_token); never a query string or a command-line argument. Generated into "
                "DATA_DIR/rasa-api-token when empty; production must set it."),
        Setting("RASA_CORS", "",
                "Origins allowed to embed the web chat from other sites (e.g. https://www.example.org; "
                "space-separated; empty: same origin only)."),
        Setting("WEBCHAT_SESSION_KEY", "",
                "Key that signs the web chat session ids the server issues, so a client cannot pick "
                "another's conversation; generated into DATA_DIR/webchat-session.key when empty; "
                "production must set it (the same on every replica)."),
        Setting("WEBCHAT_CLIENT_MANAGER", "auto",
                "auto: with REDIS_HOST set, python-socketio's Redis client manager carries every web chat "
                "emit to the replica holding the user's connection (needed with several replicas); "
                "memory: this process only (one replica; a reply pushed to another replica reaches "
                "nobody)."),
        Setting("REST_INTEGRATOR_KEYS", "",
                "REST integrators and their keys, space-separated name:key pairs (e.g. partner-a:KEY); a "
                "REST call must send Authorization: Bearer KEY and its sender becomes rest:<name>:<sender>. "
                "Empty: no keys, senders as sent (local only; with the production endpoints REST then "
                "refuses every call)."),
        Setting("RASA_CREDENTIALS", "credentials.yml",
                "Rasa channel credentials file (REST, web chat, WeChat, ...)."),
        Setting("TRACKER_DB", "",
                "SQLite file of Rasa's conversation (tracker) store (default DATA_DIR/tracker.db)."),
        Setting("CONVERSATION_CONDENSE_AFTER", "200",
                "Events a conversation session may hold before the conversation store starts it again with "
                "the state it has (bot.rasa.condensed_sessions), so a turn's cost does not grow with the "
                "conversation; transcripts keep every event. 0: never; otherwise at least 20."),
        Setting("INSIGHT_EVENTS_DB", "",
                "SQLite file of the SQL event broker endpoints.yml names, which the insight consumer reads "
                "(default DATA_DIR/insight-events.db)."),
        Setting("RABBITMQ_HOST", "",
                "endpoints.production.yml: RabbitMQ host of the event broker (required there)."),
        Setting("RABBITMQ_PORT", "", "endpoints.production.yml: its RabbitMQ port, e.g. 5672."),
        Setting("RABBITMQ_USER", "", "endpoints.production.yml: its RabbitMQ user."),
        Setting("RABBITMQ_PASSWORD", "", "endpoints.production.yml: that user's password."),
        Setting("RABBITMQ_QUEUE", "",
                "endpoints.production.yml: the durable queue the events go to and the insight consumer "
                "reads, e.g. insight."),
        Setting("INSIGHT_POLL_SECONDS", "2",
                "How often the insight consumer (`python -m bot insight`) looks for new events in the SQL "
                "event broker, in seconds."),
        Setting("RASA_ENDPOINTS", "endpoints.yml",
                "Rasa endpoints file; endpoints.production.yml switches to PostgreSQL and Redis."),
        Setting("ACTION_HOST", "127.0.0.1",
                "Address the action server listens on (0.0.0.0 in a container, where only Rasa may reach "
                "it: deploy/k8s NetworkPolicy)."),
        Setting("ACTION_TIMEOUT_SECONDS", "5",
                "How long the Rasa server waits for one custom action before it tells the user it has a "
                "problem and offers a person (bot.rasa.outage)."),
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
        Setting("UNFINISHED_ENROLLMENT_DAYS", "7",
                "How many days after its last message an unfinished enrollment is kept for the family to "
                "come back to; then it is forgotten with its personal data (bot.rasa.conversation_retention)."),
        Setting("PLAN_CONFIG", str(PROJECT_ROOT / "bot" / "core" / "plan" / "senior_cancer_plan.yml"),
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
        Setting("CONSOLE_TRUSTED_PROXIES", "",
                "Addresses of the proxies in front of the console (space-separated IPs or CIDRs); only a "
                "request from one of them has its client address read from X-Forwarded-For (login "
                "throttling). Empty: the connection's own address."),
        Setting("CONSOLE_PORT", "5080", "Port of the support console (`python -m bot.console`)."),
        Setting("CONSOLE_METRICS_PORT", "5090",
                "Port of the console's Prometheus metrics (GET /metrics, on METRICS_HOST): a port of its own, "
                "since the console's is public; 0: none."),
        Setting("METRICS_HOST", "127.0.0.1",
                "Address the console's and the notifier's metrics ports listen on (0.0.0.0 in a container, "
                "where only the monitoring namespace may reach them: deploy/k8s NetworkPolicy). The Rasa "
                "and action servers serve /metrics on their own ports."),
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
        Setting("WECHAT_NOTICE_TEMPLATES", "",
                "WeChat template messages for notices to users who have not written for 48 hours (when "
                "customer-service messages no longer reach them): space-separated kind:template_id pairs, "
                "kinds decision, deduction, waiting_period_end, deferred_reminder. Each template has the "
                "fields first, keyword1 (membership number), keyword2 (what it is about) and remark (the "
                "notice). A kind without a template waits until the user writes again."),
        Setting("NOTIFY_INTERVAL_SECONDS", "30",
                "How often the notifier (`python -m bot notify`) plans and sends due notices, in seconds."),
        Setting("NOTIFY_METRICS_PORT", "5091",
                "Port of the notifier's Prometheus metrics (GET /metrics, on METRICS_HOST); 0: none."),
        Setting("NOTIFY_LEASE_SECONDS", "120",
                "How long a notifier holds a notice it is sending; after that another replica may take it."),
        Setting("NOTIFY_REST_CALLBACK_URL", "",
                "REST integrators: notices are POSTed here as JSON with an Idempotency-Key header; empty: "
                "REST users' notices are kept in the outbox (status kept), not sent."),
    ]
}


PRODUCTION_ENDPOINTS = "endpoints.production.yml"


def production() -> bool:
    """True with the production endpoints (RASA_ENDPOINTS=endpoints.production.yml): secrets must be set."""
    return Path(get("RASA_ENDPOINTS")).name == PRODUCTION_ENDPOINTS


def shared_redis_url() -> str:
    """Redis for state several replicas share (WeChat nonces, message ids and access token, login
    throttling): the REDIS_* of the lock store when REDIS_HOST is set, else "" (memory, one process)."""
    host = get("REDIS_HOST")
    if not host:
        return ""
    password = get("REDIS_PASSWORD")
    auth = f":{quote(password, safe='')}@" if password else ""
    return f"redis://{auth}{host}:{get('REDIS_PORT') or '6379'}/{get('REDIS_DB') or '0'}"


def wechat_notice_templates() -> dict[str, str]:
    """WECHAT_NOTICE_TEMPLATES as {notice kind: template id}; a malformed pair is refused by name."""
    templates = {}
    for pair in get("WECHAT_NOTICE_TEMPLATES").split():
        kind, _, template_id = pair.partition(":")
        if not kind or not template_id:
            raise ValueError(f"WECHAT_NOTICE_TEMPLATES: {pair!r} is not kind:template_id")
        templates[kind] = template_id
    return templates


def get(name: str) -> str:
    """The value of a documented setting (environment first, then its default)."""
    return SETTINGS[name].get()


def data_dir() -> Path:
    """DATA_DIR, created readable by its owner only (0700); an existing one of ours is tightened to 0700,
    since it holds personal data, keys and logs."""
    path = Path(get("DATA_DIR"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        pass  # not ours to change (a mounted volume, say): its owner decides
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


def insight_events_db() -> str:
    return get("INSIGHT_EVENTS_DB") or str(data_dir() / "insight-events.db")


def tracker_db() -> str:
    return get("TRACKER_DB") or str(data_dir() / "tracker.db")


class SettingError(ValueError):
    """A setting has a value that cannot be used; the message names it and says what is expected."""


def conversation_condense_after() -> int:
    """CONVERSATION_CONDENSE_AFTER: the events a session may hold before it is condensed (0: never)."""
    raw = get("CONVERSATION_CONDENSE_AFTER")
    try:
        after = int(raw)
    except ValueError:
        raise SettingError(f"CONVERSATION_CONDENSE_AFTER={raw!r} is not a whole number of events") from None
    if after < 0 or 0 < after < 20:
        raise SettingError(f"CONVERSATION_CONDENSE_AFTER={raw!r} must be 0 (never) or at least 20")
    return after


def port(name: str) -> int:
    """The TCP port a setting names, checked: 1-65535."""
    raw = get(name)
    try:
        number = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a port number.") from None
    if not 0 < number < 65536:
        raise SettingError(f"{name}={number} is not a port number (1-65535).")
    return number


def optional_port(name: str) -> int:
    """A port setting where 0 means "none" (the metrics ports): 0, or a checked port number."""
    return 0 if get(name) == "0" else port(name)


def secret_from_file(setting: str, filename: str, generate: Callable[[], str]) -> str:
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
