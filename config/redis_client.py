"""One Redis client per URL for the app's own quick reads and writes (rate
limits, cancel flags): short timeouts, so a lost Redis costs a request a
second at most, never a hang. Celery and the cache keep their own."""

import functools

import redis


@functools.cache
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
