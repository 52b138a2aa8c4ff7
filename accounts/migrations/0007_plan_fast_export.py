from django.db import migrations, models


def pro_exports_fast(apps, schema_editor):
    apps.get_model("accounts", "Plan").objects.filter(code="pro").update(fast_export=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_apitoken_scope")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="fast_export",
            field=models.BooleanField(
                default=False, help_text="Exports go to the fast queue, which every worker serves first."
            ),
        ),
        migrations.RunPython(pro_exports_fast, migrations.RunPython.noop),
    ]
