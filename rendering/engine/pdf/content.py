"""A page's drawing: the slide image, then its lines as invisible text, in
two marked-content sequences (MCID 0 and 1) that the structure tree points
to. Pure: bytes and strings in, bytes out, no PDF objects."""

import io
import struct
import zlib
from dataclasses import dataclass
from itertools import accumulate

import numpy
from PIL import Image

from rendering.engine.outputs import PNG_SIGNATURE
from rendering.engine.pdf.font import NORMAL, advance
from rendering.engine.pdf.model import PdfLine, PdfPage
from rendering.engine.pdf.order import Placement

POINTS_PER_PIXEL = 72 / 96  # pages at 96 dpi: a 1080-pixel slide is 810 points wide
GREY, RGB = 0, 2
# A glyph must be wider than this share of its font size or poppler takes
# it for a duplicate of the one before (see `font.NARROW`); a line packed
# tighter is given a smaller size.
MIN_GLYPH_SHARE = 0.12


@dataclass(frozen=True)
class Raster:
    """An image XObject's data and its dictionary's entries (names without
    the slash); `mask` is the alpha channel's, when there is one."""

    data: bytes
    width: int
    height: int
    colour_space: str
    parameters: dict[str, int] | None = None
    mask: "Raster | None" = None


def raster(png: bytes) -> Raster:
    """The PNG's compressed rows as they are, for 8-bit grey or RGB without
    interlacing (what the renderer writes): PDF's Flate filter with the PNG
    predictors reads them unchanged. Anything else is decoded and stored
    losslessly, its alpha as a soft mask."""
    header = chunks(png)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header[b"IHDR"][0])
    if depth == 8 and colour in (GREY, RGB) and not interlace:
        channels = 3 if colour == RGB else 1
        parameters = {"Predictor": 15, "Colors": channels, "BitsPerComponent": 8, "Columns": width}
        space = "DeviceRGB" if colour == RGB else "DeviceGray"
        return Raster(b"".join(header[b"IDAT"]), width, height, space, parameters)
    return decoded_raster(png)


def chunks(png: bytes) -> dict[bytes, list[bytes]]:
    """The PNG's chunks' data by type, in order."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    found: dict[bytes, list[bytes]] = {}
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        found.setdefault(kind, []).append(png[at + 8 : at + 8 + length])
        at += 12 + length
    return found


def decoded_raster(png: bytes) -> Raster:
    """Any other PNG as 8-bit RGB rows, Flate-compressed, and its alpha
    as a soft mask."""
    opened = Image.open(io.BytesIO(png))
    image = opened.convert("RGBA" if opened.has_transparency_data else "RGB")
    pixels = numpy.asarray(image)
    mask = None
    if image.mode == "RGBA":
        alpha = pixels[:, :, 3]
        mask = Raster(zlib.compress(alpha.tobytes()), image.width, image.height, "DeviceGray")
        pixels = pixels[:, :, :3]
    return Raster(zlib.compress(pixels.tobytes()), image.width, image.height, "DeviceRGB", mask=mask)


def page_content(page: PdfPage, placements: list[Placement], cids: dict[str, int]) -> bytes:
    """The page's content stream: the image (resource `/Slide`) over the
    whole page, then each line in render mode 3 in font `/Text`."""
    width, height = page.width * POINTS_PER_PIXEL, page.height * POINTS_PER_PIXEL
    texts = [
        line_text(line, placed, cids, page.height)
        for line, placed in zip(page.lines, placements, strict=True)
        if placed.chars and line.width > 0
    ]
    return "\n".join(
        [
            f"/Figure <</MCID 0>> BDC q {number(width)} 0 0 {number(height)} 0 0 cm /Slide Do Q EMC",
            "/Span <</MCID 1>> BDC BT 3 Tr /Text 1 Tf",
            *texts,
            "ET EMC",
        ]
    ).encode()


def line_text(line: PdfLine, placed: Placement, cids: dict[str, int], page_height: int) -> str:
    """One line, run after run: the text matrix stretches the glyphs'
    summed advance to the line's drawn width (short of it when a letter
    would grow wider than an em, and its spaces read as columns' gaps) and
    sets their size (smaller when the line is so packed that a glyph would
    be narrower than `MIN_GLYPH_SHARE` of it), on the line's baseline."""
    advances = [advance(char) for char in placed.chars]
    offsets = list(accumulate(advances, initial=0))
    stretch = min(line.width / offsets[-1], line.size / NORMAL) * POINTS_PER_PIXEL
    size = min(line.size * POINTS_PER_PIXEL, stretch * min(advances) / MIN_GLYPH_SHARE)
    left, y = line.x * POINTS_PER_PIXEL, (page_height - line.baseline) * POINTS_PER_PIXEL
    scale = f"{number(stretch * 1000)} 0 0 {number(size)}"
    return "\n".join(
        f"{scale} {number(left + offsets[start] * stretch)} {number(y)} Tm "
        f"<{''.join(f'{cids[char]:04X}' for char in placed.chars[start:stop])}> Tj"
        for start, stop in placed.runs
    )


def number(value: float) -> str:
    """A PDF number: at most three decimals, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"
