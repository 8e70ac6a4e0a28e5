"""A citizen's photo made safe to keep and to publish: decoded by Pillow (only JPEG, PNG and
WebP), turned upright, re-encoded without any metadata (EXIF, GPS, XMP, ICC comments), and
resized into a page copy and a thumbnail. Pillow is loaded at the first photo a process cleans."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})  # MPO: the JPEG many phones write
CONTENT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
FULL_SIDE = 1600
SMALL_SIDE = 480
MAX_PIXELS = 50_000_000  # larger is refused before decoding (a decompression bomb)


class NotAPhoto(ValueError):
    """The bytes are not a JPEG, PNG or WebP image Pillow can read (HEIC, a PDF, garbage)."""


@dataclass(frozen=True)
class CleanPhoto:
    full: bytes
    small: bytes


def _jpeg(image: Image.Image, side: int) -> bytes:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=82, optimize=True, progressive=True)  # no exif= : none kept
    return out.getvalue()


def clean(data: bytes) -> CleanPhoto:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise NotAPhoto(f"unsupported image format {image.format}")
            if image.width * image.height > MAX_PIXELS:
                raise NotAPhoto("image too large")
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("RGBA", "LA", "P"):
                rgba = upright.convert("RGBA")
                upright = Image.new("RGB", rgba.size, "white")
                upright.paste(rgba, mask=rgba.getchannel("A"))
            else:
                upright = upright.convert("RGB")
            # A fresh image holds pixels only: nothing of the original's metadata travels on.
            pixels = Image.new("RGB", upright.size)
            pixels.paste(upright)
            return CleanPhoto(_jpeg(pixels, FULL_SIDE), _jpeg(pixels, SMALL_SIDE))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise NotAPhoto(str(exc)) from None
