"""Issue 17, finding 12: the API throttle counts in a cache shared by every process, and Redis being down does
not take the site down."""

from __future__ import annotations

import os
import time

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from tests.config.test_settings import _load_settings

pytestmark = pytest.mark.django_db

PRINT_CACHE = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"


def _cache_backend(env: dict[str, str]) -> str:
    result = _load_settings({"DEBUG": "true", **env}, code=PRINT_CACHE)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_with_a_redis_broker_every_process_shares_a_redis_cache():
    env = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/3"}
    assert _cache_backend(env) == "django_redis.cache.RedisCache"
    assert (
        _cache_backend({**env, "CACHE_URL": "redis://cache.example:6379/1"})
        == "django_redis.cache.RedisCache"
    )


def test_the_embedded_mode_keeps_a_local_cache():
    assert _cache_backend({"CELERY_BROKER_URL": ""}) == "django.core.cache.backends.locmem.LocMemCache"
    assert _cache_backend({"CELERY_BROKER_URL": "redis://x:6379/0", "CACHE_URL": ""}).endswith("LocMemCache")


UNREACHABLE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1, "IGNORE_EXCEPTIONS": True},
    }
}


def test_the_api_answers_while_the_cache_is_down(settings, dispatcher):
    settings.CACHES = UNREACHABLE
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/min", "anon": "2/min"},
    }
    client = APIClient()
    client.force_authenticate(dispatcher)
    started = time.perf_counter()
    codes = [client.get("/api/v1/categories/").status_code for _ in range(3)]
    assert codes == [200, 200, 200]  # no 500: the throttle, unable to count, lets requests through
    # Each cache call gives up after its socket timeout (0.1 s here): seconds, not a hang.
    assert time.perf_counter() - started < 10


@pytest.mark.skipif(
    not (os.environ.get("CELERY_BROKER_URL") or "").startswith("redis://"),
    reason="needs a Redis (CI has one)",
)
def test_two_processes_count_one_budget(settings, dispatcher):
    """Two cache clients (as two gunicorn workers hold) see one throttle history."""
    location = os.environ["CELERY_BROKER_URL"]
    settings.CACHES = {
        name: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": "bst-test"}
        for name in ("default", "other")
    }
    first, second = caches["default"], caches["other"]
    first.set("throttle_user_1", [1.0, 2.0], 60)
    assert second.get("throttle_user_1") == [1.0, 2.0]
    first.delete("throttle_user_1")
