import warnings
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from PIL import Image


def sync_builtin_presets(**kwargs: Any) -> None:
    from threads.services import presets_sync_builtins

    presets_sync_builtins()


class ThreadsConfig(AppConfig):
    name = "threads"

    def ready(self) -> None:
        # Pillow only warns about decompression bombs below twice its limit.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # Built-in presets are code; every migrate (and test-database flush)
        # brings their rows up to date.
        post_migrate.connect(sync_builtin_presets, sender=self, dispatch_uid="threads.builtin_presets")
