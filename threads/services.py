"""Writes and rules for threads, posts, images and presets."""

import dataclasses
import functools
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from brand.selectors import brand_kit_for, font_families
from config.errors import Forbidden, Invalid, NotFound
from rendering.engine.layout import drawable
from threads.arrangement import paragraph_counts
from threads.arrangement import validate as arrangement_validate
from threads.builtin_presets import BUILTIN_PRESETS
from threads.images import CleanImage, ImageLimits, image_clean
from threads.importers import ImportedThread, ImportLimits, import_thread
from threads.importers.model import check_post_count, check_post_text
from threads.models import Post, PostImage, StylePreset, Thread
from threads.style import style_check_plan, style_validate

THREAD_FIELDS = ("title", "author_name", "handle", "avatar_url", "source_url")


@dataclass(frozen=True)
class PostEdit:
    """One entry of a thread's new post list: an existing post by id (text
    None keeps its text) or, without id, a new post."""

    text: str | None = None
    id: int | None = None


def import_limits() -> ImportLimits:
    return ImportLimits(
        max_posts=settings.THREAD_MAX_POSTS,
        max_post_chars=settings.POST_MAX_CHARS,
        max_images_per_post=settings.POST_MAX_IMAGES,
    )


def image_limits() -> ImageLimits:
    return ImageLimits(max_bytes=settings.IMAGE_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS)


def normalize_text(text: str) -> str:
    """NFC, without control characters (nothing draws them)."""
    return unicodedata.normalize("NFC", drawable(text))


def fitted(field: str, value: str) -> str:
    """`value` if it fits its column once normalised (NFC can make a text
    longer: one character of U+FB2C is three), else `Invalid` naming it."""
    limit: int | None = getattr(Thread._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        raise Invalid(
            f"must be at most {limit:,} characters (once normalised, it has {len(value):,}).", field=field
        )
    return value


def check_post_limits(texts: Sequence[str | None], with_images: Iterable[int] = ()) -> None:
    """The importers' limits, for posts written through the API (None: a
    kept post whose text does not change; `with_images`: the indexes of
    posts that have pictures, which may go without text)."""
    limits = import_limits()
    pictured = set(with_images)
    check_post_count(len(texts), limits)
    for index, text in enumerate(texts):
        if text is not None:
            check_post_text(index, text, limits, has_images=index in pictured)


def delete_files_on_commit(names: Iterable[str | None]) -> None:
    """Remove stored files once the rows pointing at them are surely gone."""
    for name in names:
        if name:
            transaction.on_commit(functools.partial(default_storage.delete, name))


def copy_stored(name: str, *, folder: str) -> str:
    """A copy of a stored file under a new name in `folder` (each row owns
    its file: deleting one never takes another's). The file is already clean."""
    extension = name.rsplit(".", 1)[-1]
    with default_storage.open(name) as source:
        return default_storage.save(
            f"{folder}/copies/{uuid.uuid4().hex}.{extension}", ContentFile(source.read())
        )


def store_image(clean: CleanImage, *, folder: str) -> str:
    # A generated name: the client's filename never reaches the storage.
    return default_storage.save(
        f"{folder}/{clean.sha256[:2]}/{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.content)
    )


# --- Threads -------------------------------------------------------------------


@transaction.atomic
def thread_create(*, owner: User, imported: ImportedThread, source_url: str = "") -> Thread:
    """Save a parsed thread (from an importer or the API) with its posts and
    image placeholders."""
    texts = [normalize_text(post.text) for post in imported.posts]
    check_post_limits(texts, [index for index, post in enumerate(imported.posts) if post.images])
    author_name = fitted("author_name", normalize_text(imported.author_name))
    handle = imported.handle.lstrip("@")
    # A thread that names no author (a numbered paste) is the user's own:
    # their brand kit's name, handle and avatar.
    kit = brand_kit_for(user=owner) if not (author_name or handle or imported.avatar_url) else None
    thread = Thread.objects.create(
        owner=owner,
        title=normalize_text(imported.title)[:200],
        author_name=kit.author_name if kit else author_name,
        handle=kit.handle if kit else handle,
        avatar_url=imported.avatar_url or "",
        source_url=source_url,
    )
    if kit and kit.avatar:
        thread.avatar.name = copy_stored(str(kit.avatar.name), folder="avatars")
        thread.save(update_fields=["avatar"])
    posts = Post.objects.bulk_create(
        Post(thread=thread, position=index, text=text) for index, text in enumerate(texts, start=1)
    )
    PostImage.objects.bulk_create(
        PostImage(post=post, order=order, source_url=image.url or "", alt=image.alt)
        for post, parsed in zip(posts, imported.posts, strict=True)
        for order, image in enumerate(parsed.images)
    )
    return thread


def thread_import(*, owner: User, format: str, content: object, title: str = "") -> Thread:
    imported = import_thread(format=format, content=content, limits=import_limits())
    if title:
        imported = dataclasses.replace(imported, title=title)
    return thread_create(owner=owner, imported=imported)


@transaction.atomic
def thread_update(
    *,
    thread: Thread,
    changes: dict[str, str],
    posts: Sequence[PostEdit] | None = None,
    arrangement: dict[str, Any] | None = None,
    style_draft: dict[str, Any] | None = None,
) -> Thread:
    """Change a thread's fields and, when `posts` is given, make its posts
    exactly that list, in that order: kept, edited, added; others removed.
    An `arrangement` (Carousel Studio's) is checked against the posts as
    they are then. A `style_draft` (the editor's current style) is
    validated as a style document and kept whole; {} clears it."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if style_draft is not None:
        thread.style_draft = (
            style_validate(style_draft, field="style_draft", fonts=font_families(user=thread.owner))
            if style_draft
            else {}
        )
    for field in THREAD_FIELDS:
        if field in changes:
            value = changes[field]
            value = value.lstrip("@") if field == "handle" else normalize_text(value)
            setattr(thread, field, fitted(field, value))
    if posts is not None:
        replace_posts(thread=thread, posts=posts)
    if arrangement is not None:
        texts = list(Post.objects.filter(thread=thread).order_by("position").values_list("text", flat=True))
        thread.arrangement = arrangement_validate(arrangement, paragraph_counts(texts), field="arrangement")
    thread.save()
    return thread


def replace_posts(*, thread: Thread, posts: Sequence[PostEdit]) -> None:
    existing = {post.id: post for post in thread.posts.prefetch_related("images")}
    posts = [
        edit if edit.text is None else dataclasses.replace(edit, text=normalize_text(edit.text))
        for edit in posts
    ]
    check_post_limits(
        [edit.text for edit in posts],
        [index for index, edit in enumerate(posts) if edit.id in existing and existing[edit.id].images.all()],
    )
    wanted = [edit.id for edit in posts if edit.id is not None]
    for index, edit in enumerate(posts):
        if edit.id is not None and edit.id not in existing:
            raise Invalid(f"This thread has no post with id {edit.id}.", field=f"posts[{index}].id")
        if edit.id is None and edit.text is None:
            raise Invalid("A new post needs its text.", field=f"posts[{index}].text")
    if len(set(wanted)) != len(wanted):
        raise Invalid("Each post may appear only once.", field="posts")

    removed = Post.objects.filter(thread=thread).exclude(id__in=wanted)
    delete_files_on_commit(PostImage.objects.filter(post__in=removed).values_list("file", flat=True))
    removed.delete()
    # Move the kept posts out of the way so renumbering never collides.
    Post.objects.filter(thread=thread).update(position=F("position") + settings.THREAD_MAX_POSTS + 1_000_000)
    kept, added = [], []
    for position, edit in enumerate(posts, start=1):
        if edit.id is None:
            added.append(Post(thread=thread, position=position, text=edit.text or ""))
            continue
        post = existing[edit.id]
        post.position = position
        if edit.text is not None:
            post.text = edit.text
        kept.append(post)
    Post.objects.bulk_update(kept, ["position", "text"])
    Post.objects.bulk_create(added)


@transaction.atomic
def post_edit_text(*, post: Post, text: str) -> Post:
    """Change one post's text in place (the navigator's edit)."""
    text = normalize_text(text)
    check_post_text(post.position - 1, text, import_limits(), has_images=post.images.exists())
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.text = text
    post.save(update_fields=["text"])
    Thread.objects.filter(pk=post.thread_id).update(updated=timezone.now())
    return post


@transaction.atomic
def post_move(*, post: Post, position: int) -> Post:
    """Move one post to `position` (from 1); those between shift by one.
    The thread's saved arrangement follows its posts: a slide edit or a
    break made on a post stays with that post, and a carousel's own order
    of chosen posts stays its own."""
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    posts = list(Post.objects.filter(thread=thread).order_by("position"))
    if not 1 <= position <= len(posts):
        raise Invalid(f"must be a post number from 1 to {len(posts)}.", field="position")
    moving = next(item for item in posts if item.pk == post.pk)
    posts.remove(moving)
    posts.insert(position - 1, moving)
    moved = {item.position: number for number, item in enumerate(posts, start=1)}
    # Out of the way first, so renumbering never collides (as in replace_posts).
    Post.objects.filter(thread=thread).update(position=F("position") + settings.THREAD_MAX_POSTS + 1_000_000)
    for number, item in enumerate(posts, start=1):
        item.position = number
    Post.objects.bulk_update(posts, ["position"])
    thread.arrangement = arrangement_renumbered(thread.arrangement, moved)
    thread.save(update_fields=["arrangement", "updated"])
    return moving


def arrangement_renumbered(arrangement: dict[str, Any], moved: dict[int, int]) -> dict[str, Any]:
    """A saved arrangement with each post's old position replaced by its new
    one (positions no post has any more stay, for `fitted` to drop)."""
    if not arrangement:
        return arrangement

    def new(position: int) -> int:
        return moved.get(position, position)

    return {
        **arrangement,
        "posts": [new(position) for position in arrangement.get("posts", [])],
        "keep": [new(position) for position in arrangement.get("keep", [])],
        "breaks": sorted(
            ({**spot, "post": new(spot["post"])} for spot in arrangement.get("breaks", [])),
            key=lambda spot: (spot["post"], spot["paragraph"]),
        ),
        "slides": sorted(
            ({**slide, "post": new(slide["post"])} for slide in arrangement.get("slides", [])),
            key=lambda slide: (slide["post"], slide["slide"]),
        ),
    }


@transaction.atomic
def thread_delete(*, thread: Thread) -> None:
    files = list(PostImage.objects.filter(post__thread=thread).values_list("file", flat=True))
    delete_files_on_commit([*files, thread.avatar.name])
    thread.delete()


@transaction.atomic
def thread_set_avatar(*, thread: Thread, upload: BinaryIO) -> Thread:
    clean = image_clean(upload, limits=image_limits(), field="file")
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    delete_files_on_commit([thread.avatar.name])
    thread.avatar.name = store_image(clean, folder="avatars")
    thread.save(update_fields=["avatar", "updated"])
    return thread


@transaction.atomic
def thread_remove_avatar(*, thread: Thread) -> Thread:
    """Drop the uploaded avatar (exports then draw the author's initials);
    the file goes once the change is committed."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    delete_files_on_commit([thread.avatar.name])
    thread.avatar.name = ""
    thread.save(update_fields=["avatar", "updated"])
    return thread


# --- Post images ---------------------------------------------------------------


def post_at(*, thread: Thread, position: int) -> Post:
    post = Post.objects.filter(thread=thread, position=position).first()
    if post is None:
        raise NotFound(f"This thread has no post {position}.")
    return post


def post_image_add(*, post: Post, upload: BinaryIO, alt: str = "") -> PostImage:
    """Store an uploaded image on a post. It fills the post's first image
    placeholder when there is one, else it is appended."""
    # Decoding and re-encoding happen before any row is locked.
    clean = image_clean(upload, limits=image_limits(), field="file")
    with transaction.atomic():
        return attach_image(post=post, clean=clean, alt=alt)


def attach_image(*, post: Post, clean: CleanImage, alt: str) -> PostImage:
    post = Post.objects.select_for_update().get(pk=post.pk)
    images = list(post.images.all())
    placeholder = next((image for image in images if image.is_placeholder), None)
    if placeholder is None and len(images) >= settings.POST_MAX_IMAGES:
        raise Invalid(f"A post can have at most {settings.POST_MAX_IMAGES} images.", field="file")
    image = placeholder or PostImage(post=post, order=max((i.order for i in images), default=-1) + 1)
    image.file.name = store_image(clean, folder="post-images")
    image.content_type = clean.content_type
    image.sha256 = clean.sha256
    image.width, image.height = clean.width, clean.height
    image.alt = alt or image.alt
    try:
        image.save()
    except Exception:
        default_storage.delete(image.file.name)
        raise
    Thread.objects.filter(pk=post.thread_id).update(updated=timezone.now())
    return image


@transaction.atomic
def post_image_delete(*, image: PostImage) -> None:
    delete_files_on_commit([image.file.name])
    image.delete()


# --- Presets -------------------------------------------------------------------


def validated_style(*, owner: User, style: object) -> dict:
    """`style` checked for `owner`: their plan, and their own fonts allowed."""
    document = style_validate(style, field="style", fonts=font_families(user=owner))
    style_check_plan(document, watermark_forced=owner.plan.watermark_forced, field="style")
    return document


def name_taken(*, owner: User, name: str, exclude: int | None = None) -> bool:
    presets = StylePreset.objects.filter(owner=owner, name__iexact=name)
    if exclude is not None:
        presets = presets.exclude(pk=exclude)
    return presets.exists()


@transaction.atomic
def preset_create(*, owner: User, name: str, style: object) -> StylePreset:
    document = validated_style(owner=owner, style=style)
    if name_taken(owner=owner, name=name):
        raise Invalid("You already have a preset with this name.", field="name")
    try:
        with transaction.atomic():
            return StylePreset.objects.create(owner=owner, name=name, style=document)
    except IntegrityError as exc:
        raise Invalid("You already have a preset with this name.", field="name") from exc


@transaction.atomic
def preset_update(
    *, preset: StylePreset, user: User, name: str | None = None, style: object = None
) -> StylePreset:
    if preset.is_builtin:
        raise Forbidden("Built-in presets are read-only: save a copy under a new name to change it.")
    if name is not None:
        if name_taken(owner=user, name=name, exclude=preset.pk):
            raise Invalid("You already have a preset with this name.", field="name")
        preset.name = name
    if style is not None:
        preset.style = validated_style(owner=user, style=style)
    preset.save()
    return preset


@transaction.atomic
def preset_delete(*, preset: StylePreset) -> None:
    if preset.is_builtin:
        raise Forbidden("Built-in presets are read-only.")
    preset.delete()


@transaction.atomic
def preset_remember(*, user: User, preset: StylePreset | None) -> None:
    """Remember the preset `user` last applied in the editor (None: the
    default look), which the editor starts from next time. The caller
    found `preset` among those the user may see."""
    User.objects.filter(pk=user.pk).update(last_preset=preset)
    user.last_preset = preset


@transaction.atomic
def presets_sync_builtins() -> None:
    """Make the built-in preset rows match threads/builtin_presets.py."""
    slugs = [preset.slug for preset in BUILTIN_PRESETS]
    StylePreset.objects.filter(owner__isnull=True).exclude(slug__in=slugs).delete()
    for preset in BUILTIN_PRESETS:
        StylePreset.objects.update_or_create(
            owner=None,
            slug=preset.slug,
            defaults={"name": preset.name, "style": style_validate(preset.style)},
        )
