"""The Celery app. Tasks are thin: they take primary keys, call a service and are queued through
the outbox (``cvms.core.outbox``) when the work that needs them commits."""

import os

from celery import Celery

from cvms.core.worker import install

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvms.settings")

app = Celery("cvms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
install(app)
