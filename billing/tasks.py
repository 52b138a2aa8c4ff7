from celery import shared_task

from billing import services


@shared_task(name="billing.refresh_subscription", ignore_result=True)
def refresh_subscription(subscription_id: str) -> str:
    return services.subscription_refresh(subscription_id=subscription_id)


@shared_task(name="billing.expire_plans", ignore_result=True)
def expire_plans() -> int:
    return services.plans_expire()
