"""A bulk part holds a run of threads: `thread_ids` for `thread_id`, and
its index a folder and files per thread (the folder was a field of its own)."""

from django.db import migrations, models


def to_runs(apps, schema_editor):
    JobPart = apps.get_model("rendering", "JobPart")
    for part in JobPart.objects.all().iterator():
        part.thread_ids = [part.thread_id]
        part.index = [{"thread": part.thread_id, "folder": part.folder, "files": part.index}]
        part.save(update_fields=["thread_ids", "index"])


def to_single_threads(apps, schema_editor):
    JobPart = apps.get_model("rendering", "JobPart")
    for part in JobPart.objects.all().iterator():
        if len(part.thread_ids) != 1:
            raise RuntimeError(f"part {part.pk} holds {len(part.thread_ids)} threads: finish its export first")
        part.thread_id = part.thread_ids[0]
        threads = part.index or [{"folder": "", "files": []}]
        part.folder, part.index = threads[0]["folder"], threads[0]["files"]
        part.save(update_fields=["thread_id", "folder", "index"])


class Migration(migrations.Migration):
    dependencies = [
        ("rendering", "0007_job_fast"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobpart",
            name="thread_ids",
            field=models.JSONField(default=list, help_text="Its threads, in the export's order."),
        ),
        migrations.AlterField(
            model_name="jobpart",
            name="thread_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(to_runs, to_single_threads),
        migrations.RemoveField(model_name="jobpart", name="thread_id"),
        migrations.RemoveField(model_name="jobpart", name="folder"),
        migrations.AlterField(
            model_name="jobpart",
            name="number",
            field=models.PositiveIntegerField(help_text="1-based, its first thread's place in the export."),
        ),
        migrations.AlterField(
            model_name="jobpart",
            name="index",
            field=models.JSONField(
                default=list,
                help_text="Each thread's folder and files (their names, pages, alt text and post positions).",
            ),
        ),
    ]
