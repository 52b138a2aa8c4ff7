"""Contrast as WCAG 2 defines it, and the legible ink for text on a patch of
pixels: the engine's rule for chrome that must always be read (the free
plan's watermark), whatever the style paints under it.

The rule: of a light and a dark ink, the one with the better contrast
against the *worst* pixel of the patch (its lightest or its darkest, never
an average); when neither reaches `MIN_CONTRAST` against every pixel, a plate
of the other tone goes under the text, as transparent as it can be while
the contrast holds against every pixel seen through it. Text whose style
gives it an ink (the slide number) keeps that ink wherever it already
reaches `MIN_CONTRAST` against the worst pixel, and follows the rule only
where it does not."""

from dataclasses import dataclass

import numpy

MIN_CONTRAST = 4.5  # WCAG 2 AA for body text
# A little over the minimum, so that no rounding (of a plate's blend, of a
# glyph's edge) takes the drawn text under it.
TARGET_CONTRAST = 4.6
LIGHT, DARK = (255, 255, 255), (31, 41, 55)  # white and #1f2937, the footer's own inks
# Plate opacities tried, lightest first; the last, opaque, always succeeds
# (white on #1f2937 is 14.7:1).
PLATE_ALPHAS = (0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 1.0)

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Legible:
    """The ink for text on a patch and, when the patch alone cannot carry
    it, the plate (tone and opacity) to put under the text first."""

    ink: RGB
    plate: RGB | None = None
    plate_alpha: float = 0.0


def linear_channel(value: int) -> float:
    """An sRGB channel (0–255) as linear light, as WCAG 2 defines it."""
    channel = value / 255
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


# Each channel's share of the luminance, per 0–255 value: a look-up instead
# of a power per pixel (a 1080-wide footer patch took 5 ms that way).
SHARES = numpy.array(
    [[linear_channel(value) * weight for value in range(256)] for weight in (0.2126, 0.7152, 0.0722)]
)


def relative_luminance(pixels: numpy.ndarray) -> numpy.ndarray:
    """WCAG 2 relative luminance of sRGB pixels (…, 3) of 0–255 integers."""
    values = numpy.asarray(pixels, dtype=numpy.uint8)
    return SHARES[0][values[..., 0]] + SHARES[1][values[..., 1]] + SHARES[2][values[..., 2]]


def contrast_ratio(first: RGB, second: RGB) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    a, b = relative_luminance(numpy.array([first, second]))
    return ratio(float(a), float(b))


def worst_contrast(ink: RGB, pixels: numpy.ndarray) -> float:
    """The contrast of `ink` against the patch's pixel nearest to it in
    luminance: its darkest or lightest, whichever is worse."""
    return worst_against(ink, *extremes(pixels))


def extremes(pixels: numpy.ndarray) -> tuple[float, float]:
    """The lowest and highest luminance in the patch."""
    luminances = relative_luminance(pixels)
    return float(luminances.min()), float(luminances.max())


def worst_against(ink: RGB, low: float, high: float) -> float:
    ink_luminance = float(relative_luminance(numpy.array(ink)))
    return min(ratio(ink_luminance, low), ratio(ink_luminance, high))


def ratio(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def legible_ink(pixels: numpy.ndarray, keep: RGB | None = None) -> Legible:
    """The ink (and plate, if needed) for text drawn on `pixels` (n, 3)
    so that it reaches `TARGET_CONTRAST` against every one of them: the
    lightest plate that does it, white ink first on a tie. `keep`, the ink
    the style asks for, stays, with no plate, when it reaches `MIN_CONTRAST`
    against every pixel: a render that already reads is left as it was."""
    pixels = numpy.asarray(pixels, dtype=numpy.uint8).reshape(-1, 3)
    low, high = extremes(pixels)
    if keep is not None and worst_against(keep, low, high) >= MIN_CONTRAST:
        return Legible(keep)
    scores = {ink: worst_against(ink, low, high) for ink in (LIGHT, DARK)}
    best = max(scores, key=lambda ink: scores[ink])  # LIGHT on a tie: it comes first
    if scores[best] >= TARGET_CONTRAST:
        return Legible(best)
    for alpha in PLATE_ALPHAS:
        for ink, tone in ((LIGHT, DARK), (DARK, LIGHT)):
            if worst_contrast(ink, blend(pixels, tone, alpha)) >= TARGET_CONTRAST:
                return Legible(ink, tone, alpha)
    return Legible(LIGHT, DARK, 1.0)  # not reached: an opaque plate gives 14.7:1


def blend(pixels: numpy.ndarray, tone: RGB, alpha: float) -> numpy.ndarray:
    """`pixels` seen through `tone` pasted at `alpha`, rounded as Pillow's
    paste rounds (its mask holds the alpha as 0–255)."""
    mask = round(255 * alpha)
    mixed = pixels.astype(numpy.int32) * (255 - mask) + numpy.array(tone, dtype=numpy.int32) * mask + 128
    return ((mixed + (mixed >> 8)) >> 8).astype(numpy.uint8)
