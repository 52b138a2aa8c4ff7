"""The renderer's words, defined once: what it draws, in which files, at
which sizes and with which families. The style validator, the jobs, the API
and the editor import these, so none of them can disagree with the engine."""

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
SCALES: tuple[int, ...] = (1, 2, 3)

# Carousel slide sizes at scale 1 (a 1080-wide design); `auto` fits the
# height to the content (cards and thread images).
CANVAS_SIZES: dict[str, tuple[int, int] | None] = {
    "portrait": (1080, 1350),
    "square": (1080, 1080),
    "landscape": (1200, 675),
    "story": (1080, 1920),
    "auto": None,
}

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
