import warnings
from typing import Any

from allauth.account.signals import user_signed_up
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from PIL import Image


def give_sample_thread(user: Any, **kwargs: Any) -> None:
    """A new account (signed up on the website or through the API) starts
    with a sample thread to try the editor on."""
    from threads.samples import sample_thread_create

    sample_thread_create(owner=user)


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
        user_signed_up.connect(give_sample_thread, dispatch_uid="threads.sample_thread")
        post_migrate.connect(sync_builtin_presets, sender=self, dispatch_uid="threads.builtin_presets")
