"""Untrusted uploaded bytes in, a safe re-encoded image out.

Only PNG, JPEG, WebP and GIF (first frame) are opened; the pixel count is
checked from the header before anything is decoded; files carrying data after
the image's end (polyglots) and truncated files are refused; EXIF orientation
is applied and every piece of metadata dropped. Identical input gives
identical output bytes.
"""

import contextlib
import hashlib
import io
import struct
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps

from config.errors import Invalid

FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
# Zero bytes after the end, as some writers pad files, are tolerated up to this.
MAX_ZERO_PADDING = 4096


class InvalidImage(Invalid):
    pass


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 40_000_000


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str
    extension: str
    content_type: str
    width: int
    height: int
    sha256: str


OUTPUTS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{size / 1024:.1f} KB".replace(".0 KB", " KB")


def image_clean(
    source: BinaryIO | bytes, *, limits: ImageLimits = ImageLimits(), field: str = "file"
) -> CleanImage:
    data = read_limited(source, limits=limits, field=field)
    image = open_header(data, limits=limits, field=field)
    end = end_of_image(data, image.format or "")
    if end is None:
        raise InvalidImage("The image is damaged or incomplete and cannot be read.", field=field)
    if is_more_than_padding(data[end:]):
        raise InvalidImage(
            "The file holds more than an image (data after the end of the image).", field=field
        )
    frame = decode_first_frame(image, field=field)
    source_format = image.format or "PNG"
    lossless_webp = source_format == "WEBP" and b"VP8L" in data[12:16]
    return encode(frame, source_format=source_format, lossless_webp=lossless_webp)


def read_limited(source: BinaryIO | bytes, *, limits: ImageLimits, field: str) -> bytes:
    data = source if isinstance(source, bytes) else source.read(limits.max_bytes + 1)
    if not data:
        raise InvalidImage("The file is empty.", field=field)
    if len(data) > limits.max_bytes:
        size = len(data) if isinstance(source, bytes) else total_size(source, len(data))
        raise InvalidImage(
            f"Images can be at most {human_size(limits.max_bytes)}; this one is {human_size(size)}.",
            field=field,
        )
    return data


def total_size(source: BinaryIO, already: int) -> int:
    size = getattr(source, "size", None)
    return size if isinstance(size, int) else already


def open_header(data: bytes, *, limits: ImageLimits, field: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(
            f"Images can have at most {limits.max_pixels / 1_000_000:g} megapixels; "
            "this one declares far more (a decompression bomb).",
            field=field,
        ) from exc
    except Exception as exc:  # any failure to identify is the same answer
        raise InvalidImage("The file is not a PNG, JPEG, WebP or GIF image.", field=field) from exc
    width, height = image.size
    if width * height > limits.max_pixels:
        raise InvalidImage(
            f"Images can have at most {limits.max_pixels / 1_000_000:g} megapixels; "
            f"this one is {width}×{height} ({width * height / 1_000_000:.1f} megapixels).",
            field=field,
        )
    return image


def decode_first_frame(image: Image.Image, *, field: str) -> Image.Image:
    try:
        image.seek(0)
        image.load()
        frame = image.copy()
    except Exception as exc:  # truncated or corrupt data, bombs past the header
        raise InvalidImage("The image is damaged or incomplete and cannot be read.", field=field) from exc
    # A broken EXIF block only costs the orientation.
    with contextlib.suppress(Exception):
        frame = ImageOps.exif_transpose(frame)
    return frame


# --- Where the image ends, per format ----------------------------------------


def end_of_image(data: bytes, kind: str) -> int | None:
    """The offset just past the image's last byte, or None when the
    structure cannot be followed to its end (truncated or malformed)."""
    finders = {"PNG": png_end, "JPEG": jpeg_end, "GIF": gif_end, "WEBP": webp_end}
    try:
        return finders[kind](data)
    except (IndexError, struct.error, KeyError):
        return None


def is_more_than_padding(rest: bytes) -> bool:
    return len(rest) > MAX_ZERO_PADDING or rest.strip(b"\x00") != b""


def png_end(data: bytes) -> int | None:
    offset = 8
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        offset += 12 + length
        if kind == b"IEND":
            return offset if offset <= len(data) else None
    return None


def jpeg_end(data: bytes) -> int | None:
    offset = 2
    while offset + 2 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xD9:
            return offset + 2
        if marker == 0xFF:
            offset += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            offset += 2
            continue
        if offset + 4 > len(data):
            return None
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        offset += 2 + length
        if marker == 0xDA:
            offset = skip_entropy_coded(data, offset)
    return None


NOT_MARKERS = frozenset((0x00, *range(0xD0, 0xD8), 0xFF))  # after 0xFF in a scan: stuffing, restarts, fill


def skip_entropy_coded(data: bytes, offset: int) -> int:
    """Past a scan's compressed bytes, to the next real marker. Jumps from
    0xFF to 0xFF (bytes.find): a byte-by-byte loop took 25 ms for a 100 KB
    photo, more than decoding it."""
    while (offset := data.find(b"\xff", offset)) != -1 and offset + 1 < len(data):
        if data[offset + 1] not in NOT_MARKERS:
            return offset
        offset += 1
    return len(data)


def gif_end(data: bytes) -> int | None:
    flags = data[10]
    offset = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while offset < len(data):
        block = data[offset]
        if block == 0x3B:
            return offset + 1
        if block == 0x21:
            offset = skip_sub_blocks(data, offset + 2)
        elif block == 0x2C:
            local = data[offset + 9]
            offset += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            offset = skip_sub_blocks(data, offset + 1)
        else:
            return None
    return None


def skip_sub_blocks(data: bytes, offset: int) -> int:
    while data[offset] != 0:
        offset += data[offset] + 1
    return offset + 1


def webp_end(data: bytes) -> int | None:
    (size,) = struct.unpack("<I", data[4:8])
    end = 8 + size + (size & 1)
    return end if end <= len(data) + (size & 1) else None


# --- Re-encoding ----------------------------------------------------------------


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def to_web_mode(image: Image.Image) -> Image.Image:
    """RGB, RGBA or L: modes every browser shows."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if has_alpha(image):
        return image.convert("RGBA")
    if image.mode in ("L", "1"):
        return image.convert("L")
    return image.convert("RGB")


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if isinstance(converted, Image.Image) else image


def encode(frame: Image.Image, *, source_format: str, lossless_webp: bool) -> CleanImage:
    icc = frame.info.get("icc_profile")
    pixels = to_srgb(to_web_mode(frame), icc)
    pixels.info = {}  # drop EXIF, XMP, text chunks and profiles on the way out
    if source_format == "WEBP":
        target, options = "WEBP", {"lossless": True} if lossless_webp else {"quality": 90, "method": 4}
    elif source_format == "JPEG" and pixels.mode != "RGBA":
        target, options = "JPEG", {"quality": 90, "progressive": True, "optimize": True}
    else:
        target, options = "PNG", {"optimize": True}
    if target == "JPEG" and pixels.mode != "L":
        pixels = pixels.convert("RGB")
    buffer = io.BytesIO()
    pixels.save(buffer, target, **options)
    content = buffer.getvalue()
    extension, content_type = OUTPUTS[target]
    return CleanImage(
        content=content,
        format=target,
        extension=extension,
        content_type=content_type,
        width=pixels.width,
        height=pixels.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
