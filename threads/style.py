"""The style document (version 1): its defaults and its one strict validator,
used by the API, the importers and the renderer.

`style_validate` returns a new, complete document: missing keys take the
defaults, colours are normalised to lowercase `#rrggbb` / `#rrggbbaa`. The
first problem found raises `Invalid` naming its dotted path, e.g.
`style.card.radius` or `style.canvas.background.stops[1][0]`.
"""

import copy
import math
import re
from collections.abc import Callable, Collection
from typing import Any

from config.errors import Invalid
from rendering.engine.vocabulary import CANVAS_SIZES, FAMILIES

STYLE_VERSION = 1
FONTS = FAMILIES

_DEFAULT_STYLE: dict[str, Any] = {
    "version": STYLE_VERSION,
    "canvas": {
        "size": "auto",
        "background": {"type": "linear", "angle": 135, "stops": [["#6d28d9", 0.0], ["#db2777", 1.0]]},
        "padding": 48,
    },
    "card": {
        "background": "#ffffff",
        "opacity": 1.0,
        "radius": 40,
        "padding": 16,
        "shadow": True,
        "align": "top",
    },
    "text": {
        "font": "Inter",
        "size": 16,
        "line_height": 1.4,
        "color": "#0f1419",
        "fit": "off",
        "fit_min": 16,
        "fit_max": 40,
    },
    "header": {"avatar": True, "name": True, "handle": True},
    "footer": {"slide_numbers": True, "watermark": True},
    "images": {"fit": "cover"},
    "carousel": {"pack": False},
    "logo": {"corner": "none", "size": 48},
}

# Where the brand kit's logo sits on a card: a corner, or nowhere.
LOGO_CORNERS: tuple[str, ...] = ("none", "top-left", "top-right", "bottom-left", "bottom-right")

# The numbers a style may hold, (low, high): the validator's bounds and the
# editor's sliders alike. Each high end leaves room to draw with the other
# settings at their defaults; combinations are checked as a whole
# (`_check_room`), since two large paddings together can still eat the text.
RANGES: dict[str, tuple[float, float]] = {
    "canvas.background.angle": (0.0, 360.0),
    "canvas.padding": (0, 200),
    "card.opacity": (0.0, 1.0),
    "card.radius": (0, 200),
    "card.padding": (0, 160),
    "text.size": (8.0, 64.0),
    "text.line_height": (1.0, 3.0),
    "text.fit_min": (8, 64),
    "text.fit_max": (8, 64),
    # The logo's height in CSS pixels (a wide one is shrunk to half the text
    # column, its height with it).
    "logo.size": (24, 160),
}

COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def default_style() -> dict[str, Any]:
    """A fresh copy of the defaults (the seed editor's look)."""
    return copy.deepcopy(_DEFAULT_STYLE)


# --- Value checks: each takes (value, path) and returns the clean value ------


def _fail(path: str, message: str) -> Invalid:
    return Invalid(f"{path} {message}", field=path)


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, f"must be true or false (got {value!r}).")
    return value


def _int(low: int, high: int) -> Callable[[Any, str], int]:
    def check(value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _fail(path, f"must be a whole number between {low} and {high} (got {value!r}).")
        return value

    return check


def _number(low: float, high: float) -> Callable[[Any, str], float | int]:
    def check(value: Any, path: str) -> float | int:
        valid = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not valid or not low <= value <= high:
            raise _fail(path, f"must be a number between {low:g} and {high:g} (got {value!r}).")
        return value

    return check


def _ranged(name: str) -> Callable[[Any, str], float | int]:
    """The check for a number in RANGES: whole numbers where both ends are."""
    low, high = RANGES[name]
    if isinstance(low, int) and isinstance(high, int):
        return _int(low, high)
    return _number(low, high)


def _colour(value: Any, path: str) -> str:
    if not isinstance(value, str) or not COLOUR.match(value):
        raise _fail(path, f"must be a colour like #1d9bf0 (or #rgb, #rrggbbaa) (got {value!r}).")
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def _choice(options: tuple[str, ...]) -> Callable[[Any, str], str]:
    def check(value: Any, path: str) -> str:
        if value not in options or not isinstance(value, str):
            raise _fail(path, f"must be one of {', '.join(options)} (got {value!r}).")
        return value

    return check


def _object(value: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object.")
    for key in value:
        if key not in allowed:
            raise Invalid(
                f"{path}.{key} is not a style setting; {path} takes {', '.join(allowed)}.",
                field=f"{path}.{key}",
            )
    return value


def _section(
    checks: dict[str, Callable[[Any, str], Any]],
) -> Callable[[Any, str, dict[str, Any]], dict[str, Any]]:
    """A section merges key by key over its defaults."""

    def check(value: Any, path: str, default: dict[str, Any]) -> dict[str, Any]:
        given = _object(value, path, tuple(checks))
        merged = {**default, **given}
        return {key: checks[key](merged[key], f"{path}.{key}") for key in checks}

    return check


# --- Composite values ------------------------------------------------------


def _size(value: Any, path: str) -> str | dict[str, int]:
    if isinstance(value, dict):
        given = _object(value, path, ("width", "height"))
        dimension = _int(320, 4096)
        if set(given) != {"width", "height"}:
            raise _fail(path, "needs both width and height.")
        return {key: dimension(given[key], f"{path}.{key}") for key in ("width", "height")}
    return _choice(tuple(CANVAS_SIZES))(value, path)


def _stops(value: Any, path: str) -> list[list[Any]]:
    if not isinstance(value, list) or not 2 <= len(value) <= 8:
        raise _fail(path, "must be a list of 2 to 8 [colour, position] pairs.")
    stops: list[list[Any]] = []
    for index, stop in enumerate(value):
        here = f"{path}[{index}]"
        if not isinstance(stop, list) or len(stop) != 2:
            raise _fail(here, 'must be a [colour, position] pair like ["#1d9bf0", 0.5].')
        position = _number(0.0, 1.0)(stop[1], f"{here}[1]")
        if stops and position < stops[-1][1]:
            raise _fail(f"{here}[1]", "must not be smaller than the position before it.")
        stops.append([_colour(stop[0], f"{here}[0]"), float(position)])
    return stops


def _background(value: Any, path: str) -> dict[str, Any]:
    """A given background replaces the default whole (solid or gradient)."""
    if not isinstance(value, dict):
        raise _fail(path, "must be an object.")
    kind = _choice(("solid", "linear"))(value.get("type"), f"{path}.type")
    if kind == "solid":
        given = _object(value, path, ("type", "color"))
        if "color" not in given:
            raise _fail(f"{path}.color", "is required for a solid background.")
        return {"type": "solid", "color": _colour(given["color"], f"{path}.color")}
    given = _object(value, path, ("type", "angle", "stops"))
    default = _DEFAULT_STYLE["canvas"]["background"]
    return {
        "type": "linear",
        "angle": _ranged("canvas.background.angle")(given.get("angle", default["angle"]), f"{path}.angle"),
        "stops": _stops(given.get("stops", default["stops"]), f"{path}.stops"),
    }


TEXT_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "font": _choice(FONTS),
    "size": _ranged("text.size"),
    "line_height": _ranged("text.line_height"),
    "color": _colour,
    # off: carousel text at `size`; slide: each slide's text as large
    # as it fits, between fit_min and fit_max.
    "fit": _choice(("off", "slide")),
    "fit_min": _ranged("text.fit_min"),
    "fit_max": _ranged("text.fit_max"),
}

SECTIONS = {
    "canvas": _section({"size": _size, "background": _background, "padding": _ranged("canvas.padding")}),
    "card": _section(
        {
            "background": _colour,
            "opacity": _ranged("card.opacity"),
            "radius": _ranged("card.radius"),
            "padding": _ranged("card.padding"),
            "shadow": _bool,
            # Where a carousel slide's content sits under its header.
            "align": _choice(("top", "center")),
        }
    ),
    "text": _section(TEXT_CHECKS),
    "header": _section({"avatar": _bool, "name": _bool, "handle": _bool}),
    "footer": _section({"slide_numbers": _bool, "watermark": _bool}),
    # cover: the picture fills its frame, cropped; contain: all of it shows, on a tint.
    "images": _section({"fit": _choice(("cover", "contain"))}),
    # pack: consecutive posts that each fit a slide share slides.
    "carousel": _section({"pack": _bool}),
    # The brand kit's logo in a corner of every card and slide.
    "logo": _section({"corner": _choice(LOGO_CORNERS), "size": _ranged("logo.size")}),
}


def _text_section(fonts: Collection[str]) -> Callable[[Any, str, dict[str, Any]], dict[str, Any]]:
    """The text section taking the built-in families and `fonts` too."""
    checks = dict(TEXT_CHECKS)
    checks["font"] = _choice((*FONTS, *(family for family in fonts if family not in FONTS)))
    return _section(checks)


def style_validate(document: object, *, field: str = "style", fonts: Collection[str] = ()) -> dict[str, Any]:
    """`fonts`: the families of the user's own fonts, which `text.font`
    may name besides the built-in ones (whoever the style is checked for:
    another user's font is as unknown as a made-up name)."""
    given = _object(document, field, ("version", *SECTIONS))
    version = given.get("version", STYLE_VERSION)
    if version != STYLE_VERSION or isinstance(version, bool) or not isinstance(version, int):
        raise _fail(f"{field}.version", f"must be {STYLE_VERSION} (got {version!r}).")
    result: dict[str, Any] = {"version": STYLE_VERSION}
    sections = {**SECTIONS, "text": _text_section(fonts)} if fonts else SECTIONS
    for name, check in sections.items():
        result[name] = check(given.get(name, {}), f"{field}.{name}", _DEFAULT_STYLE[name])
    if result["text"]["fit_min"] > result["text"]["fit_max"]:
        raise _fail(
            f"{field}.text.fit_max",
            f"must not be smaller than text.fit_min ({result['text']['fit_min']}) "
            f"(got {result['text']['fit_max']}).",
        )
    _check_room(result, field)
    return result


def _check_room(style: dict[str, Any], field: str) -> None:
    """Refuse a combination that leaves no room to draw (paddings that eat
    the text column, a text size no slide can hold), for every kind the
    style may be used for: its limits are the renderer's own."""
    from rendering.engine.renderer import room_problem  # the engine loads fonts: only when validating

    # Every kind: with a fixed canvas.size, cards are framed like slides
    # while the thread image stays 600 px wide, so each has its own room.
    for kind in ("cards", "thread", "carousel"):
        problem = room_problem(style, kind=kind)
        if problem is not None:
            path = problem.field.replace("style", field, 1)
            raise Invalid(f"{path} {problem.message}", field=path)


def style_check_plan(style: dict[str, Any], *, watermark_forced: bool, field: str = "style") -> None:
    if watermark_forced and not style["footer"]["watermark"]:
        raise Invalid(
            "The Free plan cannot turn the watermark off; upgrade to Pro to export without it.",
            field=f"{field}.footer.watermark",
        )


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def colour_clean(value: Any, path: str) -> str:
    """A colour as styles hold it (`#rrggbb` or `#rrggbbaa`, lowercase), or
    `Invalid` naming `path`: for colours kept outside a style (brand kits)."""
    return _colour(value, path)
