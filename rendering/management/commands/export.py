"""Export a user's threads through the job system, with a progress bar.

    manage.py export --user ana@example.com --threads all --kind bulk --kinds carousel cards --format png
    manage.py export --user ana@example.com --threads 12 --kind carousel --format pdf --out exports/

The job is queued like one made through the API (quota, plan limits, the
worker pool) and this command follows it until it ends, then copies the
file to --out."""

import shutil
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from config.errors import ServiceError
from rendering import jobs
from rendering.models import Job


class Command(BaseCommand):
    help = "Export threads through the job system and follow the job with a progress bar."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", required=True, help="The owner's email address.")
        parser.add_argument("--threads", required=True, help='Thread ids, comma-separated, or "all" (bulk).')
        exports = [kind for kind in Job.Kind.values if kind != Job.Kind.ARCHIVE_IMPORT]
        parser.add_argument("--kind", default="bulk", choices=exports)
        parser.add_argument(
            "--kinds", nargs="+", default=["carousel"], help="Bulk: what each thread becomes."
        )
        parser.add_argument("--format", default="png")
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--preset", type=int, help="A preset id.")
        parser.add_argument(
            "--placeholders",
            default=Job.Placeholders.KEEP,
            choices=Job.Placeholders.values,
            help="Images still to add: keep them as grey boxes (default) or drop them.",
        )
        parser.add_argument(
            "--out", type=Path, default=Path("."), help="Folder for the file (default: here)."
        )
        parser.add_argument("--timeout", type=float, default=3600, help="Seconds to wait for the job.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        threads: list[int] | str
        if options["threads"] == "all":
            threads = "all"
        else:
            try:
                threads = [int(part) for part in options["threads"].split(",") if part.strip()]
            except ValueError as error:
                raise CommandError('--threads: give ids like 3,7,12 or "all".') from error
        request = jobs.JobRequest(
            kind=options["kind"],
            threads=threads,
            format=options["format"],
            scale=options["scale"],
            kinds=tuple(options["kinds"]) if options["kind"] == Job.Kind.BULK else (),
            preset=options["preset"],
            placeholders=options["placeholders"],
        )
        try:
            job, outcome = jobs.job_create(user=user, request=request)
        except ServiceError as error:
            field = f"{error.field}: " if error.field else ""
            raise CommandError(f"{field}{error.message}") from error
        if outcome == jobs.JobOutcome.REUSED:
            self.stdout.write(f"Job {job.pk} made this same export just now; it is used again, free.")
        else:
            self.stdout.write(f"Job {job.pk} queued.")
        for warning in job.warnings:
            self.stderr.write(self.style.WARNING(warning["message"]))
        job = self.follow(job, options["timeout"])
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(f"Job {job.pk} {job.status}: {job.error or 'no reason given'}")
        options["out"].mkdir(parents=True, exist_ok=True)
        target = options["out"] / job.result_name
        with default_storage.open(str(job.result.name)) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        self.stdout.write(self.style.SUCCESS(f"{target} ({job.result_size:,} bytes)"))

    def follow(self, job: Job, timeout: float) -> Job:
        deadline = time.monotonic() + timeout
        while not job.is_finished:
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Job {job.pk} is still {job.status} after {timeout:.0f} s; it carries on."
                )
            self.bar(job)
            time.sleep(0.25)
            job.refresh_from_db()
        self.bar(job)
        self.stdout.write("")
        return job

    def bar(self, job: Job) -> None:
        width = 30
        share = 1.0 if job.status == Job.Status.SUCCEEDED else (job.done / job.total if job.total else 0.0)
        filled = round(width * share)
        counted = f"{job.done}/{job.total}" if job.total else "…"
        line = f"\r[{'█' * filled}{'·' * (width - filled)}] {counted} {job.status:<9}"
        self.stdout.write(line, ending="" if sys.stdout.isatty() else "\n")
