"""Image privacy: location and camera metadata found and stripped losslessly."""

from __future__ import annotations

import io

import pytest
from imagefiles import exif_with_location, image_bytes, jpeg_with_xmp
from PIL import Image

from pressroom.checking.images import ImageError, find_metadata, strip_metadata


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_location_and_camera_identity_are_removed(fmt):
    original = image_bytes(fmt, exif_with_location())
    assert set(find_metadata(original)) >= {"GPS location", "camera make",
                                            "camera serial number"}
    cleaned = strip_metadata(original)
    assert find_metadata(cleaned.data) == ()
    reopened = Image.open(io.BytesIO(cleaned.data))
    exif = reopened.getexif()
    assert exif.get_ifd(0x8825) == {}
    assert 0x010F not in exif and 0x0110 not in exif
    assert exif.get_ifd(0x8769).get(0xA431) is None
    assert exif.get(0x0112) == 6  # orientation is kept: the picture still shows upright
    assert pixels(cleaned.data) == pixels(original)


def test_jpeg_picture_data_is_copied_byte_for_byte():
    original = image_bytes("JPEG", exif_with_location())
    cleaned = strip_metadata(original).data
    scan = original.index(b"\xff\xda")
    assert cleaned[cleaned.index(b"\xff\xda"):] == original[scan:]
    assert len(cleaned) < len(original)


def test_xmp_location_is_dropped():
    original = jpeg_with_xmp()
    assert "XMP location" in find_metadata(original)
    cleaned = strip_metadata(original).data
    assert b"GPSLatitude" not in cleaned and b"SerialNumber" not in cleaned
    assert pixels(cleaned) == pixels(original)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_clean_images_are_left_byte_identical(fmt):
    original = image_bytes(fmt)
    cleaned = strip_metadata(original)
    assert cleaned.removed == () and cleaned.data == original


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "SVG"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"II*\x00\x08\x00\x00\x00", "not a JPEG, PNG, WebP or GIF"),
        (b"\xff\xd8\xff\xe1\x00", "corrupt JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00", "corrupt PNG"),
        (b"", "not a JPEG"),
    ],
)
def test_unsupported_or_corrupt_files_are_refused_in_words(data, message):
    with pytest.raises(ImageError, match=message):
        strip_metadata(data)
