"""The Django side of rendering: the app's threads (rows and files in
storage) and imported threads turned into the engine's `RenderInput`."""

from dataclasses import replace

from django.conf import settings
from django.core.files.storage import default_storage

from brand.selectors import BrandFiles
from rendering.engine import renderer
from rendering.engine.layout import ImageInfo, PostInfo, ThreadInfo
from rendering.engine.renderer import RenderInput
from threads.importers import ImportedThread
from threads.models import Thread
from threads.style import default_style


def input_from_imported(thread: ImportedThread) -> RenderInput:
    return RenderInput(
        ThreadInfo(
            title=thread.title,
            author_name=thread.author_name,
            handle=thread.handle,
            posts=tuple(
                PostInfo(
                    post.text,
                    tuple(ImageInfo(0, 0, placeholder=True, alt=image.alt) for image in post.images),
                )
                for post in thread.posts
            ),
        )
    )


def read_file(name: str | None) -> bytes | None:
    if not name:
        return None
    with default_storage.open(name) as stored:
        data: bytes = stored.read()
        return data


def input_from_thread(thread: Thread) -> RenderInput:
    posts, pictures = [], {}
    for number, post in enumerate(thread.posts.all()):
        images = list(post.images.all())
        posts.append(
            PostInfo(
                post.text,
                tuple(
                    ImageInfo(
                        image.width or 0, image.height or 0, placeholder=image.is_placeholder, alt=image.alt
                    )
                    for image in images
                ),
            )
        )
        for index, image in enumerate(images):
            pictures[(number, index)] = read_file(image.file.name)
    info = ThreadInfo(thread.title, thread.author_name, thread.handle, tuple(posts))
    return RenderInput(info, pictures, read_file(thread.avatar.name))


def without_images_to_add(data: RenderInput) -> RenderInput:
    """`data` with its placeholder images left out (an export's
    "placeholders": "drop"): each post keeps its uploaded images in order,
    and the pictures are numbered again to match, since the painter finds
    a post's picture by (post, image) index."""
    posts, pictures = [], {}
    for number, post in enumerate(data.thread.posts):
        kept = [index for index, image in enumerate(post.images) if not image.placeholder]
        posts.append(replace(post, images=tuple(post.images[index] for index in kept)))
        for new, old in enumerate(kept):
            if (number, old) in data.pictures:
                pictures[(number, new)] = data.pictures[(number, old)]
    return replace(data, thread=replace(data.thread, posts=tuple(posts)), pictures=pictures)


def render_limits() -> renderer.Limits:
    return renderer.Limits(
        max_pixels=settings.RENDER_MAX_MEGAPIXELS * 1_000_000, max_pages=settings.RENDER_MAX_PAGES
    )


def warm_up() -> None:
    """The engine warmed with the default style, as workers and web
    processes do when they start."""
    renderer.warm_up(default_style())


def with_brand(data: RenderInput, brand: BrandFiles) -> RenderInput:
    """`data` with its owner's brand kit: their font and logo, and the kit's
    end line on a carousel whose arrangement gives none."""
    thread = data.thread if data.thread.end_text else replace(data.thread, end_text=brand.end_text.strip())
    return replace(data, thread=thread, fonts=brand.fonts, logo=brand.logo)
