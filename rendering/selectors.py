"""Reads of jobs, always for one user."""

from django.db.models import QuerySet

from accounts.models import User
from rendering.models import Job


def jobs_of(*, user: User) -> QuerySet[Job]:
    return Job.objects.filter(owner=user).order_by("-created", "-id")
