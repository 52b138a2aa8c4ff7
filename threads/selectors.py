"""Reads of threads and presets, always scoped to one user: the only way the
API and the website reach these rows."""

from django.db.models import Count, F, Prefetch, Q, QuerySet

from accounts.models import User
from threads.models import Post, PostImage, StylePreset, Thread

THREAD_ORDERINGS = {"updated", "-updated", "created", "-created", "title", "-title"}


def threads_of(*, user: User) -> QuerySet[Thread]:
    return Thread.objects.filter(owner=user)


def thread_list(*, user: User, search: str = "", ordering: str = "-updated") -> QuerySet[Thread]:
    threads = threads_of(user=user).annotate(post_count=Count("posts"))
    if search:
        threads = threads.filter(title__icontains=search)
    ordering = ordering if ordering in THREAD_ORDERINGS else "-updated"
    return threads.order_by(ordering, "-id")


def thread_details(*, user: User) -> QuerySet[Thread]:
    """Threads with their posts and images loaded in three queries in all."""
    posts = Post.objects.order_by("position").prefetch_related(
        Prefetch("images", queryset=PostImage.objects.order_by("order", "id"))
    )
    return (
        threads_of(user=user)
        .annotate(post_count=Count("posts"))
        .prefetch_related(Prefetch("posts", queryset=posts))
    )


def presets_visible_to(*, user: User) -> QuerySet[StylePreset]:
    """The user's own presets and the built-ins."""
    return StylePreset.objects.filter(Q(owner=user) | Q(owner__isnull=True)).order_by(
        F("owner").asc(nulls_first=True), "name", "id"
    )


def post_image_of(*, user: User, thread_id: int, position: int, image_id: int) -> PostImage | None:
    """One image (or placeholder) of the user's post, or None."""
    return (
        PostImage.objects.filter(
            post__thread__owner=user, post__thread_id=thread_id, post__position=position, pk=image_id
        )
        .select_related("post")
        .first()
    )
