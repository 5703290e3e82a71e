"""A fresh SQLite enrollment store per test, the one the actions use (DATABASE_URL)."""
import pytest

from bot import store


@pytest.fixture(autouse=True)
def enrollment_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'enrollment.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    store.upgrade_schema(url)
    return store.engine_for(url)
