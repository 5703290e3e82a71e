"""Secrets generated on first run: one per data folder, complete, private, shared by concurrent starts."""
import stat
from concurrent.futures import ThreadPoolExecutor

from bot.core import settings


def test_a_generated_secret_is_kept_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    first = settings.secret_from_file("RASA_API_TOKEN", "token", lambda: "abc123")
    again = settings.secret_from_file("RASA_API_TOKEN", "token", lambda: "something else")
    assert first == again == "abc123"
    assert stat.S_IMODE((tmp_path / "token").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["token"]  # no temporary files left behind


def test_concurrent_first_runs_agree_on_one_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ID_HASH_KEY", raising=False)
    counter = iter(range(1000))
    with ThreadPoolExecutor(16) as pool:
        values = list(pool.map(lambda _: settings.secret_from_file(
            "ID_HASH_KEY", "hash.key", lambda: f"key-{next(counter)}"), range(64)))
    assert len(set(values)) == 1 and values[0].startswith("key-")


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_API_TOKEN", "from-env")
    assert settings.secret_from_file("RASA_API_TOKEN", "token", lambda: "generated") == "from-env"
    assert not (tmp_path / "token").exists()


def test_a_generated_or_given_api_token_never_reads_as_an_option(monkeypatch, tmp_path):
    """`rasa run --jwt-secret -abc` refuses to start; bot.rasa.server passes --jwt-secret=<secret>, inside
    the process (the launcher's command line has no secret at all)."""
    from bot.ops import launcher
    from bot.rasa.api_token import api_token
    from bot.rasa import server as rasa_server

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_API_TOKEN", "-starts-with-a-dash")
    rasa = next(s for s in launcher.services(5005, 5055) if s.name == "Rasa server")
    assert not any("starts-with-a-dash" in part for part in rasa.command)
    assert "--jwt-secret=-starts-with-a-dash" in rasa_server.arguments(rasa.command[3:])
    monkeypatch.delenv("RASA_API_TOKEN")
    generated = api_token()
    assert len(generated) == 64 and set(generated) <= set("0123456789abcdef")  # hex: never starts with "-"
