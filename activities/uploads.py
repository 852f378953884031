"""Verification and re-encoding of one uploaded photo or document. Pure: reads the
upload, touches neither the database nor storage.

The type is decided from the content, never from the name or the browser's claim.
Photos (JPEG, PNG, WEBP) are decoded and re-encoded as a fresh JPEG, so whatever rode
along with the pixels (EXIF, GPS, comments, appended HTML or script) is not stored.
Documents are kept byte for byte, but only PDF, OOXML, ODF and legacy Office pass,
and a PDF only without active content (activities/pdfcheck.py).
"""

import contextlib
import hashlib
import math
import threading
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps

from activities import pdfcheck

# About 7300 x 5500: above any phone camera, far below what would exhaust a small server.
MAX_PIXELS = 40_000_000

PHOTO_LONG_SIDE = 1600
PHOTO_QUALITIES = (78, 70, 62, 55)  # tried in turn until the photo fits PHOTO_TARGET_BYTES
PHOTO_TARGET_BYTES = 400_000
THUMB_LONG_SIDE = 400
THUMB_QUALITIES = (70, 60, 50)
THUMB_TARGET_BYTES = 40_000

# Formats Pillow may even try; MPO is how Pillow names the multi-picture JPEGs some phones write.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_FORMATS_OPENED = {"JPEG", "MPO", "PNG", "WEBP"}

ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

OOXML = {  # main part -> (extension, content type)
    "word/document.xml": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/workbook.xml": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/presentation.xml": (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
ODF = {  # content of the "mimetype" entry -> extension
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
OLE2 = {  # the name's extension picks among the legacy formats; the new-format names cover encrypted files
    ".doc": (".doc", "application/msword"),
    ".docx": (".doc", "application/msword"),
    ".xls": (".xls", "application/vnd.ms-excel"),
    ".xlsx": (".xls", "application/vnd.ms-excel"),
    ".ppt": (".ppt", "application/vnd.ms-powerpoint"),
    ".pptx": (".ppt", "application/vnd.ms-powerpoint"),
}
# A display name already ending in one of these keeps it.
EXTENSION_ALIASES = {".jpg": {".jpg", ".jpeg"}}

MAX_NAME_LENGTH = 120
FALLBACK_NAME = "berkas"
# Control, format (bidi overrides, zero-width), surrogate, private-use, line/paragraph separators.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class UploadRejected(Exception):
    """The message (a string from django.utils.translation.gettext) is shown to the person as is."""


@dataclass(frozen=True)
class ProcessedUpload:
    kind: str  # "photo" or "file", as Document.Kind
    content: bytes  # what gets stored: a re-encoded JPEG for photos, the original bytes for files
    extension: str  # ".jpg" for photos, ".pdf", ".docx"... for files
    content_type: str
    thumbnail: bytes | None  # JPEG, long side THUMB_LONG_SIDE; photos only
    original_name: str  # display name: basename only, cleaned, ends in `extension`
    width: int | None  # stored photo size
    height: int | None
    sha256: str  # hex digest of `content`


def process_upload(uploaded, *, max_bytes: int) -> ProcessedUpload:
    """Verifies `uploaded` (a Django UploadedFile) and returns what should be stored.
    Raises UploadRejected with a message for the person on anything not allowed."""
    data = _read(uploaded, max_bytes=max_bytes)
    if _looks_like_photo(data):
        content, thumbnail, width, height = _reencode_photo(data)
        kind, extension, content_type = "photo", ".jpg", "image/jpeg"
    else:
        extension, content_type = _identify_file(data, name=uploaded.name or "")
        content, thumbnail, width, height = data, None, None, None
        kind = "file"
    return ProcessedUpload(
        kind=kind,
        content=content,
        extension=extension,
        content_type=content_type,
        thumbnail=thumbnail,
        original_name=display_name(uploaded.name, extension=extension),
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def display_name(name, *, extension=""):
    """A name safe to show and to offer as a download name: the last path component
    (either slash), without control or bidi characters, at most MAX_NAME_LENGTH long,
    ending in `extension` when one is given, never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _UNSAFE_CATEGORIES)
    name = " ".join(name.split())
    if not name.strip("."):
        name = FALLBACK_NAME
    stem, suffix = _split_extension(name)
    if extension and suffix.lower() not in EXTENSION_ALIASES.get(extension, {extension}):
        # What is downloaded must open as what it is: "setup.exe" holding a Word file becomes "setup.doc".
        suffix = extension
    stem = stem[: MAX_NAME_LENGTH - len(suffix)].rstrip() or FALLBACK_NAME
    return stem + suffix


def _split_extension(name):
    dot = name.rfind(".")
    suffix = name[dot:] if dot != -1 else ""
    if 2 <= len(suffix) <= 6 and suffix[1:].isalnum():
        return name[:dot], suffix
    return name, ""


def _read(uploaded, *, max_bytes):
    too_large = _("File is larger than %(mb)s MB.") % {"mb": _megabytes(max_bytes)}
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise UploadRejected(too_large)
    uploaded.seek(0)
    # The declared size is the client's word; read one byte past the limit to know.
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRejected(too_large)
    if not data:
        raise UploadRejected(_("The file is empty."))
    return data


def _megabytes(size):
    mb = size / 1024 / 1024
    return number_format(int(mb) if mb.is_integer() else max(round(mb, 1), 0.1))


# Photos


def _looks_like_photo(data):
    # The same signatures Pillow's JPEG, PNG and WEBP plugins accept.
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or (data.startswith(b"RIFF") and data[8:12] == b"WEBP")
    )


def _reencode_photo(data):
    image = _decode(data)
    image = _oriented(image)
    image = _to_srgb(image)
    image.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE), Image.Resampling.LANCZOS)
    content, image = _encode_jpeg(image, PHOTO_QUALITIES, PHOTO_TARGET_BYTES)
    small = image.copy()
    small.thumbnail((THUMB_LONG_SIDE, THUMB_LONG_SIDE), Image.Resampling.LANCZOS)
    thumbnail, _small = _encode_jpeg(small, THUMB_QUALITIES, THUMB_TARGET_BYTES)
    return content, thumbnail, image.width, image.height


_decoding = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    """Half-received photos must be refused, not stored as grey halves. WeasyPrint turns
    Pillow's global LOAD_TRUNCATED_IMAGES on when it is imported, so it is switched off
    for the length of a decode (uploads decode one at a time)."""
    with _decoding:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _decode(data):
    """Opens, checks the size from the header, verifies, then decodes: a loaded image."""
    with _strict_decoding(), warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=PHOTO_FORMATS) as probe:
                _check_photo_header(probe)
                probe.verify()
            image = Image.open(BytesIO(data), formats=PHOTO_FORMATS)
            _check_photo_header(image)
            # JPEG only: decode at a reduced scale when the photo is much larger than needed.
            scale = PHOTO_LONG_SIDE / max(image.size)
            image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image.load()
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRejected(_too_many_pixels(None)) from None
        except Exception:
            # Pillow's decoders answer hostile or broken input with OSError, SyntaxError,
            # ValueError, struct.error, EOFError...: all of them mean "not a usable photo".
            raise UploadRejected(
                _("This photo could not be read; it may be damaged or incomplete. Try taking or saving it again.")
            ) from None
    return image


def _check_photo_header(image):
    if image.format not in PHOTO_FORMATS_OPENED:
        raise UploadRejected(_not_accepted())
    if image.width * image.height > MAX_PIXELS:
        raise UploadRejected(_too_many_pixels(image.size))


def _too_many_pixels(size):
    limit = {"megapixels": MAX_PIXELS // 1_000_000}
    if size is None:
        return _("Image is too large: photos may have at most %(megapixels)s megapixels.") % limit
    return _(
        "Image is too large: %(width)s x %(height)s pixels. Photos may have at most %(megapixels)s megapixels."
    ) % {"width": size[0], "height": size[1], **limit}


def _oriented(image):
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        # Broken EXIF is common from cheap phones and editing apps; keep the pixels as they are.
        return image


def _to_srgb(image):
    """A plain RGB image with no metadata: colour profiles applied, transparency on white."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            profile = ImageCms.ImageCmsProfile(BytesIO(icc))
            image = ImageCms.profileToProfile(
                image, profile, _SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB"
            )
        except Exception:  # noqa: S110 - a broken profile only costs colour accuracy
            pass
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale (scanners): scale to 8 bits instead of clipping everything to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "P") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        # A fresh image, so nothing of the upload's info (comment, EXIF, XMP, ICC) can follow.
        flat = Image.new("RGB", image.size)
        flat.paste(image.convert("RGB"))
    return flat


def _encode_jpeg(image, qualities, target):
    """(JPEG bytes, the image encoded): lower qualities first, then smaller sizes, until
    the bytes fit `target`. Only noise-like pictures ever need to shrink."""
    while True:
        for quality in qualities:
            out = BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= target:
                return out.getvalue(), image
        if max(image.size) <= THUMB_LONG_SIDE // 2:
            return out.getvalue(), image
        smaller = (max(1, round(image.width * 0.75)), max(1, round(image.height * 0.75)))
        image = image.resize(smaller, Image.Resampling.LANCZOS)


# Files


def _identify_file(data, *, name):
    """(extension, content type) of an allowed document, or UploadRejected."""
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        return ".pdf", "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        # Only at the very start: a zip appended to something else (GIFAR) is not an office file.
        return _identify_zip(data)
    if data.startswith(OLE2_SIGNATURE):
        # Legacy Office files share one container; the name is the only cheap hint.
        return OLE2.get(_split_extension(display_name(name))[1].lower(), OLE2[".doc"])
    raise UploadRejected(_not_accepted())


def _check_pdf(data):
    save_again = _("Save it again as an ordinary PDF (for example with Print, then Save as PDF) and upload that.")
    try:
        pdfcheck.check_pdf(data)
    except pdfcheck.ActiveContent:
        raise UploadRejected(
            _(
                "This PDF contains active content (scripts, embedded files, automatic actions or XFA forms), "
                "which is not accepted."
            )
            + " "
            + save_again
        ) from None
    except pdfcheck.Unverifiable:
        raise UploadRejected(
            _("This PDF could not be checked for active content; it may be damaged, protected or unusually built.")
            + " "
            + save_again
        ) from None


def _identify_zip(data):
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES or sum(entry.file_size for entry in entries) > ZIP_MAX_UNPACKED:
                raise UploadRejected(_("This document has too many parts or is too large when unpacked."))
            names = {entry.filename for entry in entries}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise UploadRejected(
                    _("Documents with macros are not accepted. Save it as an ordinary document first.")
                )
            if entries and entries[0].filename == "mimetype" and entries[0].file_size < 100:
                mimetype = archive.read(entries[0]).decode("ascii", "replace").strip()
                if mimetype in ODF:
                    return ODF[mimetype], mimetype
            if "[Content_Types].xml" in names:
                for part, identity in OOXML.items():
                    if part in names:
                        return identity
    except UploadRejected:
        raise
    except Exception:
        # zipfile answers broken archives with BadZipFile, EOFError, NotImplementedError...
        raise UploadRejected(_("This document could not be read; it may be damaged.")) from None
    raise UploadRejected(_("ZIP archives are not accepted."))


def _not_accepted():
    return _("This kind of file is not accepted. Upload a photo (JPEG, PNG, WEBP), a PDF or an office document.")
