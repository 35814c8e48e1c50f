"""The Celery app: configuration from Django settings (namespace CELERY), tasks autodiscovered per app.

`enqueue` is how the apps send a task after commit: a broker that is down must not turn a committed request into
a 500. The database row is the truth; the periodic sweeps (CELERY_BEAT_SCHEDULE) find what was not queued."""

import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("baishitong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("config.celery")


def enqueue(task, *args) -> bool:
    """`task.delay(*args)`, but a broker that cannot be reached is logged and reported as False instead of
    raised (kombu retries the publish briefly first). Returns True when the task was handed to the broker."""
    try:
        task.delay(*args)
    except (BrokerError, OSError) as exc:
        logger.warning(
            "broker unreachable: %s%r not queued, the periodic sweep will do it (%s)", task.name, args, exc
        )
        return False
    return True
