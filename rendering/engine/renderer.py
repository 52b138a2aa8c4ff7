"""The engine's entry points, used by the preview, the API, the jobs and the
CLI alike: plain thread data and a validated style document in, files out."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from rendering.engine import outputs
from rendering.engine.layout import (
    Measure,
    Metrics,
    Page,
    PostInfo,
    ThreadInfo,
    lay_out_cards,
    lay_out_carousel,
    lay_out_thread,
)
from rendering.engine.paint import paint
from rendering.engine.spec import Spec, spec_from_style
from rendering.engine.text import fonts
from rendering.engine.text.runs import Measurer
from rendering.engine.vocabulary import FORMATS, IMAGE_FORMATS, KINDS


class RenderRefused(ValueError):
    pass


@dataclass(frozen=True)
class RenderInput:
    thread: ThreadInfo
    pictures: dict[tuple[int, int], bytes | None] = field(default_factory=dict)
    avatar: bytes | None = None


@dataclass(frozen=True)
class RenderedFile:
    name: str
    content: bytes
    content_type: str
    width: int
    height: int
    pages: int
    alt: str


def metrics_for(spec: Spec) -> Metrics:
    measure: dict[str, Measure] = {}
    for role in ("body", "name", "handle", "title", "subtitle", "footer", "number"):
        size, weight, _ = spec.text_role(role)
        measure[role] = Measurer(spec.font, size, weight)
    return Metrics(
        width=spec.width,
        height=spec.height,
        padding=spec.padding,
        card_padding=spec.card_padding,
        radius=spec.radius,
        body_size=spec.text_size,
        line_height=spec.line_height,
        measure=measure,
        show_avatar=spec.show_avatar,
        show_name=spec.show_name,
        show_handle=spec.show_handle,
        slide_numbers=spec.slide_numbers,
        watermark=spec.watermark,
    )


def lay_out(data: RenderInput, spec: Spec, kind: str) -> list[Page]:
    metrics = metrics_for(spec)
    return {"cards": lay_out_cards, "thread": lay_out_thread, "carousel": lay_out_carousel}[kind](
        data.thread, metrics
    )


def render(
    *,
    data: RenderInput,
    style: dict[str, Any],
    kind: str,
    fmt: str,
    scale: int = 1,
    watermark_forced: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[RenderedFile]:
    """Pages of `kind` as `fmt`: an image per page, or one PDF (carousels)
    or one ZIP of PNGs. `progress(done, total)` hears of each page."""
    if kind not in KINDS:
        raise RenderRefused(f"kind must be one of {', '.join(KINDS)}")
    if fmt not in FORMATS or (fmt == "pdf" and kind != "carousel"):
        raise RenderRefused("format must be png, jpeg, webp or zip (pdf for carousels)")
    spec = spec_from_style(style, kind=kind, scale=scale, watermark_forced=watermark_forced)
    pages = lay_out(data, spec, kind)
    # Each page is encoded as soon as it is painted, so a render holds one
    # raster at a time whatever the number of slides.
    encoding = "png" if fmt in ("pdf", "zip") else fmt
    encoded: list[bytes] = []
    sizes: list[tuple[int, int]] = []
    for page in pages:
        image = paint(page, spec, data.pictures, data.avatar, data.thread.author_name)
        encoded.append(outputs.encode(image, encoding))
        sizes.append(image.size)
        del image
        if progress:
            progress(len(encoded), len(pages))
    stem = kind if kind != "cards" else "card"
    if fmt in ("pdf", "zip"):
        alt = "\n\n".join(page.alt for page in pages)
        if fmt == "pdf":
            content = outputs.pdf(encoded, title=data.thread.title, subject=alt)
        else:
            content = outputs.zip_of([(f"{stem}-{n:02d}.png", png) for n, png in enumerate(encoded, start=1)])
        width, height = sizes[0]
        return [
            RenderedFile(f"{kind}.{fmt}", content, outputs.content_type(fmt), width, height, len(pages), alt)
        ]
    return [
        RenderedFile(
            f"{stem}-{number:02d}.{outputs.extension(fmt)}",
            content,
            outputs.content_type(fmt),
            width,
            height,
            1,
            page.alt,
        )
        for number, (page, content, (width, height)) in enumerate(
            zip(pages, encoded, sizes, strict=True), start=1
        )
    ]


@dataclass(frozen=True)
class RenderedPage:
    content: bytes
    content_type: str
    width: int
    height: int
    pages: int  # how many the whole render has
    alt: str


def render_page(
    *,
    data: RenderInput,
    style: dict[str, Any],
    kind: str,
    page: int,
    fmt: str = "png",
    scale: int = 1,
    watermark_forced: bool = True,
) -> RenderedPage:
    """One page (a card, the thread image or a slide; `page` from 1) exactly
    as the full render draws it: the editor's preview."""
    if kind not in KINDS:
        raise RenderRefused(f"kind must be one of {', '.join(KINDS)}")
    if fmt not in IMAGE_FORMATS:
        raise RenderRefused(f"format must be one of {', '.join(IMAGE_FORMATS)}")
    spec = spec_from_style(style, kind=kind, scale=scale, watermark_forced=watermark_forced)
    pages = lay_out(data, spec, kind)
    if not 1 <= page <= len(pages):
        raise RenderRefused(f"page must be between 1 and {len(pages)}")
    chosen = pages[page - 1]
    image = paint(chosen, spec, data.pictures, data.avatar, data.thread.author_name)
    return RenderedPage(
        outputs.encode(image, fmt),
        outputs.content_type(fmt),
        image.width,
        image.height,
        len(pages),
        chosen.alt,
    )


@dataclass(frozen=True)
class Arrangement:
    """Carousel Studio's choices: which posts in which order (1-based
    positions; empty: all, as they are), the cover's title, the end line."""

    posts: tuple[int, ...] = ()
    title: str = ""
    end_text: str = ""


def arrange(data: RenderInput, arrangement: Arrangement) -> RenderInput:
    posts = data.thread.posts
    order = arrangement.posts or tuple(range(1, len(posts) + 1))
    pictures = {
        (new, image): data.pictures[(old - 1, image)]
        for new, old in enumerate(order)
        for image in range(len(posts[old - 1].images))
        if (old - 1, image) in data.pictures
    }
    thread = replace(
        data.thread,
        title=arrangement.title.strip() or data.thread.title,
        end_text=arrangement.end_text.strip(),
        posts=tuple(posts[position - 1] for position in order),
    )
    return RenderInput(thread, pictures, data.avatar)


def warm_up(style: dict[str, Any]) -> None:
    """Read the fonts, build `style`'s background and card, load the
    encoder: a worker process does this as it starts, so its first job does
    not pay for it."""
    fonts.warm_up()
    sample = PostInfo("The quick brown fox jumps over the lazy dog, 0123456789 times.", ())
    thread = ThreadInfo("Warm-up", "Thread Navigator", "threadnavigator", (sample,))
    render(data=RenderInput(thread), style=style, kind="carousel", fmt="png")
