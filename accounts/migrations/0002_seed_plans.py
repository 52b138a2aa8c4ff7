from django.db import migrations

PLANS = [
    {
        "code": "free",
        "name": "Free",
        "price_per_month_cents": 0,
        "exports_per_month": 50,
        "max_scale": 2,
        "watermark_forced": True,
        "bulk_max_threads": 5,
        "api_requests_per_minute": 60,
        "shows_ads": True,
    },
    {
        "code": "pro",
        "name": "Pro",
        "price_per_month_cents": 900,
        "exports_per_month": 2000,
        "max_scale": 3,
        "watermark_forced": False,
        "bulk_max_threads": 200,
        "api_requests_per_minute": 600,
        "shows_ads": False,
    },
]


def seed_plans(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    for plan in PLANS:
        Plan.objects.update_or_create(code=plan["code"], defaults=plan)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed_plans, migrations.RunPython.noop)]
