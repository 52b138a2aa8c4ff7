from django.db import migrations


def add_defaults(apps, schema_editor):
    Announcement = apps.get_model("frontend", "Announcement")
    HouseAd = apps.get_model("frontend", "HouseAd")
    if not Announcement.objects.exists():
        Announcement.objects.create(
            text="👋 Thread Navigator has been updated and a batch of bugs fixed. We are a small team: "
            "on the free plan, please let the few quiet ads show — they keep the lights on. 😊"
        )
    if not HouseAd.objects.exists():
        HouseAd.objects.create(
            name="Go Pro",
            text="Pro: no ads, no watermark, exports at 3× and 2,000 a month.",
            link="/plan/",
            weight=3,
        )
        HouseAd.objects.create(
            name="API",
            text="Export threads from your own scripts with the Thread Navigator API.",
            link="/api-keys/",
            weight=1,
        )


class Migration(migrations.Migration):
    dependencies = [("frontend", "0001_site_content")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
