from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and plans"

    def ready(self) -> None:
        from accounts import throttles  # noqa: F401 - counts failed sign-ins (a signal receiver)
        from accounts.plans import plans_ensure

        post_migrate.connect(plans_ensure, sender=self, dispatch_uid="accounts.plans")
