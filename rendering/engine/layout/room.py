"""Room to draw: a style whose paddings or text size leave no text column,
no lines under a slide's header or no footer for the watermark is refused
here, by layout's guard and by the style validator alike."""

from rendering.engine.layout.model import (
    HEADER_ROW_EM,
    MIN_COLUMN_EM,
    MIN_FOOTER_SHARE,
    MIN_SLIDE_LINES,
    WATERMARK,
    Metrics,
    Unrenderable,
    logo_band,
    slide_height,
)
from rendering.engine.layout.pieces import footer_margin

# --- Room -------------------------------------------------------------------


def check_room(metrics: Metrics) -> None:
    """Layout's guard: a style that leaves no text column (or, on a slide,
    no room for two lines) is refused before anything is wrapped, so no
    loop ever runs on a negative width."""
    problem = room_problem(metrics)
    if problem is not None:
        raise problem


def room_problem(metrics: Metrics) -> Unrenderable | None:
    """What leaves no room to draw in this style, with the setting to change
    and its limit in CSS pixels; None when everything fits."""
    body = metrics.body_size
    needed = MIN_COLUMN_EM * body
    if metrics.column < needed:
        return too_tight(metrics, "wide", metrics.column, needed, needed)
    if metrics.height is None:
        return footer_problem(metrics)
    header = max(metrics.avatar, body * HEADER_ROW_EM * 2) + metrics.gap
    used = 2 * (metrics.padding + metrics.card_padding) + metrics.footer_height + header + logo_band(metrics)
    needed = MIN_SLIDE_LINES * metrics.line_height
    if metrics.height - used < needed:
        return too_tight(metrics, "tall", metrics.height - used, needed, needed + header)
    return fit_problem(metrics, metrics.height - used) or footer_problem(metrics)


def fit_problem(metrics: Metrics, room: float) -> Unrenderable | None:
    """Fitted text must hold two lines under the header and a column of
    MIN_COLUMN_EM at its smallest size."""
    if not metrics.fit_sizes:
        return None
    smallest = metrics.fit_sizes[0]
    lines = MIN_SLIDE_LINES * metrics.line_height_at(smallest)
    if lines <= room and metrics.column >= MIN_COLUMN_EM * smallest:
        return None
    return Unrenderable(
        f"leaves {room / metrics.unit:.0f} px under the header and a {metrics.column / metrics.unit:.0f} px "
        f"column on this {page_name(metrics)}; text of size {smallest / metrics.unit:g} needs "
        f"{lines / metrics.unit:.0f} px and a {MIN_COLUMN_EM * smallest / metrics.unit:.0f} px column: "
        "lower text.fit_min.",
        field="style.text.fit_min",
    )


def too_tight(metrics: Metrics, way: str, left: float, needed: float, text_part: float) -> Unrenderable:
    """The refusal, naming the setting that takes the largest share of the
    page's extent: a padding, or the text size (`text_part`: what the text
    size makes, the lines and the header)."""
    unit = metrics.unit
    extent = metrics.width if way == "wide" else slide_height(metrics)
    shares = {
        "canvas.padding": 2 * metrics.padding,
        "card.padding": 2 * metrics.card_padding,
        "text.size": text_part,
        "logo.size": logo_band(metrics) if way == "tall" else 0.0,
    }
    setting = max(shares, key=lambda name: shares[name])
    what = "text column" if way == "wide" else "room under the header"
    page = page_name(metrics)
    return Unrenderable(
        f"leaves a {what} of {max(left, 0) / unit:.0f} px on a {extent / unit:.0f} px {way} {page}; "
        f"text of size {metrics.body_size / unit:g} needs at least {needed / unit:.0f} px: "
        + (
            "lower the canvas or card padding, the text size or logo.size."
            if metrics.logo
            else "lower the canvas or card padding or the text size."
        ),
        field=f"style.{setting}",
    )


def page_name(metrics: Metrics) -> str:
    return "card" if metrics.height is None or metrics.kind == "cards" else "carousel slide"


def footer_problem(metrics: Metrics) -> Unrenderable | None:
    """The watermark and a slide number must fit side by side at a legible
    size between the page's margins."""
    if not metrics.watermark:
        return None
    size = metrics.size("footer")
    margin = footer_margin(metrics)
    number = metrics.measure["number"]("88/88") + size if metrics.slide_numbers else 0
    smallest = metrics.measure_at("footer", max(round(size * MIN_FOOTER_SHARE), 1))(WATERMARK)
    if smallest + number <= metrics.width - 2 * margin:
        return None
    return Unrenderable(
        f"leaves no room for the watermark in the footer: at most "
        f"{max((metrics.width - smallest - number) / 2, 0) / metrics.unit:.0f} px on this canvas.",
        field="style.canvas.padding",
    )
