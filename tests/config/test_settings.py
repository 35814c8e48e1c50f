import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(
    env: dict[str, str], code: str = "from django.conf import settings; print(settings.DEBUG)"
) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); " + code,
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = _load_settings({"DEBUG": "false", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_start_in_debug_without_secret_key():
    result = _load_settings({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    "env, name",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "true", "DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
        ({"DEBUG": "true", "SESSION_COOKIE_AGE": "eight hours"}, "SESSION_COOKIE_AGE"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
    ],
)
def test_a_bad_value_fails_at_start_naming_the_variable(env, name):
    result = _load_settings(env)
    assert result.returncode != 0
    assert name in result.stderr


def test_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.USE_TZ is True
    assert "en" in dict(settings.LANGUAGES)
