from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from rendering.signals import job_finished
        from webhooks.services import on_job_finished

        job_finished.connect(on_job_finished, dispatch_uid="webhooks.job_finished")
