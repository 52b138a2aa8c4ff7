import re

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api import ObjectField, TextOrObjectField
from threads.models import Post, PostImage, StylePreset, Thread

HANDLE = re.compile(r"^@?\w{1,30}$")


def validate_handle(value: str) -> str:
    if value and not HANDLE.match(value):
        raise serializers.ValidationError(
            "A handle is 1-30 letters, digits or underscores, with or without @."
        )
    return value.lstrip("@")


def absolute_link(serializer: serializers.Serializer, path: str) -> str:
    """`path` on the host the request came to: the schema promises a URI."""
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class PostImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The image file (owner only); null for a placeholder.")
    is_placeholder = serializers.BooleanField(read_only=True)

    class Meta:
        model = PostImage
        fields = [
            "id",
            "order",
            "url",
            "is_placeholder",
            "width",
            "height",
            "alt",
            "source_url",
            "content_type",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, image: PostImage) -> str | None:
        if image.is_placeholder:
            return None
        return absolute_link(
            self,
            reverse(
                "threads-api:post-image-file",
                kwargs={"thread_id": image.post.thread_id, "position": image.post.position, "pk": image.pk},
            ),
        )


class PostSerializer(serializers.ModelSerializer):
    images = PostImageSerializer(many=True, read_only=True)

    class Meta:
        model = Post
        fields = ["id", "position", "text", "source_id", "images"]
        read_only_fields = fields


class ThreadSummarySerializer(serializers.ModelSerializer):
    post_count = serializers.IntegerField(read_only=True)
    handle = serializers.CharField(read_only=True)
    avatar_url = serializers.CharField(
        read_only=True, help_text="Where the avatar came from; empty if nowhere."
    )
    source_url = serializers.CharField(
        read_only=True, help_text="Where the thread came from; empty if unknown."
    )

    class Meta:
        model = Thread
        fields = [
            "id",
            "title",
            "author_name",
            "handle",
            "avatar_url",
            "source_url",
            "post_count",
            "created",
            "updated",
        ]
        read_only_fields = fields


class ThreadSerializer(ThreadSummarySerializer):
    posts = PostSerializer(many=True, read_only=True)
    avatar = serializers.SerializerMethodField()
    images_to_add = serializers.SerializerMethodField(
        help_text="Positions (from 1) of the posts that still have images to add: "
        "exports draw them as grey boxes unless asked to leave them out."
    )
    source_key = serializers.CharField(
        read_only=True,
        help_text="The id on X of the thread's first post, when it came from X: "
        "saving that thread again updates this one.",
    )
    draft = serializers.BooleanField(
        read_only=True,
        help_text="Still being imported: pictures with a source_url are awaited "
        "(upload each with `placeholder`, or POST confirm/). Exports wait for it.",
    )
    images_pending = serializers.SerializerMethodField(
        help_text="How many awaited pictures (placeholders with a source_url) a draft still waits for."
    )

    style_draft = ObjectField(
        read_only=True,
        help_text="The visual editor's current style for this thread (a whole style document), "
        "saved as it changes; {} when there is none.",
    )

    class Meta(ThreadSummarySerializer.Meta):
        fields = [
            *ThreadSummarySerializer.Meta.fields,
            "avatar",
            "source_key",
            "draft",
            "images_pending",
            "images_to_add",
            "arrangement",
            "style_draft",
            "posts",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar(self, thread: Thread) -> str | None:
        if not thread.avatar:
            return None
        return absolute_link(self, reverse("threads-api:thread-avatar", kwargs={"pk": thread.pk}))

    def get_images_to_add(self, thread: Thread) -> list[int]:
        # From the posts and images already loaded for `posts`: no query.
        return [
            post.position
            for post in thread.posts.all()
            if any(image.is_placeholder for image in post.images.all())
        ]

    def get_images_pending(self, thread: Thread) -> int:
        if not thread.draft:
            return 0
        return sum(
            1
            for post in thread.posts.all()
            for image in post.images.all()
            if image.is_placeholder and image.source_url
        )


class PostWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="An existing post to keep; omit for a new post.")
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ThreadWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    author_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    handle = serializers.CharField(max_length=31, required=False, allow_blank=True, default="")
    avatar_url = serializers.URLField(max_length=2048, required=False, allow_blank=True, default="")
    source_url = serializers.URLField(max_length=2048, required=False, allow_blank=True, default="")
    posts = PostWriteSerializer(many=True, required=False, help_text="The posts, in order.")
    arrangement = ObjectField(
        required=False,
        help_text="Carousel Studio's saved choices (see the README): posts, title, end_text, breaks, "
        "keep, slides, cover, end; {} for none. Checked against the posts as they are after this change.",
    )

    style_draft = ObjectField(
        required=False,
        help_text="The visual editor's current style (a style document, validated as presets' are; "
        "missing keys take the defaults), kept for the next time the thread is designed, "
        "on any device; {} clears it.",
    )
    preset = serializers.IntegerField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="The preset (yours or built-in) the editor last applied, remembered for you: "
        "the editor starts from it on threads without a draft; null for the default look.",
    )

    def validate_handle(self, value: str) -> str:
        return validate_handle(value)


class ThreadCreateSerializer(ThreadWriteSerializer):
    posts = PostWriteSerializer(many=True, help_text='The posts, in order: [{"text": "..."}].')
    arrangement = None  # type: ignore[assignment]  # arranged once the thread exists
    style_draft = None  # type: ignore[assignment]  # designed once the thread exists
    preset = None  # type: ignore[assignment]


class ImportSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["text", "json"])
    content = TextOrObjectField(
        help_text="For `text`: the pasted text (a string). "
        "For `json`: the thread JSON as an object or a string."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    await_images = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Keep the thread a draft until each picture with a `url` is uploaded "
        "(`placeholder=<image id>`) or confirm/ is posted: the browser extension's "
        "thread and pictures are one import.",
    )


class ImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PNG, JPEG, WebP or GIF (first frame).")
    alt = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    placeholder = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of the placeholder image this picture is (else the post's first placeholder).",
    )


class AvatarUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PNG, JPEG, WebP or GIF (first frame).")


class PresetSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(read_only=True, help_text="Built-in presets only; empty for yours.")
    is_builtin = serializers.BooleanField(read_only=True)

    class Meta:
        model = StylePreset
        fields = ["id", "name", "slug", "is_builtin", "style", "created", "updated"]

        read_only_fields = fields


class PresetWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    # DRF's metaclass takes declared fields off the class, so `style` does not
    # clash with Field.style at run time; mypy sees only the class body.
    style = ObjectField(  # type: ignore[assignment]
        help_text="The style document; missing keys take the defaults."
    )


class PresetPatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    style = ObjectField(  # type: ignore[assignment]
        required=False, help_text="A whole style document (missing keys: defaults)."
    )
