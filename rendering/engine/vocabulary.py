"""The renderer's words, defined once: what it draws, in which files, at
which sizes and with which families. The style validator, the jobs, the API
and the editor import these, so none of them can disagree with the engine."""

import math

KINDS: tuple[str, ...] = ("cards", "thread", "carousel")
# Formats a whole render can be written as; pdf only for carousels.
FORMATS: tuple[str, ...] = ("png", "jpeg", "webp", "pdf", "zip")
IMAGE_FORMATS: tuple[str, ...] = ("png", "jpeg", "webp")
# Formats each kind can be exported as by one job.
KIND_FORMATS: dict[str, tuple[str, ...]] = {
    "cards": ("png", "jpeg", "webp", "zip"),
    "thread": ("png", "jpeg", "webp", "zip"),
    "carousel": ("png", "jpeg", "webp", "pdf", "zip"),
}
# The scales the export menus offer.
SCALES: tuple[int, ...] = (1, 2, 3)
# Every scale the engine draws at: the menus' and the fractions the editor's
# preview takes to match what is on screen (exports accept them too, so a
# preview is byte for byte a page of the export at its scale). Quarter steps
# only: every size times one is exact in binary, and few values keep the
# preview caches effective.
DRAWN_SCALES: tuple[float, ...] = (0.5, 0.75, 1, 1.5, 2, 2.5, 3)
SCALE_WORDS = ", ".join(f"{scale:g}" for scale in DRAWN_SCALES[:-1]) + f" or {DRAWN_SCALES[-1]:g}"

# Fixed frames at scale 1 (a 1080-wide design), for carousel slides and
# framed cards; `auto` fits the height to the content (cards and thread
# images; a carousel takes `portrait` instead).
CANVAS_SIZES: dict[str, tuple[int, int] | None] = {
    "portrait": (1080, 1350),
    "square": (1080, 1080),
    "landscape": (1200, 675),
    "story": (1080, 1920),
    "auto": None,
}
# Cards at `auto` and the thread image are a reading column this wide, in
# CSS pixels (one output pixel each at scale 1), whatever the canvas size.
COLUMN_WIDTH = 600
# The kinds a fixed canvas size frames; the thread image is always `auto`.
FRAMED_KINDS: tuple[str, ...] = ("cards", "carousel")


def scale_value(scale: object) -> float:
    """`scale` as the engine draws at it (an int when whole: 1, not 1.0, so
    hashes and labels of the whole scales are as before); ValueError for
    anything not in DRAWN_SCALES."""
    if isinstance(scale, bool) or not isinstance(scale, int | float) or scale not in DRAWN_SCALES:
        raise ValueError(f"{scale!r} is not a scale")
    return int(scale) if scale == int(scale) else float(scale)


def scaled(pixels: int, scale: float) -> int:
    """`pixels` at scale 1 as drawn at `scale`, halves rounded up (1350 at
    0.75 is 1013): every page size of a render comes from here."""
    return math.floor(pixels * scale + 0.5)


def output_size(kind: str, size: str | dict[str, int], scale: float) -> tuple[int, int | None]:
    """The pixel width and height of `kind`'s pages at canvas `size` (a
    name of CANVAS_SIZES or {"width", "height"}) and `scale`; height None
    when it fits the content. What the renderer makes, so a label built
    from it ("Square — 1080 × 1080 px") tells the truth: cards at `auto`
    and the thread image are 600 px wide at 1×, a carousel at `auto` is
    portrait."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind")
    scale = scale_value(scale)
    if isinstance(size, dict):
        frame: tuple[int, int] | None = (size["width"], size["height"])
    elif size in CANVAS_SIZES:
        frame = CANVAS_SIZES[size]
    else:
        raise ValueError(f"{size!r} is not a canvas size")
    if kind == "carousel" and frame is None:
        frame = CANVAS_SIZES["portrait"]
    if kind not in FRAMED_KINDS or frame is None:
        return scaled(COLUMN_WIDTH, scale), None
    return scaled(frame[0], scale), scaled(frame[1], scale)


# The families a style may name (each ships with the install).
FAMILIES: tuple[str, ...] = (
    "Inter",
    "Noto Sans",
    "Noto Serif",
    "Roboto",
    "Lora",
    "Merriweather",
    "Playfair Display",
    "IBM Plex Sans",
    "JetBrains Mono",
)
