"""Encoding rendered pages: save options per format in one place, bytes to
a buffer, same input -> same bytes (no timestamps anywhere)."""

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any

import imagecodecs
import numpy
from PIL import Image

from rendering.engine.pdf import PdfPage

# PNG: every row with the Up filter (numpy), compressed by ISA-L at level 1
# into one IDAT: 1.9 ms and 189 KB for a 1080×1350 slide, where libpng over
# zlib-ng (imagecodecs.png_encode) takes 5.8 ms for 134 KB at level 4 and
# 2.9 ms for 233 KB at level 1, and Pillow's adaptive filters 31 ms for 237 KB
# at level 1 (medians of the test fixture's slides, one core). Slides are flat
# colour and text, which the Up filter turns into long runs of zeros: what a
# fast matcher finds best. Pillow still writes any other mode (never drawn).
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_COLOUR_TYPES = {"L": 0, "RGB": 2, "RGBA": 6}
PNG_UP_FILTER = 2
PNG_LEVEL = 1
SAVE_OPTIONS: dict[str, tuple[str, dict[str, object], str, str]] = {
    "png": ("PNG", {"compress_level": 1}, "image/png", "png"),
    "jpeg": (
        "JPEG",
        {"quality": 90, "optimize": False, "progressive": False, "subsampling": "4:2:0"},
        "image/jpeg",
        "jpg",
    ),
    "webp": ("WEBP", {"quality": 90, "method": 2}, "image/webp", "webp"),
}
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def encode(image: Image.Image, fmt: str) -> bytes:
    if fmt == "png" and image.mode in PNG_COLOUR_TYPES:
        return png(image)
    pil_format, options, _, _ = SAVE_OPTIONS[fmt]
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    """An 8-bit PNG of an L, RGB or RGBA image, each row Up-filtered."""
    rows = numpy.asarray(image).reshape(image.height, -1)
    filtered = numpy.empty((image.height, rows.shape[1] + 1), numpy.uint8)
    filtered[:, 0] = PNG_UP_FILTER
    filtered[0, 1:] = rows[0]  # the row above the first is taken as zeros
    numpy.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # modulo 256, as PNG wants
    header = struct.pack(">IIBBBBB", image.width, image.height, 8, PNG_COLOUR_TYPES[image.mode], 0, 0, 0)
    compressed = bytes(imagecodecs.isal_encode(filtered, level=PNG_LEVEL))  # a zlib stream
    return b"".join(
        (PNG_SIGNATURE, png_chunk(b"IHDR", header), png_chunk(b"IDAT", compressed), png_chunk(b"IEND", b""))
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def content_type(fmt: str) -> str:
    return (
        SAVE_OPTIONS[fmt][2]
        if fmt in SAVE_OPTIONS
        else {"pdf": "application/pdf", "zip": "application/zip"}[fmt]
    )


def extension(fmt: str) -> str:
    return SAVE_OPTIONS[fmt][3] if fmt in SAVE_OPTIONS else fmt


def pdf(pages: Sequence[PdfPage], *, title: str, subject: str, language: str) -> bytes:
    """A carousel PDF: each slide's PNG kept as it is under its text, which
    can be selected, searched and read out (see `rendering.engine.pdf`)."""
    # Imported here: pikepdf and fontTools load in 150+ ms that only PDF exports need.
    from rendering.engine.pdf.document import carousel_pdf

    return carousel_pdf(pages, title=title, subject=subject, language=language)


def index_json(entries: Sequence[dict[str, Any]]) -> bytes:
    """An export's index.json: each file with its page, alt text and posts."""
    return json.dumps(entries, ensure_ascii=False, indent=2).encode()


def zip_of(files: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), content)
    return buffer.getvalue()
