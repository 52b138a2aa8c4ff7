"""The engine's entry points, used by the preview, the API, the jobs and the
CLI alike: plain thread data and a validated style document in, files out."""

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from PIL import Image, UnidentifiedImageError

from rendering.engine import memory, outputs
from rendering.engine.cache import MB, ByteBoundedCache
from rendering.engine.layout import (
    Measure,
    Metrics,
    Page,
    PostInfo,
    SlideEdit,
    TextBox,
    ThreadInfo,
    Unrenderable,
    drawable,
    lay_out_cards,
    lay_out_carousel,
    lay_out_thread,
)
from rendering.engine.layout import (
    room_problem as layout_room_problem,
)
from rendering.engine.layout.model import logo_frame
from rendering.engine.overlay import draw_overlay
from rendering.engine.paint import drawn_size, paint, text_baseline
from rendering.engine.pdf import PdfLine, PdfPage
from rendering.engine.spec import ROLES, Spec, spec_from_style
from rendering.engine.text import fonts
from rendering.engine.text.bidi import CONTROLS
from rendering.engine.text.language import document_language
from rendering.engine.text.runs import Measurer
from rendering.engine.vocabulary import FAMILIES, FORMATS, IMAGE_FORMATS, KINDS, SCALES, scale_value, scaled


class RenderRefused(ValueError):
    """A render that cannot be made as asked: `field` names what to change and
    the message goes on from it ("scale makes page 3 …")."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field} {message}")
        self.message = f"{field} {message}"
        self.field = field


@dataclass(frozen=True)
class Limits:
    """What one render may make (the app sets them from its settings)."""

    max_pixels: int = 40_000_000
    max_pages: int = 1000


@dataclass(frozen=True)
class RenderInput:
    """What a render draws, files as bytes: the engine reads no storage.
    `fonts`: the owner's fonts by the family name styles give them (those
    the style may name); `logo`: the brand kit's logo, drawn where the
    style's logo.corner says."""

    thread: ThreadInfo
    pictures: dict[tuple[int, int], bytes | None] = field(default_factory=dict)
    avatar: bytes | None = None
    fonts: Mapping[str, bytes] = field(default_factory=dict)
    logo: bytes | None = None


@dataclass(frozen=True)
class RenderedFile:
    name: str
    content: bytes
    content_type: str
    width: int
    height: int
    pages: int
    alt: str
    posts: tuple[int, ...] = ()  # the posts it shows, by position from 1


def metrics_for(spec: Spec, limits: Limits | None = None, logo: tuple[int, int] | None = None) -> Metrics:
    """Layout's measures for `spec`; `logo`: the logo image's pixel size
    (None: no logo to draw, whatever the style's corner)."""
    measure: dict[str, Measure] = {}
    sizes: dict[str, float] = {}
    for role in ROLES:
        size, weight, _ = spec.text_role(role)
        measure[role], sizes[role] = Measurer(spec.role_font(role), size, weight), size
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
        sizes=sizes,
        sized=partial(measure_role_at, spec),
        unit=spec.unit,
        max_pixels=limits.max_pixels if limits else None,
        max_pages=limits.max_pages if limits else None,
        fit_sizes=spec.fit_sizes,
        leading=spec.leading,
        align=spec.align,
        pack=spec.pack,
        kind=spec.kind,
        logo=drawn_logo(spec, logo),
        logo_corner=spec.logo_corner,
    )


def drawn_logo(spec: Spec, logo: tuple[int, int] | None) -> tuple[int, int] | None:
    if logo is None or spec.logo_corner == "none":
        return None
    column = spec.width - 2 * (spec.padding + spec.card_padding)
    return logo_frame(spec.logo_size, logo[0] / logo[1], column)


def logo_pixels(logo: bytes | None) -> tuple[int, int] | None:
    """The logo image's width and height (its header read, not its
    pixels); None without one, or for one that cannot be read."""
    if not logo:
        return None
    try:
        with Image.open(io.BytesIO(logo)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def with_fonts(spec: Spec, data: RenderInput) -> Spec:
    """`spec` drawing the style's family from the file `data` holds for it
    (a user's font); a family not built in that `data` has no file for
    stays the default family (`spec_from_style`)."""
    content = data.fonts.get(spec.family)
    if content is None or spec.family in FAMILIES:
        return spec
    return replace(spec, font=fonts.custom_family(content))


def measure_role_at(spec: Spec, role: str, size: int) -> Measure:
    return Measurer(spec.role_font(role), size, spec.text_role(role)[1])


def lay_out(data: RenderInput, spec: Spec, kind: str, limits: Limits | None = None) -> list[Page]:
    """The pages' geometry; refused when the style leaves no room, the
    thread has nothing to draw or the pages pass `limits`."""
    metrics = metrics_for(with_fonts(spec, data), limits, logo_pixels(data.logo))
    thread = replace(drawable_thread(data.thread), avatar=bool(data.avatar))
    lay_out_kind = {"cards": lay_out_cards, "thread": lay_out_thread, "carousel": lay_out_carousel}[kind]
    try:
        return lay_out_kind(thread, metrics)
    except Unrenderable as error:
        raise RenderRefused(error.message, field=error.field) from error


# Pages laid out for previews, by what they show: a long carousel's layout
# (a fifth of a second for 120 fitted posts) is made once for its slides.
LAYOUTS = ByteBoundedCache(16 * MB, lambda pages: 400 * sum(len(page.boxes) + 4 for page in pages))


def laid_out(data: RenderInput, spec: Spec, kind: str, limits: Limits | None, key: str) -> list[Page]:
    """`lay_out`, remembered under `key` (with the style and limits) when
    the caller names what `data` holds; "" lays out afresh."""
    if not key:
        return lay_out(data, spec, kind, limits)
    remembered = (key, with_fonts(spec, data), kind, limits)
    found = LAYOUTS.get(remembered)
    if isinstance(found, list):
        return found
    pages = lay_out(data, spec, kind, limits)
    LAYOUTS.put(remembered, pages)
    return pages


def pages_at(
    data: RenderInput,
    style: dict[str, Any],
    kind: str,
    scale: float,
    watermark_forced: bool,
    limits: Limits | None,
    key: str,
) -> tuple[Spec, list[Page]]:
    """The spec to paint with at `scale` and the pages it paints. A whole
    scale lays out at its own pixels (as it always has); a fraction (the
    editor's preview at display size) takes the pages laid out at 1× with
    every length times `scale`, so it has exactly the pages, lines and
    breaks of 1×, whatever its own pixels would round to."""
    scale = scale_value(scale)
    spec = with_fonts(spec_from_style(style, kind=kind, scale=scale, watermark_forced=watermark_forced), data)
    if isinstance(scale, int):
        return spec, laid_out(data, spec, kind, limits, key)
    whole = with_fonts(spec_from_style(style, kind=kind, scale=1, watermark_forced=watermark_forced), data)
    return spec, [scaled_page(page, scale) for page in laid_out(data, whole, kind, limits, key)]


def scaled_page(page: Page, scale: float) -> Page:
    """`page` (laid out at 1×) at `scale`: its size as `output_size` rounds
    it, every box's position and length times `scale`."""

    def box_at(box: Any) -> Any:
        lengths = ("x", "y", "width", "height", "radius", "diameter")
        changes = {name: getattr(box, name) * scale for name in lengths if hasattr(box, name)}
        if isinstance(box, TextBox):
            changes["line"] = replace(box.line, width=box.line.width * scale)
            if box.size is not None:
                changes["size"] = box.size * scale
        return replace(box, **changes)

    return replace(
        page,
        width=scaled(page.width, scale),
        height=scaled(page.height, scale),
        card=(page.card[0] * scale, page.card[1] * scale, page.card[2] * scale, page.card[3] * scale),
        boxes=tuple(box_at(box) for box in page.boxes),
    )


def room_problem(style: dict[str, Any], *, kind: str) -> Unrenderable | None:
    """What in `style` (validated section by section) leaves no room to
    draw `kind` at any scale: every length scales alike, but each scale
    rounds the avatar, gaps and lines to its own pixels, so a style right
    at a limit can pass at 1× and miss it by a pixel at 2×."""
    for scale in SCALES:
        spec = spec_from_style(style, kind=kind, scale=scale)
        # Any logo: its band's height is the style's, whatever its width.
        problem = layout_room_problem(metrics_for(spec, logo=(1, 1)))
        if problem is not None:
            return problem
    return None


def drawable_thread(thread: ThreadInfo) -> ThreadInfo:
    """The thread without control characters, which stored text may hold."""
    return replace(
        thread,
        title=drawable(thread.title),
        author_name=drawable(thread.author_name),
        handle=drawable(thread.handle),
        end_text=drawable(thread.end_text),
        posts=tuple(replace(post, text=drawable(post.text)) for post in thread.posts),
    )


def check_size(pages: list[Page], limits: Limits) -> None:
    """Refuse before any raster is allocated: a page over the pixel limit
    (a long card at scale 3 can need 100 megapixels, gigabytes to paint)
    or more pages than one render may make."""
    if len(pages) > limits.max_pages:
        raise RenderRefused(
            f"would make {len(pages)} pages here; one render makes at most {limits.max_pages}.", field="kind"
        )
    for number, page in enumerate(pages, start=1):
        if page.width * page.height > limits.max_pixels:
            raise RenderRefused(
                f"makes page {number} {page.width} × {page.height} px "
                f"({page.width * page.height / 1e6:.1f} megapixels); the limit is "
                f"{limits.max_pixels / 1e6:g} megapixels: choose a smaller scale, "
                "or a carousel for long posts.",
                field="scale",
            )


def render(
    *,
    data: RenderInput,
    style: dict[str, Any],
    kind: str,
    fmt: str,
    scale: float = 1,
    watermark_forced: bool = True,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits = Limits(),
    overlay: bool = False,
) -> list[RenderedFile]:
    """Pages of `kind` as `fmt`: an image per page, or one PDF (carousels)
    or one ZIP of PNGs. `progress(done, total)` hears of each page;
    `overlay` draws the layout's boxes over each page (debugging)."""
    if kind not in KINDS:
        raise RenderRefused(f"must be one of {', '.join(KINDS)}.", field="kind")
    if fmt not in FORMATS or (fmt == "pdf" and kind != "carousel"):
        raise RenderRefused("must be png, jpeg, webp or zip (pdf for carousels).", field="format")
    spec, pages = pages_at(data, style, kind, scale, watermark_forced, limits, "")
    check_size(pages, limits)
    # Each page is encoded as soon as it is painted, so a render holds one
    # raster at a time whatever the number of slides.
    encoding = "png" if fmt in ("pdf", "zip") else fmt
    encoded: list[bytes] = []
    sizes: list[tuple[int, int]] = []
    for page in pages:
        image = paint(page, spec, data.pictures, data.avatar, data.thread.author_name, data.logo)
        if overlay:
            image = draw_overlay(image, page, spec.line_height)
        encoded.append(outputs.encode(image, encoding))
        sizes.append(image.size)
        del image
        if progress:
            progress(len(encoded), len(pages))
    names = page_names(kind, len(pages), "png" if fmt in ("pdf", "zip") else outputs.extension(fmt))
    if fmt in ("pdf", "zip"):
        alt = "\n\n".join(page.alt for page in pages)
        if fmt == "pdf":
            words = "\n".join([data.thread.title, *(post.text for post in data.thread.posts)])
            content = outputs.pdf(
                pdf_pages(pages, encoded, spec),
                title=data.thread.title,
                subject=alt,
                language=document_language(words),
            )
        else:
            listing = [
                page_entry(name, number, page)
                for number, (name, page) in enumerate(zip(names, pages, strict=True), start=1)
            ]
            content = outputs.zip_of(
                [*zip(names, encoded, strict=True), ("index.json", outputs.index_json(listing))]
            )
        width, height = sizes[0]
        posts = tuple(sorted({post for page in pages for post in page.posts}))
        return [
            RenderedFile(
                f"{kind}.{fmt}", content, outputs.content_type(fmt), width, height, len(pages), alt, posts
            )
        ]
    return [
        RenderedFile(name, content, outputs.content_type(fmt), width, height, 1, page.alt, page.posts)
        for name, page, content, (width, height) in zip(names, pages, encoded, sizes, strict=True)
    ]


# Drawn on every slide, not its words: kept out of the PDF's text layer.
CHROME_ROLES = frozenset({"footer", "number"})


def pdf_pages(pages: list[Page], pngs: list[bytes], spec: Spec) -> list[PdfPage]:
    """The slides as the PDF takes them: each PNG with the lines of text
    where they are drawn, and the slide's alt text."""
    return [
        PdfPage(
            png,
            page.width,
            page.height,
            tuple(
                pdf_line(box, spec)
                for box in page.boxes
                if isinstance(box, TextBox) and box.role not in CHROME_ROLES
            ),
            page.alt,
        )
        for page, png in zip(pages, pngs, strict=True)
    ]


def pdf_line(box: TextBox, spec: Spec) -> PdfLine:
    """The line where `paint` draws it, its text without the bidi controls
    layout added or kept (they order the drawing, not the words)."""
    x = box.x + (box.width - box.line.width if box.line.rtl else 0)
    text = CONTROLS.sub("", box.line.text)
    return PdfLine(x, text_baseline(box, spec), box.line.width, drawn_size(box, spec), text)


STEMS = {"cards": "card", "carousel": "slide", "thread": "thread"}


def page_names(kind: str, count: int, extension: str) -> list[str]:
    """`slide-01.png`…, the number zero-padded to the count's digits (two at
    least), so the files sort in order past 99 as well."""
    digits = max(2, len(str(count)))
    return [f"{STEMS[kind]}-{number:0{digits}d}.{extension}" for number in range(1, count + 1)]


def page_entry(name: str, number: int, page: Page | RenderedFile) -> dict[str, Any]:
    """One file's line of an export's index.json."""
    return {"file": name, "page": number, "alt": page.alt, "posts": list(page.posts)}


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
    scale: float = 1,
    watermark_forced: bool = True,
    limits: Limits = Limits(),
    layout_key: str = "",
) -> RenderedPage:
    """One page (a card, the thread image or a slide; `page` from 1) exactly
    as the full render draws it: the editor's preview. `layout_key` names
    what `data` holds (a content hash) so the pages are laid out once for
    all the previews of one render."""
    if kind not in KINDS:
        raise RenderRefused(f"must be one of {', '.join(KINDS)}.", field="kind")
    if fmt not in IMAGE_FORMATS:
        raise RenderRefused(f"must be one of {', '.join(IMAGE_FORMATS)}.", field="format")
    spec, pages = pages_at(data, style, kind, scale, watermark_forced, limits, layout_key)
    if not 1 <= page <= len(pages):
        raise RenderRefused(f"must be between 1 and {len(pages)}.", field="page")
    chosen = pages[page - 1]
    check_size([chosen], limits)
    image = paint(chosen, spec, data.pictures, data.avatar, data.thread.author_name, data.logo)
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
    """Carousel Studio's choices, in the thread's own post positions (from
    1): which posts in which order (empty: all, as they are), the cover's
    title and the end line; manual slide breaks (post, paragraph from 1),
    posts kept together, slides whose words are replaced or left out
    ((post, slide of that post from 1, text or None, hidden)), and whether
    the cover and end slides show."""

    posts: tuple[int, ...] = ()
    title: str = ""
    end_text: str = ""
    breaks: tuple[tuple[int, int], ...] = ()
    keep: tuple[int, ...] = ()
    slides: tuple[tuple[int, int, str | None, bool], ...] = ()
    cover: bool = True
    end: bool = True


def arrange(data: RenderInput, arrangement: Arrangement) -> RenderInput:
    posts = data.thread.posts
    order = arrangement.posts or tuple(range(1, len(posts) + 1))
    pictures = {
        (new, image): data.pictures[(old - 1, image)]
        for new, old in enumerate(order)
        for image in range(len(posts[old - 1].images))
        if (old - 1, image) in data.pictures
    }
    where = {position: index for index, position in enumerate(order)}
    arranged = tuple(
        replace(
            posts[position - 1],
            breaks=tuple(paragraph - 1 for post, paragraph in arrangement.breaks if post == position),
            keep=position in arrangement.keep,
            position=position,
        )
        for position in order
    )
    edits = tuple(
        SlideEdit(where[post], slide, text, hidden)
        for post, slide, text, hidden in arrangement.slides
        if post in where
    )
    thread = replace(
        data.thread,
        title=arrangement.title.strip() or data.thread.title,
        end_text=arrangement.end_text.strip(),
        posts=arranged,
        edits=edits,
        cover=arrangement.cover,
        end=arrangement.end,
    )
    return replace(data, thread=thread, pictures=pictures)


def warm_up(style: dict[str, Any]) -> None:
    """Read the fonts, build `style`'s background and card, load the
    encoder, and keep freed buffers for the next slide (`memory`): a worker
    process does this as it starts, so its first job does not pay for it."""
    memory.keep_freed_memory()
    fonts.warm_up()
    sample = PostInfo("The quick brown fox jumps over the lazy dog, 0123456789 times.", ())
    thread = ThreadInfo("Warm-up", "Thread Navigator", "threadnavigator", (sample,))
    render(data=RenderInput(thread), style=style, kind="carousel", fmt="png")
