"""Time the active-content check of PDF uploads (activities/pdfcheck.py), on plain
documents and on files built to make it work as hard as possible.

    .venv/bin/python scripts/bench_pdfcheck.py

Every input is at most 10 MB, the upload limit. Prints, for each, the verdict, the
steps of the walk and the median time of 5 runs. Prints numbers; it is not a test.
"""

import statistics
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activities import pdfcheck

MB = 1024 * 1024
RUNS = 5


def plain_document(pages, *, compressed):
    """A text document as WeasyPrint writes it, one long paragraph and a link per page."""
    from weasyprint import HTML

    text = "Membaca nyaring, lalu diskusi kelompok. " * 80
    body = "".join(
        f'<h1>Pertemuan {n}</h1><p>{text}<a href="https://contoh.sch.id/{n}">tautan</a></p>'
        '<div style="page-break-after: always"></div>'
        for n in range(pages)
    )
    return HTML(string=body).write_pdf(uncompressed_pdf=not compressed)


def object_stream(megabytes):
    """An object stream holding one empty dictionary, then `megabytes` of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * MB
    body = compressor.compress(b"4 0\n<<>>") + b"".join(compressor.compress(chunk) for _ in range(megabytes))
    body += compressor.flush()
    return (
        b"%%PDF-1.7\n1 0 obj\n<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>\nstream\n%s\nendstream\n"
        b"endobj\n%%%%EOF\n" % (len(body), body)
    )


def cases():
    yield "plain, 400 pages, uncompressed", plain_document(400, compressed=False)
    yield "plain, 400 pages, object streams", plain_document(400, compressed=True)
    ten = 10 * MB - 16
    yield "10 MB of empty dictionaries", b"%PDF-1.7\n" + b"<<>>" * (ten // 4)
    yield "10 MB of nested strings", b"%PDF-1.7\n" + b"(" * ten
    yield "10 MB of comments", b"%PDF-1.7\n" + b"%\n" * (ten // 2)
    yield "10 MB of escaped names", b"%PDF-1.7\n" + b"/#41" * (ten // 4)
    yield "10 MB of escaped backslashes in one string", b"%PDF-1.7\n(" + b"\\\\" * (ten // 2)
    yield "object stream unpacking to 30 MB", object_stream(30)
    yield "object stream unpacking to 200 MB", object_stream(200)


def run(data):
    walk = pdfcheck._Walk(data)
    try:
        walk.run()
        verdict = "accepted"
    except pdfcheck.ActiveContent:
        verdict = "active content"
    except pdfcheck.Unverifiable as exc:
        verdict = f"unverifiable ({exc})"
    return verdict, walk.steps


def main():
    print(f"{'input':45} {'size':>9} {'steps':>8} {'median':>9}  verdict")
    for name, data in cases():
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            verdict, steps = run(data)
            times.append(time.perf_counter() - start)
        size = f"{len(data) / MB:.1f} MB"
        print(f"{name:45} {size:>9} {steps:>8} {statistics.median(times) * 1000:>7.0f} ms  {verdict}")


if __name__ == "__main__":
    main()
