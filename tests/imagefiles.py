"""Real image files with real metadata, made with Pillow, for the image tests."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD, EXIF_IFD = 0x8825, 0x8769


def exif_with_location(orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R5"
    exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (34.0, 7.0, 30.0)
    gps[3], gps[4] = "W", (117.0, 54.0, 12.0)
    exif.get_ifd(EXIF_IFD)[0xA431] = "SN-0042-7781"
    return exif.tobytes()


def picture() -> Image.Image:
    image = Image.new("RGB", (48, 32), (200, 30, 30))
    for x in range(0, 48, 4):
        for y in range(32):
            image.putpixel((x, y), (10, 120, 200))
    return image


def image_bytes(fmt: str, exif: bytes | None = None, **options) -> bytes:
    buffer = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    if fmt == "WEBP":
        options.setdefault("lossless", True)
    picture().save(buffer, fmt, **options)
    return buffer.getvalue()


XMP_WITH_GPS = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
                b'exif:GPSLatitude="34,7.5N" exif:GPSLongitude="117,54.2W" '
                b'aux:SerialNumber="0042"/></rdf:RDF></x:xmpmeta>')


def jpeg_with_xmp() -> bytes:
    data = image_bytes("JPEG")
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + XMP_WITH_GPS
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return data[:2] + segment + data[2:]
