from celery import shared_task


@shared_task(name="rendering.ping", ignore_result=False, acks_late=False)
def ping() -> str:
    """Answers "pong": proves a worker is consuming the queue it was sent to."""
    return "pong"
