"""Writes and rules for threads, posts, images and presets."""

import dataclasses
import functools
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, QuerySet
from django.utils import timezone

from accounts.models import User
from brand.selectors import brand_kit_for, font_families
from config.errors import Forbidden, Invalid, NotFound
from rendering.engine.layout import drawable
from threads.arrangement import paragraph_counts
from threads.arrangement import validate as arrangement_validate
from threads.builtin_presets import BUILTIN_PRESETS
from threads.images import CleanImage, ImageLimits, image_clean
from threads.importers import ImportedImage, ImportedThread, ImportLimits, import_thread
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
def thread_create(
    *, owner: User, imported: ImportedThread, source_url: str = "", source_key: str = ""
) -> Thread:
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
        source_url=source_url or imported.source_url,
        source_key=source_key,
    )
    if kit and kit.avatar:
        thread.avatar.name = copy_stored(str(kit.avatar.name), folder="avatars")
        thread.save(update_fields=["avatar"])
    posts = Post.objects.bulk_create(
        Post(thread=thread, position=index, text=text, source_id=post.source_id)
        for index, (text, post) in enumerate(zip(texts, imported.posts, strict=True), start=1)
    )
    PostImage.objects.bulk_create(
        PostImage(post=post, order=order, source_url=image.url or "", alt=image.alt)
        for post, parsed in zip(posts, imported.posts, strict=True)
        for order, image in enumerate(parsed.images)
    )
    return thread


def thread_import(*, owner: User, format: str, content: object, title: str = "") -> Thread:
    thread, _ = thread_import_saved(owner=owner, format=format, content=content, title=title)
    return thread


def thread_import_saved(
    *, owner: User, format: str, content: object, title: str = "", await_images: bool = False
) -> tuple[Thread, bool]:
    """Import a thread: a new one (True), or the one already saved from the
    same source, brought up to date (False)."""
    imported = import_thread(format=format, content=content, limits=import_limits())
    if title:
        imported = dataclasses.replace(imported, title=title)
    return thread_save_imported(owner=owner, imported=imported, await_images=await_images)


STATUS_ID = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:x|twitter)\.com/\w+/status(?:es)?/([0-9]{1,20})(?:[/?#]|$)"
)


def source_key_of(imported: ImportedThread) -> str:
    """What a thread from X is known by: its first post's id, else the
    status id in its address; "" for a thread from nowhere in particular."""
    if imported.posts and imported.posts[0].source_id:
        return imported.posts[0].source_id
    match = STATUS_ID.match(imported.source_url)
    return match.group(1) if match else ""


def thread_save_imported(
    *, owner: User, imported: ImportedThread, await_images: bool = False
) -> tuple[Thread, bool]:
    """Save a thread from a source. Saving the same source thread again
    (same key: `source_key_of`) updates the saved one in place and never
    makes a second; an unchanged thread is not written at all. With
    `await_images`, a thread whose pictures have addresses stays a draft
    until each is uploaded (`placeholder_fill`) or the user confirms
    without them: the thread and its pictures are one import."""
    key = source_key_of(imported)
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = (
                    Thread.objects.select_for_update().filter(owner=owner, source_key=key).first()
                    if key
                    else None
                )
                if existing is None:
                    thread, created = thread_create(owner=owner, imported=imported, source_key=key), True
                else:
                    thread, created = thread_refresh(thread=existing, imported=imported), False
                draft_after_import(thread, await_images=await_images)
                return thread, created
        except IntegrityError:
            # Two saves of one new source thread at once: the other made it
            # first; this one now updates it.
            if attempt or not key:
                raise
    raise AssertionError("unreachable")


def draft_after_import(thread: Thread, *, await_images: bool) -> None:
    draft = (await_images or thread.draft) and awaited_images(thread).exists()
    if draft != thread.draft:
        thread.draft = draft
        thread.save(update_fields=["draft"])


def awaited_images(thread: Thread) -> QuerySet[PostImage]:
    """The pictures an import still waits for: placeholders with an address."""
    return PostImage.objects.filter(post__thread=thread, file="").exclude(source_url="")


def thread_refresh(*, thread: Thread, imported: ImportedThread) -> Thread:
    """Bring a thread saved from a source up to date with it: the author,
    and exactly the source's posts in its order, each matched to the saved
    one by its id so that its pictures (matched by address) stay uploaded.
    The user's title, style and Studio choices stay. Nothing is written
    when nothing changed."""
    texts = [normalize_text(post.text) for post in imported.posts]
    check_post_limits(texts, [index for index, post in enumerate(imported.posts) if post.images])
    changed = False
    values = {
        "author_name": fitted("author_name", normalize_text(imported.author_name)),
        "handle": imported.handle.lstrip("@"),
        "avatar_url": imported.avatar_url or thread.avatar_url,
        "source_url": imported.source_url or thread.source_url,
    }
    for field, value in values.items():
        if value and getattr(thread, field) != value:
            setattr(thread, field, value)
            changed = True
    saved = {post.source_id: post for post in thread.posts.prefetch_related("images") if post.source_id}
    order = [saved.get(post.source_id) if post.source_id else None for post in imported.posts]
    kept_ids = {post.pk for post in order if post is not None}
    removed = [post for post in thread.posts.all() if post.pk not in kept_ids]
    moved = {post.position: number for number, post in enumerate(order, start=1) if post is not None}
    if removed or any(old != new for old, new in moved.items()) or len(order) != len(moved):
        changed = True
        renumber_source_posts(thread, order, texts, imported, removed)
        thread.arrangement = arrangement_kept(thread, arrangement_renumbered(thread.arrangement, moved))
    for post, text, source in zip(order, texts, imported.posts, strict=True):
        if post is None:
            continue
        if post.text != text:
            post.text = text
            post.save(update_fields=["text"])
            changed = True
        changed = images_refreshed(post, source.images) or changed
    if changed:
        thread.save()
    return thread


def renumber_source_posts(
    thread: Thread,
    order: Sequence[Post | None],
    texts: Sequence[str],
    imported: ImportedThread,
    removed: Sequence[Post],
) -> None:
    """Make the thread's posts the source's, in its order: saved posts kept
    (moved), new ones made with their placeholders, others removed."""
    delete_files_on_commit(
        PostImage.objects.filter(post__in=[post.pk for post in removed]).values_list("file", flat=True)
    )
    Post.objects.filter(pk__in=[post.pk for post in removed]).delete()
    Post.objects.filter(thread=thread).update(position=F("position") + settings.THREAD_MAX_POSTS + 1_000_000)
    for number, (post, text, source) in enumerate(zip(order, texts, imported.posts, strict=True), start=1):
        if post is not None:
            post.position = number
            post.save(update_fields=["position"])
            continue
        made = Post.objects.create(thread=thread, position=number, text=text, source_id=source.source_id)
        PostImage.objects.bulk_create(
            PostImage(post=made, order=index, source_url=image.url or "", alt=image.alt)
            for index, image in enumerate(source.images)
        )


def arrangement_kept(thread: Thread, arrangement: dict[str, Any]) -> dict[str, Any]:
    """The Studio's saved choices, if they still fit the posts; else none."""
    if not arrangement:
        return arrangement
    texts = list(Post.objects.filter(thread=thread).order_by("position").values_list("text", flat=True))
    try:
        return arrangement_validate(arrangement, paragraph_counts(texts), field="arrangement")
    except Invalid:
        return {}


def images_refreshed(post: Post, wanted: Sequence[ImportedImage]) -> bool:
    """Make a kept post's pictures the source's, in its order: one already
    saved under the same address stays (uploaded or not); a new address
    becomes a placeholder; an address the source dropped goes. Pictures
    the user added by hand (no address) stay, after the source's. Returns
    whether anything changed."""
    images = list(post.images.all())
    by_address = {image.source_url: image for image in images if image.source_url}
    unaddressed = [image for image in images if not image.source_url]
    keep: list[PostImage] = []
    changed = False
    for source in wanted:
        if source.url:
            image = by_address.pop(source.url, None)
        else:
            image = unaddressed.pop(0) if unaddressed else None
        if image is None:
            image = PostImage(post=post, source_url=source.url or "", alt=source.alt)
            changed = True
        elif source.alt and not image.alt:  # alt text written here stays
            image.alt = source.alt
            changed = True
        keep.append(image)
    keep.extend(unaddressed)
    gone = list(by_address.values())
    if gone:
        delete_files_on_commit(image.file.name for image in gone)
        PostImage.objects.filter(pk__in=[image.pk for image in gone]).delete()
        changed = True
    for order, image in enumerate(keep):
        if image.pk is None or image.order != order or changed:
            image.order = order
            image.save()
    return changed


@transaction.atomic
def thread_confirm(*, thread: Thread) -> Thread:
    """Take a thread out of draft without the pictures it was waiting for:
    they stay as images to add, for the user to upload or leave out."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.draft:
        thread.draft = False
        thread.save(update_fields=["draft", "updated"])
    return thread


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


def post_image_add(
    *, post: Post, upload: BinaryIO, alt: str = "", placeholder: int | None = None
) -> PostImage:
    """Store an uploaded image on a post. It fills the placeholder
    `placeholder` (an image id) when given, else the post's first image
    placeholder when there is one, else it is appended."""
    # Decoding and re-encoding happen before any row is locked.
    clean = image_clean(upload, limits=image_limits(), field="file")
    with transaction.atomic():
        return attach_image(post=post, clean=clean, alt=alt, placeholder=placeholder)


def attach_image(*, post: Post, clean: CleanImage, alt: str, placeholder: int | None = None) -> PostImage:
    post = Post.objects.select_for_update().get(pk=post.pk)
    images = list(post.images.all())
    if placeholder is not None:
        chosen = next((image for image in images if image.pk == placeholder), None)
        if chosen is None:
            raise Invalid(f"Post {post.position} has no image {placeholder}.", field="placeholder")
        if not chosen.is_placeholder:
            if chosen.sha256 == clean.sha256:
                return chosen  # the same picture sent again: already there
            raise Invalid(f"Image {placeholder} is already uploaded; delete it first.", field="placeholder")
        return fill(chosen, clean, alt)
    first = next((image for image in images if image.is_placeholder), None)
    if first is None and len(images) >= settings.POST_MAX_IMAGES:
        raise Invalid(f"A post can have at most {settings.POST_MAX_IMAGES} images.", field="file")
    return fill(
        first or PostImage(post=post, order=max((i.order for i in images), default=-1) + 1), clean, alt
    )


def fill(image: PostImage, clean: CleanImage, alt: str) -> PostImage:
    """Store `clean` as `image`'s file; a thread whose import waited for its
    last picture is then complete."""
    name = store_image(clean, folder="post-images")
    with_file(image, clean, name, alt)
    try:
        image.save()
    except Exception:
        default_storage.delete(name)
        raise
    images_landed(image.post.thread_id)
    return image


def with_file(image: PostImage, clean: CleanImage, name: str, alt: str = "") -> PostImage:
    image.file.name = name
    image.content_type = clean.content_type
    image.sha256 = clean.sha256
    image.width, image.height = clean.width, clean.height
    image.alt = alt or image.alt
    return image


def images_landed(thread_id: int) -> None:
    """After pictures were stored: the thread changed, and an import that
    waited for them is complete once none is awaited."""
    Thread.objects.filter(pk=thread_id).update(updated=timezone.now())
    awaited = PostImage.objects.filter(post__thread_id=thread_id, file="").exclude(source_url="")
    Thread.objects.filter(pk=thread_id, draft=True).exclude(Exists(awaited)).update(draft=False)


def placeholder_fill(*, image: PostImage, clean: CleanImage) -> PostImage:
    """Fill one placeholder (an importer's picture, found where it came
    from): the same as uploading it with `placeholder=image.pk`."""
    with transaction.atomic():
        return attach_image(post=image.post, clean=clean, alt="", placeholder=image.pk)


def placeholders_fill(*, thread: Thread, fills: Sequence[tuple[PostImage, CleanImage]]) -> int:
    """Fill several placeholders of one thread at once (an archive's
    pictures): the files stored first, then one transaction, one lock and
    one write for them all. A placeholder filled meanwhile (an upload won)
    keeps its file; returns how many were filled here."""
    stored = [store_image(clean, folder="post-images") for _, clean in fills]
    try:
        with transaction.atomic():
            Thread.objects.select_for_update().filter(pk=thread.pk).values_list("pk").first()
            ids = [image.pk for image, _ in fills]
            empty = set(
                PostImage.objects.filter(pk__in=ids, post__thread=thread, file="").values_list(
                    "pk", flat=True
                )
            )
            filled = [
                with_file(image, clean, name)
                for (image, clean), name in zip(fills, stored, strict=True)
                if image.pk in empty
            ]
            PostImage.objects.bulk_update(filled, ["file", "content_type", "sha256", "width", "height"])
            delete_files_on_commit(
                name for (image, _), name in zip(fills, stored, strict=True) if image.pk not in empty
            )
            if filled:
                images_landed(thread.pk)
            return len(filled)
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


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
