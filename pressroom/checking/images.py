"""Image privacy (392.5 b, e): no location or camera identity in published images.

A phone photo of a crime scene can carry the GPS position of an officer's
home or of a victim's house, and the serial number of a department camera.
``find_metadata`` says what an image carries; ``strip_metadata`` removes it
losslessly — the compressed picture data is copied byte for byte, only the
metadata blocks (EXIF, XMP) are rewritten or dropped. JPEG, PNG, WebP and GIF
are supported; SVG is refused (it can carry script), other formats must be
exported as one of those.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg", ".tif", ".tiff", ".heic",
                  ".heif", ".bmp", ".avif")
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
IFD0_TAGS = {0x010F: "camera make", 0x0110: "camera model", 0x013B: "artist name",
             0x013C: "host computer"}
EXIF_TAGS = {0xA431: "camera serial number", 0xA435: "lens serial number",
             0xA430: "camera owner name", 0xA433: "lens make", 0xA434: "lens model",
             0x927C: "maker notes"}
XMP_KEYS = {b"GPSLatitude": "XMP location", b"GPSLongitude": "XMP location",
            b"exif:GPS": "XMP location", b"SerialNumber": "XMP serial number",
            b"tiff:Make": "XMP camera make", b"tiff:Model": "XMP camera model",
            b"OwnerName": "XMP owner name", b"iptc4xmpCore:Location": "XMP location",
            b"photoshop:City": "XMP location"}
XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXT_APP1 = b"http://ns.adobe.com/xmp/extension/\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageError(Exception):
    """The file is not an image pressroom can check."""


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    removed: tuple[str, ...]  # what was found and removed, in words


def kind_of(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        return "svg"
    return "unknown"


def _clean_exif(tiff: bytes) -> tuple[bytes | None, list[str]]:
    """Return (new TIFF bytes or None to drop the block, what was removed)."""
    from PIL import Image  # imported only when an image is checked

    exif = Image.Exif()
    try:
        exif.load(tiff)
    except Exception as exc:  # corrupt EXIF: drop it whole rather than guess
        return None, [f"unreadable EXIF ({exc.__class__.__name__})"]
    removed: list[str] = []
    if exif.get_ifd(GPS_IFD):
        removed.append("GPS location")
    if GPS_IFD in exif:
        del exif[GPS_IFD]
    exif._ifds.pop(GPS_IFD, None)
    for tag, label in IFD0_TAGS.items():
        if exif.get(tag):
            removed.append(label)
        exif.pop(tag, None)
    sub = exif.get_ifd(EXIF_IFD)
    for tag, label in EXIF_TAGS.items():
        if sub.get(tag):
            removed.append(label)
        sub.pop(tag, None)
    if not removed:
        return tiff, []
    if EXIF_IFD in exif and not sub:
        del exif[EXIF_IFD]
        exif._ifds.pop(EXIF_IFD, None)
    if not len(exif):
        return None, removed
    data = exif.tobytes()
    return (data[6:] if data.startswith(b"Exif\x00\x00") else data), removed


def _xmp_findings(xmp: bytes) -> list[str]:
    return sorted({label for key, label in XMP_KEYS.items() if key in xmp})


def _jpeg(data: bytes) -> Cleaned:
    out = io.BytesIO()
    out.write(data[:2])
    pos, removed, scanned = 2, [], False
    while pos < len(data):
        if data[pos] != 0xFF:
            raise ImageError("corrupt JPEG (marker expected)")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out.write(data[pos:pos + 2])
            pos += 2
            continue
        if marker == 0xD9:
            raise ImageError("corrupt JPEG (ends before the image data)")
        if pos + 4 > len(data):
            raise ImageError("corrupt JPEG (truncated segment)")
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            raise ImageError("corrupt JPEG (a segment runs past the end of the file)")
        segment = data[pos:pos + 2 + length]
        payload = segment[4:]
        if marker == 0xDA:  # start of scan: the picture data follows verbatim
            out.write(data[pos:])
            scanned = True
            break
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            tiff, found = _clean_exif(payload[6:])
            removed += found
            if tiff is not None and found:
                body = b"Exif\x00\x00" + tiff
                segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
            elif tiff is None:
                segment = b""
        elif marker == 0xE1 and (payload.startswith(XMP_APP1) or payload.startswith(XMP_EXT_APP1)):
            found = _xmp_findings(payload)
            if found:
                removed += found
                segment = b""
        out.write(segment)
        pos += 2 + length
    if not scanned:
        raise ImageError("corrupt JPEG (no image data)")
    return Cleaned(out.getvalue(), tuple(dict.fromkeys(removed)))


def _png(data: bytes) -> Cleaned:
    out = io.BytesIO()
    out.write(PNG_SIGNATURE)
    pos, removed = len(PNG_SIGNATURE), []
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        chunk_end = pos + 12 + length
        if chunk_end > len(data):
            raise ImageError("corrupt PNG (truncated chunk)")
        body = data[pos + 8:pos + 8 + length]
        chunk = data[pos:chunk_end]
        if kind == b"eXIf":
            tiff, found = _clean_exif(body)
            removed += found
            if tiff is None:
                chunk = b""
            elif found:
                chunk = struct.pack(">I", len(tiff)) + kind + tiff + struct.pack(
                    ">I", zlib.crc32(kind + tiff) & 0xFFFFFFFF)
        elif kind in (b"iTXt", b"tEXt", b"zTXt") and body.startswith(b"XML:com.adobe.xmp"):
            text = body
            if kind == b"zTXt" or (kind == b"iTXt" and len(body) > 18 and body[18] == 1):
                try:
                    text = zlib.decompress(body.split(b"\x00", 3)[-1])
                except zlib.error:
                    text = body
            found = _xmp_findings(text)
            if found:
                removed += found
                chunk = b""
        out.write(chunk)
        pos = chunk_end
        if kind == b"IEND":
            break
    out.write(data[pos:])
    return Cleaned(out.getvalue(), tuple(dict.fromkeys(removed)))


def _webp(data: bytes) -> Cleaned:
    pos, chunks, removed = 12, [], []
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4:pos + 8])
        end = pos + 8 + size + (size & 1)
        body = data[pos + 8:pos + 8 + size]
        keep = True
        if kind == b"EXIF":
            tiff = body[6:] if body.startswith(b"Exif\x00\x00") else body
            new, found = _clean_exif(tiff)
            removed += found
            if found and new is None:
                keep = False
            elif found:
                pad = b"\x00" if len(new) & 1 else b""
                chunks.append((kind, kind + struct.pack("<I", len(new)) + new + pad))
                keep = False
        elif kind == b"XMP ":
            found = _xmp_findings(body)
            if found:
                removed += found
                keep = False
        if keep:
            chunks.append((kind, data[pos:end]))
        pos = end
    if not removed:
        return Cleaned(data, ())
    kinds = {kind for kind, _ in chunks}
    rebuilt = []
    for kind, raw in chunks:
        if kind == b"VP8X":  # clear the EXIF/XMP flags of what we dropped
            flags = raw[8]
            if b"EXIF" not in kinds:
                flags &= ~0x08
            if b"XMP " not in kinds:
                flags &= ~0x04
            raw = raw[:8] + bytes([flags]) + raw[9:]
        rebuilt.append(raw)
    body = b"WEBP" + b"".join(rebuilt)
    return Cleaned(b"RIFF" + struct.pack("<I", len(body)) + body, tuple(dict.fromkeys(removed)))


def strip_metadata(data: bytes) -> Cleaned:
    """Remove location and camera metadata. Raises ``ImageError`` for unsupported files."""
    kind = kind_of(data)
    parsers = {"jpeg": _jpeg, "png": _png, "webp": _webp}
    if kind in parsers:
        try:
            return parsers[kind](data)
        except (struct.error, IndexError, ValueError) as exc:
            raise ImageError(f"corrupt {kind.upper()} file ({exc})") from exc
    if kind == "gif":
        return Cleaned(data, ())
    if kind == "svg":
        raise ImageError("SVG images can carry scripts; export the image as PNG")
    raise ImageError("not a JPEG, PNG, WebP or GIF image; export it as one of those")


def find_metadata(data: bytes) -> tuple[str, ...]:
    """What location or camera metadata the image carries (empty when clean)."""
    return strip_metadata(data).removed
