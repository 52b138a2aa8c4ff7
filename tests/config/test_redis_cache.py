"""With REDIS_URL set the app's cache is Redis; prove that configuration talks
to a real server (the rest of the suite keeps its cache in-process)."""

import uuid

from django.core.cache.backends.redis import RedisCache


def test_redis_cache_round_trip(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("greeting", {"text": "hello"}, timeout=30)

    assert cache.get("greeting") == {"text": "hello"}
    cache.delete("greeting")
