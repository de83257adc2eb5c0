"""The broker transport and the cache backend build one Redis client per connection pool (run where Redis is)."""

from __future__ import annotations

import os
import uuid

import pytest

pytestmark = pytest.mark.worker


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("needs REDIS_URL")
    return url


def test_the_cache_reuses_its_client_and_still_reads_and_writes(redis_url):
    from coding_lms.redis_clients import RedisCache

    cache = RedisCache(redis_url, {"KEY_PREFIX": f"test-redis-clients-{uuid.uuid4().hex}"})
    try:
        assert cache._cache.get_client() is cache._cache.get_client(write=True)
        assert cache.add("marker", 1, 30) is True
        assert cache.add("marker", 2, 30) is False
        cache.set_many({"a": ("state", 3), "b": None}, 30)
        assert cache.get_many(["a", "b", "missing"]) == {"a": ("state", 3), "b": None}
        assert cache.get("marker") == 1
    finally:
        cache.delete_many(["marker", "a", "b"])
        cache.close()


def test_the_broker_channel_reuses_its_client_until_its_pool_is_replaced(redis_url):
    from kombu import Connection

    from coding_lms.redis_clients import BrokerTransport

    queue = f"test-redis-clients-{uuid.uuid4().hex}"
    with Connection(redis_url, transport=BrokerTransport) as connection:
        channel = connection.default_channel
        first = channel._create_client()
        assert channel._create_client() is first
        simple = connection.SimpleQueue(queue)
        try:
            for number in range(3):
                simple.put({"n": number})
            received, tags = [], []
            for _ in range(3):
                message = simple.get(timeout=5)
                received.append(message.payload["n"])
                tags.append(message.delivery_tag)
                message.ack()
            assert received == [0, 1, 2]
            # Every acknowledgement reached Redis: no copy of these messages is kept for redelivery.
            assert not any(channel.client.hexists(channel.unacked_key, tag) for tag in tags)
            channel._pool = None  # what kombu does after a lost connection
            assert channel._create_client() is not first
            assert channel._create_client().ping()
        finally:
            simple.queue.delete()
            simple.close()
