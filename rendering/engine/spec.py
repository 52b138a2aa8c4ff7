"""The style document, validated, turned into output pixels for one render."""

import math
from dataclasses import dataclass
from typing import Any

from rendering.engine.vocabulary import FAMILIES, output_size, scale_value

# Fixed frames (carousel slides, framed cards) are 1080 pixels wide at
# scale 1, and the style's CSS pixels count double there, so 16 px text
# reads as it does in the editor's preview.
CAROUSEL_ZOOM = 2
# A framed card's text (with text.fit off) shrinks from the style's size to
# fit its frame, to this share of it at most and never under LEGIBLE_TEXT
# CSS pixels (unless the style's own size is smaller): past that the post
# goes on in a second frame.
FRAME_TEXT_SHARE = 0.75
LEGIBLE_TEXT = 12
# The footer's text size in CSS pixels, smallest and largest.
FOOTER_SIZES = (10, 14)
# A style's family that the render was given no file for (a user's font
# deleted since) is drawn in this one.
DEFAULT_FAMILY = "Inter"
CHROME_ROLES = ("footer", "number")
ROLES = ("body", "name", "handle", "title", "subtitle", "footer", "number")


@dataclass(frozen=True)
class Spec:
    unit: float
    width: int
    height: int | None
    padding: float
    card_padding: float
    radius: float
    opacity: float
    shadow: bool
    card_colour: str
    text_colour: str
    muted_colour: str
    font: str
    text_size: float
    line_height: float
    background_key: tuple[Any, ...]
    show_avatar: bool
    show_name: bool
    show_handle: bool
    slide_numbers: bool
    watermark: bool
    image_fit: str = "cover"
    # Carousel composition: the body sizes a slide may take (empty: the
    # text size only), line height per pixel of size, where a slide's
    # content sits, whether short posts share a slide.
    fit_sizes: tuple[int, ...] = ()
    leading: float | None = None
    align: str = "top"
    pack: bool = False
    kind: str = ""  # cards, thread or carousel
    # The family the style names; `font` is the one drawn: the same for a
    # built-in family, a user's font once the render has its file
    # (`renderer.with_fonts`), else the default.
    family: str = ""
    # The brand logo: the card's corner it sits in ("none": no logo) and its
    # height in pixels.
    logo_corner: str = "none"
    logo_size: float = 0.0

    def text_role(self, role: str) -> tuple[int, int, str]:
        """(pixel size, weight, colour) for a role of text."""
        base = self.text_size
        roles = {
            "body": (base, 400, self.text_colour),
            "name": (base, 700, self.text_colour),
            "handle": (base * 0.92, 400, self.muted_colour),
            "title": (base * 2.2, 800, self.text_colour),
            "subtitle": (base * 1.3, 500, self.muted_colour),
            "footer": (self.footer_size, 500, self.footer_colour),
            "number": (self.footer_size, 600, self.footer_colour),
        }
        size, weight, colour = roles[role]
        return round(size), weight, colour

    def role_font(self, role: str) -> str:
        """The family a role of text is drawn in: the style's, except that
        the footer (watermark, slide number) keeps the default family under
        a user's own font, which may have odd glyphs or lack digits: the
        watermark must read on every page."""
        if role in CHROME_ROLES and self.font not in FAMILIES:
            return DEFAULT_FAMILY
        return self.font

    @property
    def footer_size(self) -> float:
        """The footer follows the text size within a small range: it is the
        page's chrome, and a 48 px body must not blow the watermark up past
        the slide number."""
        low, high = FOOTER_SIZES
        return min(max(self.text_size * 0.72, low * self.unit), high * self.unit)

    @property
    def footer_colour(self) -> str:
        """The slide number's ink as the style gives it, from the gradient's
        middle: painting keeps it where it reads on the pixels under the
        number and chooses another where it does not
        (`paint.draw_slide_number`). The watermark's is always chosen when
        it is painted, from the pixels under it (`paint.draw_watermark`)."""
        return "#ffffff" if luminance(self.background_colour()) < 0.45 else "#1f2937"

    def background_colour(self) -> str:
        kind, value = self.background_key
        if kind == "solid":
            return value
        stops = value[1]
        return stops[len(stops) // 2][0]


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def mix(first: str, second: str, share: float) -> str:
    a = [int(first[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(second[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def spec_from_style(
    style: dict[str, Any], *, kind: str, scale: float, watermark_forced: bool = False
) -> Spec:
    """`style` (validated) for one render; `watermark_forced`: the free plan's
    exports always carry the watermark, whatever the style says. `scale`:
    one of DRAWN_SCALES; at a fraction every length is the style's times
    the unit, as at the whole scales, and the page's pixels are
    `output_size`'s."""
    width, height = output_size(kind, style["canvas"]["size"], scale)
    scale = scale_value(scale)
    framed = height is not None
    unit = scale * (CAROUSEL_ZOOM if framed else 1)
    background = style["canvas"]["background"]
    key: tuple[Any, ...] = (
        ("solid", background["color"][:7])
        if background["type"] == "solid"
        else ("linear", (background["angle"], tuple((c[:7], p) for c, p in background["stops"])))
    )
    card, text = style["card"], style["text"]
    return Spec(
        unit=unit,
        width=width,
        height=height,
        padding=style["canvas"]["padding"] * unit,
        card_padding=card["padding"] * unit,
        radius=card["radius"] * unit,
        opacity=card["opacity"],
        shadow=card["shadow"],
        card_colour=card["background"][:7],
        text_colour=text["color"][:7],
        muted_colour=mix(text["color"][:7], card["background"][:7], 0.42),
        font=text["font"] if text["font"] in FAMILIES else DEFAULT_FAMILY,
        family=text["font"],
        text_size=text["size"] * unit,
        line_height=round(text["size"] * unit * text["line_height"]),
        background_key=key,
        show_avatar=style["header"]["avatar"],
        show_name=style["header"]["name"],
        show_handle=style["header"]["handle"],
        slide_numbers=style["footer"]["slide_numbers"],
        watermark=style["footer"]["watermark"] or watermark_forced,
        image_fit=style.get("images", {}).get("fit", "cover"),
        kind=kind,
        logo_corner=style.get("logo", {}).get("corner", "none"),
        logo_size=style.get("logo", {}).get("size", 0) * unit,
        **(composition(style, unit, kind) if framed else {}),
    )


def composition(style: dict[str, Any], unit: float, kind: str) -> dict[str, Any]:
    """A fixed frame's composition settings (stored styles older than them
    take their defaults): a carousel's, or a framed card's, whose text is
    fitted to its frame even with text.fit off and which shows one post.
    Fitted sizes step by one CSS pixel, so every scale picks the same sizes
    and breaks the same lines."""
    text = style["text"]
    if text.get("fit", "off") == "slide":
        low, high = text.get("fit_min", text["size"]), text.get("fit_max", text["size"])
        sizes = tuple(round(css * unit) for css in range(low, high + 1))
    else:
        sizes = frame_sizes(text["size"], unit) if kind == "cards" else ()
    return {
        "fit_sizes": sizes,
        "leading": text["line_height"],
        "align": style["card"].get("align", "top"),
        "pack": kind == "carousel" and style.get("carousel", {}).get("pack", False),
    }


def frame_sizes(size: float, unit: float) -> tuple[int, ...]:
    """A framed card's body sizes in pixels, smallest first: from the
    style's size down to FRAME_TEXT_SHARE of it, not under LEGIBLE_TEXT."""
    largest = math.floor(size)
    smallest = min(max(math.ceil(size * FRAME_TEXT_SHARE), LEGIBLE_TEXT), largest)
    steps = {round(css * unit) for css in range(smallest, largest + 1)}
    return tuple(sorted(steps | {round(size * unit)}))
