"""A tiny PDF writer for the upload corpus: real files, with a correct cross-reference
table (or, when objects are packed into an object stream, a cross-reference stream), so
that a PDF reader finds exactly the objects each case is about."""

import binascii
import zlib


def build_pdf(objects, *, root=1, packed=(), filters=("FlateDecode",), objstm_dict=b"/Type/ObjStm", hidden=(), pad=0):
    """`objects` maps object numbers to their body (bytes, without `n 0 obj`). Objects
    named in `packed` go into one object stream encoded with `filters` (in the order
    a reader decodes them), described by `objstm_dict` besides /N, /First and /Length.
    Objects named in `hidden` are not written: their `n 0 obj` header is written by
    the case itself, inside another object, and the cross-reference points there.
    `pad` spaces follow the packed objects (deflated as they are made, so huge ones
    cost no memory)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        if number not in packed:
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    for number in hidden:
        offsets[number] = out.index(b" %d 0 obj" % number) + 1
    if not packed:
        return _with_xref_table(out, offsets, root)
    stream_number = max(objects) + 1
    header, body = [], bytearray()
    for number in packed:
        header.append(b"%d %d" % (number, len(body)))
        body += objects[number] + b"\n"
    header = b" ".join(header) + b"\n"
    encoded = _encode(header + body, filters) if not pad else _deflate_padded(header + body, pad)
    names = b"".join(b"/" + name.encode() for name in filters)
    names = b"/Filter[%s]" % names if filters else b""
    offsets[stream_number] = len(out)
    out += b"%d 0 obj\n<<%s/N %d/First %d/Length %d%s>>\nstream\n%s\nendstream\nendobj\n" % (
        stream_number,
        objstm_dict,
        len(packed),
        len(header),
        len(encoded),
        names,
        encoded,
    )
    packed_at = {number: (stream_number, index) for index, number in enumerate(packed)}
    return _with_xref_stream(out, offsets, packed_at, root, xref_number=stream_number + 1)


def _encode(data, filters):
    # The reader applies the filters in order, so the writer applies them in reverse.
    for name in reversed(filters):
        if name == "FlateDecode":
            data = zlib.compress(data)
        elif name == "ASCIIHexDecode":
            data = binascii.hexlify(data) + b">"
        else:
            raise ValueError(name)
    return data


def _deflate_padded(data, pad):
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    parts = [compressor.compress(data)]
    parts += [compressor.compress(chunk[: min(len(chunk), pad - done)]) for done in range(0, pad, len(chunk))]
    return b"".join(parts) + compressor.flush()


def _with_xref_table(out, offsets, root):
    size = max(offsets) + 1
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<</Size %d/Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, start)
    return bytes(out)


def _with_xref_stream(out, offsets, packed_at, root, *, xref_number):
    size = xref_number + 1
    offsets[xref_number] = len(out)
    rows = bytearray()
    for number in range(size):
        if number in offsets:
            rows += bytes([1]) + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big")
        elif number in packed_at:
            stream_number, index = packed_at[number]
            rows += bytes([2]) + stream_number.to_bytes(4, "big") + index.to_bytes(2, "big")
        else:
            rows += bytes([0]) + (0).to_bytes(4, "big") + (0xFFFF).to_bytes(2, "big")
    data = zlib.compress(bytes(rows))
    out += b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 2]/Root %d 0 R/Length %d/Filter/FlateDecode>>\nstream\n" % (
        xref_number,
        size,
        root,
        len(data),
    )
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


CATALOG = b"<</Type/Catalog/Pages 2 0 R%s>>"
PAGES = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]%s>>"


def one_page(catalog=b"", page=b"", extra=None, **options):
    """A one-page document; `catalog` and `page` add entries to those dictionaries,
    `extra` adds objects from number 4 on."""
    objects = {1: CATALOG % catalog, 2: PAGES, 3: PAGE % page, **(extra or {})}
    return build_pdf(objects, **options)


JS_ACTION = b"<</Type/Action/S/JavaScript/JS(app.alert\\('Kompra'\\);)>>"
