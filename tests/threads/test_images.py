import io
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from tests.factories import png_bytes
from threads.images import ImageLimits, InvalidImage, image_clean


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny file whose header claims a huge image: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def refused(data: bytes, **limits) -> str:
    with pytest.raises(InvalidImage) as error:
        image_clean(data, limits=ImageLimits(**limits) if limits else ImageLimits())
    assert error.value.field == "file"
    return error.value.message


RGB = Image.new("RGB", (120, 80), "#1d9bf0")


@pytest.mark.parametrize(
    ("data", "format", "extension"),
    [
        (encoded(RGB, "PNG"), "PNG", "png"),
        (encoded(RGB, "JPEG"), "JPEG", "jpg"),
        (encoded(RGB, "JPEG", progressive=True), "JPEG", "jpg"),
        (encoded(RGB, "WEBP"), "WEBP", "webp"),
        (encoded(RGB, "WEBP", lossless=True), "WEBP", "webp"),
        (encoded(RGB.convert("P"), "GIF"), "PNG", "png"),
    ],
    ids=["png", "jpeg", "progressive-jpeg", "webp", "lossless-webp", "gif"],
)
def test_accepted_formats_are_reencoded(data, format, extension):
    clean = image_clean(data)

    assert (clean.format, clean.extension, clean.width, clean.height) == (format, extension, 120, 80)
    reopened = Image.open(io.BytesIO(clean.content))
    assert reopened.format == format
    assert reopened.size == (120, 80)


def test_animated_gif_keeps_its_first_frame():
    frames = [Image.new("RGB", (30, 30), colour).convert("P") for colour in ("#ff0000", "#00ff00", "#0000ff")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)

    clean = image_clean(buffer.getvalue())

    first = Image.open(io.BytesIO(clean.content)).convert("RGB")
    assert first.getpixel((10, 10)) == (255, 0, 0)
    assert getattr(Image.open(io.BytesIO(clean.content)), "n_frames", 1) == 1


def test_exif_orientation_is_applied_and_metadata_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "Camera maker"
    data = encoded(RGB, "JPEG", exif=exif.tobytes())

    clean = image_clean(data)

    assert (clean.width, clean.height) == (80, 120)
    output = Image.open(io.BytesIO(clean.content))
    assert dict(output.getexif()) == {}
    assert "icc_profile" not in output.info


def test_icc_profile_is_converted_away():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    clean = image_clean(encoded(RGB, "PNG", icc_profile=profile))

    assert "icc_profile" not in Image.open(io.BytesIO(clean.content)).info


@pytest.mark.parametrize(
    ("image", "format"),
    [
        (Image.new("CMYK", (20, 20), (0, 128, 255, 0)), "JPEG"),
        (Image.new("I;16", (20, 20), 40000), "PNG"),
        (Image.new("1", (20, 20), 1), "PNG"),
        (Image.new("LA", (20, 20), (100, 50)), "PNG"),
    ],
    ids=["cmyk-jpeg", "16-bit-png", "1-bit-png", "grey-alpha-png"],
)
def test_unusual_modes_come_out_as_web_modes(image, format):
    clean = image_clean(encoded(image, format))

    assert Image.open(io.BytesIO(clean.content)).mode in {"RGB", "RGBA", "L"}


def test_transparency_is_kept_as_png():
    palette = Image.new("P", (20, 20), 0)
    palette.info["transparency"] = 0

    clean = image_clean(encoded(palette, "PNG", transparency=0))

    assert clean.format == "PNG"
    assert Image.open(io.BytesIO(clean.content)).mode == "RGBA"


@pytest.mark.parametrize(
    "data",
    [
        b"just text",
        b"<html><body>hi</body></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
        encoded(RGB, "BMP"),
        encoded(RGB, "TIFF"),
        b"PK\x03\x04" + b"\x00" * 30,
    ],
    ids=["text", "html", "svg", "pdf", "bmp", "tiff", "zip"],
)
def test_other_files_are_refused(data):
    assert "not a PNG, JPEG, WebP or GIF" in refused(data)


@pytest.mark.parametrize("data", [encoded(RGB, "PNG")[:70], encoded(RGB, "JPEG")[:-30], b"\x89PNG\r\n\x1a\n"])
def test_truncated_files_are_refused(data):
    message = refused(data)
    assert "damaged" in message or "not a PNG" in message


@pytest.mark.parametrize(
    "data",
    [
        encoded(RGB, "PNG") + b"PK\x03\x04" + b"\x01" * 40,
        encoded(RGB, "PNG") + b"<script>alert(1)</script>",
        encoded(RGB, "JPEG") + b"<?php echo 1; ?>",
        encoded(RGB.convert("P"), "GIF") + b"<html>",
        encoded(RGB, "WEBP") + b"trailing",
    ],
    ids=["png-zip", "png-script", "jpeg-php", "gif-html", "webp-tail"],
)
def test_polyglots_are_refused(data):
    assert "more than an image" in refused(data)


def test_html_in_front_of_an_image_is_refused():
    assert "not a PNG" in refused(b"<html>" + encoded(RGB, "PNG"))


def test_a_little_zero_padding_is_tolerated():
    assert image_clean(encoded(RGB, "PNG") + b"\x00" * 16).width == 120


def test_decompression_bomb_is_refused_from_its_header():
    assert "40 megapixels" in refused(png_declaring(20_000, 20_000))
    message = refused(png_declaring(8_000, 6_000))
    assert "40 megapixels" in message
    assert "8000×6000" in message


def test_pixel_limit_is_configurable():
    assert "megapixels" in refused(png_bytes(200, 100), max_pixels=10_000)


def test_size_limit_names_the_limit():
    message = refused(png_bytes(100, 100, noise=True), max_bytes=2048)

    assert "at most 2 KB" in message


def test_a_stream_is_read_only_up_to_the_limit():
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"\x89" * len(buffer)
            return len(buffer)

    stream = io.BufferedReader(Endless())
    assert "at most" in refused_stream(stream)


def refused_stream(stream) -> str:
    with pytest.raises(InvalidImage) as error:
        image_clean(stream, limits=ImageLimits(max_bytes=4096))
    return error.value.message


def test_empty_file_is_refused():
    assert "empty" in refused(b"")


def test_identical_input_gives_identical_bytes():
    data = encoded(Image.radial_gradient("L").convert("RGB"), "JPEG")

    assert image_clean(data).content == image_clean(data).content
    assert image_clean(data).sha256 == image_clean(data).sha256


SMALL_PNG = png_bytes(8, 8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=256).map(lambda tail: SMALL_PNG + tail),
        st.tuples(st.integers(0, len(SMALL_PNG)), st.binary(max_size=64)).map(
            lambda cut: SMALL_PNG[: cut[0]] + cut[1] + SMALL_PNG[cut[0] :]
        ),
    )
)
def test_any_bytes_give_a_clean_image_or_a_refusal(data):
    try:
        clean = image_clean(data)
    except InvalidImage as error:
        assert error.field == "file"
        return
    assert Image.open(io.BytesIO(clean.content)).size == (clean.width, clean.height)
