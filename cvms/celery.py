"""The Celery app. Tasks are thin: they take primary keys, call a service and are queued on commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvms.settings")

app = Celery("cvms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
