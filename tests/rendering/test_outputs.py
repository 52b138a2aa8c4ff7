"""The PNG writer (`outputs.png`): lossless in every mode the renderer
draws, readable by Pillow and by the PDF writer, the same bytes each time."""

import io

import numpy
import pytest
from PIL import Image

from rendering.engine import outputs
from rendering.engine.pdf.content import raster


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
@pytest.mark.parametrize("size", [(1, 1), (3, 7), (1080, 1350)])
def test_a_png_gives_back_every_pixel(mode, size):
    channels = len(mode)
    shape = (size[1], size[0], channels) if channels > 1 else (size[1], size[0])
    pixels = numpy.random.default_rng(sum(size)).integers(0, 256, shape, dtype=numpy.uint8)
    image = Image.fromarray(pixels, mode)

    encoded = outputs.encode(image, "png")

    opened = Image.open(io.BytesIO(encoded))
    opened.load()  # reads every chunk, checking each CRC and the stream's checksum
    assert (opened.format, opened.mode, opened.size) == ("PNG", mode, size)
    assert numpy.array_equal(numpy.asarray(opened), pixels)
    assert outputs.encode(image, "png") == encoded, "same input, same bytes"


def test_a_flat_slide_packs_small_and_goes_into_a_pdf_as_it_is():
    slide = Image.new("RGB", (1080, 1350), "#f4efe6")
    slide.paste((30, 30, 30), (80, 200, 1000, 260))  # a line of "text"

    encoded = outputs.encode(slide, "png")

    assert len(encoded) < 0.01 * 1080 * 1350 * 3, "rows filtered Up are mostly zeros"
    kept = raster(encoded)
    assert kept.parameters == {"Predictor": 15, "Colors": 3, "BitsPerComponent": 8, "Columns": 1080}
