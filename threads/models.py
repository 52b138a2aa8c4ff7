from django.conf import settings
from django.db import models


class Thread(models.Model):
    """A thread as its author posted it: ordered posts by one author."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    author_name = models.CharField(max_length=100, blank=True)
    handle = models.CharField(max_length=30, blank=True, help_text="Without the leading @.")
    avatar = models.FileField(upload_to="avatars/", blank=True)
    avatar_url = models.URLField(max_length=2048, blank=True, help_text="Where the avatar came from.")
    source_url = models.URLField(max_length=2048, blank=True)
    source_key = models.CharField(
        max_length=20,
        blank=True,
        help_text="The id on X of the thread's first post: saving that thread again updates this one.",
    )
    draft = models.BooleanField(
        default=False,
        help_text="Still being imported: its pictures are on their way (or the user confirms "
        "without them). Exports wait for it.",
    )
    arrangement = models.JSONField(
        default=dict,
        blank=True,
        help_text="Carousel Studio's saved choices (threads/arrangement.py): posts, breaks, slide edits.",
    )
    style_draft = models.JSONField(
        default=dict,
        blank=True,
        help_text="The visual editor's current style for this thread, saved as it changes "
        "(a validated style document; {} for none).",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "source_key"],
                condition=~models.Q(source_key=""),
                name="thread_unique_source_per_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-updated"], name="thread_owner_updated"),
            models.Index(fields=["owner", "title"], name="thread_owner_title"),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """One post of a thread. Positions count from 1 and have no gaps."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    position = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    source_id = models.CharField(
        max_length=20, blank=True, help_text="The post's id on X, when imported from it."
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "position"], name="post_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.position}"


class PostImage(models.Model):
    """An image of a post: an uploaded file, or a placeholder where an
    imported thread had an image we do not have (then `file` is empty)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    order = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="post-images/", blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt = models.CharField(max_length=1000, blank=True)
    source_url = models.URLField(max_length=2048, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.file.name or f"placeholder {self.pk}"

    @property
    def is_placeholder(self) -> bool:
        return not self.file


class StylePreset(models.Model):
    """A named style document. Built-in presets have no owner, ship with the
    app (see threads/builtin_presets.py) and are read-only."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="presets"
    )
    slug = models.SlugField(max_length=50, blank=True, help_text="Built-in presets only.")
    name = models.CharField(max_length=100)
    style = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(owner__isnull=False),
                name="preset_unique_name_per_owner",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(owner__isnull=True), name="preset_unique_builtin_slug"
            ),
        ]
        indexes = [models.Index(fields=["owner", "name"], name="preset_owner_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.owner_id is None
