"""The Celery app. Configuration lives in settings under the CELERY_ prefix."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("thread_navigator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_local_broker_folders() -> None:
    """The filesystem broker and file result backend need their folders to exist."""
    options = app.conf.broker_transport_options or {}
    folders = [options.get("data_folder_in"), options.get("control_folder")]
    backend = str(app.conf.result_backend or "")
    if backend.startswith("file://"):
        folders.append(backend.removeprefix("file://"))
    for folder in filter(None, folders):
        Path(folder).mkdir(parents=True, exist_ok=True)


# The web process sends and the worker receives through these folders; both
# import this module first, so making them here covers every process.
ensure_local_broker_folders()
