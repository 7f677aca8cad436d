"""classroom.rediscache: Django's RedisCache with one client per pool and plain SETs for set_many."""

import os

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")


@pytest.fixture
def backend():
    from classroom.rediscache import RedisCache

    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-rediscache"})
    yield cache
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match="test-rediscache:*"))
    if keys:
        client.delete(*keys)


def test_the_client_is_made_once_and_kept(backend):
    assert backend._cache.get_client() is backend._cache.get_client(write=True)


def test_set_many_stores_every_value_with_its_expiry(backend):
    values = {"card:1": "<article>one</article>", "card:2": ["a", 2], "count": 3}
    backend.set_many(values, 60)
    assert backend.get_many(list(values) + ["missing"]) == values
    client = backend._cache.get_client()
    for key in values:
        assert 0 < client.ttl(backend.make_key(key)) <= 60


def test_set_many_without_a_timeout_keeps_the_values_and_with_zero_deletes_them(backend):
    backend.set_many({"kept": "forever"}, None)
    assert backend._cache.get_client().ttl(backend.make_key("kept")) == -1  # no expiry
    backend.set_many({"kept": "gone"}, 0)
    assert backend.get("kept") is None


def test_set_many_sends_one_set_per_value_and_no_transaction(backend, monkeypatch):
    from redis.client import Pipeline

    sent = []
    execute = Pipeline.execute

    def recorded(pipeline, *args, **kwargs):
        sent.extend(str(command[0][0]) for command in pipeline.command_stack)
        sent.append(f"transaction={pipeline.transaction}")
        return execute(pipeline, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", recorded)
    backend.set_many({"a": 1, "b": 2}, 60)
    assert sent == ["SET", "SET", "transaction=False"]
