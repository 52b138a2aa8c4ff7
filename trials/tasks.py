from celery import shared_task

from trials import services


@shared_task(name="trials.clean_up", acks_late=False)
def clean_up() -> int:
    return services.trial_drafts_clean_up()
