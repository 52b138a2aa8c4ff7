from django.db import migrations, models

LIMITS = {"free": 2, "pro": 8}


def set_limits(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    for code, limit in LIMITS.items():
        Plan.objects.filter(code=code).update(max_running_jobs=limit)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_seed_plans")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="max_running_jobs",
            field=models.PositiveIntegerField(
                default=2, help_text="Exports a user may have queued or running at once; past it, a 429."
            ),
        ),
        migrations.RunPython(set_limits, migrations.RunPython.noop),
    ]
