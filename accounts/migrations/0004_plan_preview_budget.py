from django.db import migrations, models

BUDGETS = {"free": (240, 2000), "pro": (1200, 20000)}


def set_budgets(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    for code, (per_minute, per_day) in BUDGETS.items():
        Plan.objects.filter(code=code).update(previews_per_minute=per_minute, previews_per_day=per_day)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_plan_max_running_jobs")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="previews_per_minute",
            field=models.PositiveIntegerField(
                default=240, help_text="Editor previews a minute, apart from the API's requests a minute."
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="previews_per_day",
            field=models.PositiveIntegerField(
                default=2000, help_text="Editor previews a day: enough to design, too few to export through."
            ),
        ),
        migrations.RunPython(set_budgets, migrations.RunPython.noop),
    ]
