"""The Celery app: configuration from Django settings (namespace CELERY), tasks autodiscovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("baishitong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
