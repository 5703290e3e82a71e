"""The bounded, expiring cache behind WeChat de-duplication and button choices."""
from bot.channels.ttl_cache import TTLCache


def test_entries_expire_after_their_lifetime():
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(ttl_seconds=10, max_entries=100, clock=lambda: now[0])
    assert cache.add_if_absent("a", 1)
    assert not cache.add_if_absent("a", 2)
    assert cache.get("a") == 1
    now[0] = 10.0
    assert "a" not in cache
    assert cache.add_if_absent("a", 3)


def test_the_oldest_entries_go_first_when_full():
    cache: TTLCache[int, int] = TTLCache(ttl_seconds=60, max_entries=3)
    for key in range(5):
        cache.put(key, key)
    assert len(cache) == 3
    assert [key in cache for key in range(5)] == [False, False, True, True, True]


def test_pop_removes_the_entry():
    cache: TTLCache[str, str] = TTLCache(ttl_seconds=60, max_entries=3)
    cache.put("k", "v")
    assert cache.pop("k") == "v"
    assert cache.pop("k") is None
