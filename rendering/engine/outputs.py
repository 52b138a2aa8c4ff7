"""Encoding rendered pages: save options per format in one place, bytes to
a buffer, same input -> same bytes (no timestamps anywhere)."""

import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any

import imagecodecs
import numpy
from PIL import Image

from rendering.engine.pdf import PdfPage

# PNG goes through libpng (imagecodecs) with the Up filter on every row at
# zlib level 4: 6 ms and 139 KB for a 1080×1350 slide, where Pillow's
# adaptive filters take 31 ms for 237 KB at level 1 and libspng 18 ms for
# 158 KB (measured on the seed's slides). Slides are flat colour and text,
# which the Up filter turns into long runs of zeros.
PNG_LEVEL = 4
SAVE_OPTIONS: dict[str, tuple[str, dict[str, object], str, str]] = {
    "png": ("PNG", {"compress_level": PNG_LEVEL}, "image/png", "png"),
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
    if fmt == "png" and image.mode in ("RGB", "RGBA", "L"):
        return bytes(
            imagecodecs.png_encode(numpy.asarray(image), level=PNG_LEVEL, filter=imagecodecs.PNG.FILTER.UP)
        )
    pil_format, options, _, _ = SAVE_OPTIONS[fmt]
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


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
