"""Test settings: the base settings plus a fast password hasher and in-process tasks.

DATABASE_URL / CELERY_BROKER_URL still choose PostgreSQL and Redis when set (that is how CI runs).
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from .base import *  # noqa: F403
from .base import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Tests decide per test whether tasks run; the autouse fixture in tests/conftest.py patches the app.
CELERY_TASK_ALWAYS_EAGER = True
SMS_BACKEND = "feedback.sms.LocmemBackend"
# Lock-out is tested on purpose (tests/config/test_security.py); elsewhere client.login() must just work.
AXES_ENABLED = False
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min"}}  # noqa: F405
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="bst-media-")
# Tests clear the cache (a Redis FLUSHDB would empty the broker's database too): a memory cache unless a test
# run names its own CACHE_URL.
if "CACHE_URL" not in os.environ:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
