from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and plans"

    def ready(self) -> None:
        # Signal receivers: throttles counts failed sign-ins; signals ends
        # tokens and sessions when a password changes.
        from accounts import signals, throttles  # noqa: F401
        from accounts.plans import plans_ensure

        post_migrate.connect(plans_ensure, sender=self, dispatch_uid="accounts.plans")
