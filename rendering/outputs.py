"""Encoding rendered pages: save options per format in one place, bytes to
a buffer, same input -> same bytes (no timestamps anywhere)."""

import io
import zipfile
from collections.abc import Sequence

import img2pdf
from PIL import Image

# PNG level 1: a third of level 6's time for files a few percent larger.
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


def pdf(pngs: Sequence[bytes], *, title: str, subject: str) -> bytes:
    """Pages at the slide size, PNG data kept as it is (img2pdf), with the
    slides' text as the document's subject for screen readers and search."""
    layout = img2pdf.get_fixed_dpi_layout_fun((96, 96))
    return img2pdf.convert(
        list(pngs),
        layout_fun=layout,
        title=title,
        subject=subject[:4000],
        creator="Thread Navigator",
        producer="Thread Navigator",
        nodate=True,
    )


def zip_of(files: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), content)
    return buffer.getvalue()
