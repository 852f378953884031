"""Finds active content in a PDF: scripts, launched programs, embedded files, rich
media, XFA forms and automatic actions. Pure and bounded: reads bytes, touches
nothing else, and gives up (`Unverifiable`) rather than work past its budget.

A PDF is refused rather than rewritten without its active content: a rewrite needs a
full PDF writer, silently changes what the teacher uploaded (and its checksum), and
documents are otherwise kept byte for byte. Printing to PDF gives a clean copy.

What is read, and why that is enough:
- Every name outside strings, comments and stream data, with #xx escapes decoded
  (/J#61vaScript is /JavaScript to a reader).
- Stream data is skipped, except object streams (those with /First or /Type/ObjStm),
  which hold objects and are decoded (Flate, ASCIIHex, ASCII85) and read whole.
- A reader reaches objects through `n g obj` headers (or object streams). So a header
  inside anything skipped (stream data, a string, a comment) means the file is built
  to be read differently from how it looks here: it is not accepted either.
"""

import base64
import binascii
import bisect
import re
import zlib

# Names that make a PDF do something by itself, or carry something that can.
ACTIVE_NAMES = frozenset(
    {
        b"JS",
        b"JavaScript",
        b"AA",  # additional actions: on opening a page, focusing a field, closing...
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"GoToE",  # opens an embedded document
        b"RichMedia",
        b"XFA",
        b"SubmitForm",  # sends what was typed in to an address
        b"ImportData",
    }
)

# Steps of the walk over the file (dictionaries, strings, comments, streams, nested
# brackets): a plain 10 MB document takes about ten thousand; the budget, about a
# second of work at worst.
MAX_STEPS = 500_000
# Unpacked object streams of one file, together: real documents stay far below.
MAX_INFLATED = 32 * 1024 * 1024


class ActiveContent(Exception):
    pass


class Unverifiable(Exception):
    pass


_WHITESPACE = b"\x00\t\n\x0c\r "
_WS = rb"[\x00\t\n\x0c\r ]"
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_IS_REGULAR = bytes(0 if byte in b"\x00\t\n\x0c\r ()<>[]{}/%" else 1 for byte in range(256))
_NAME = re.compile(rb"/" + _REGULAR + rb"*")
_PLAIN_ACTIVE = re.compile(
    rb"/(?:" + b"|".join(sorted(ACTIVE_NAMES, key=len, reverse=True)) + rb")(?!" + _REGULAR + rb")"
)
_ESCAPED_NAME = re.compile(rb"/" + _REGULAR + rb"*#" + _REGULAR + rb"*")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_DELIMITER = re.compile(rb"[<>(%]")
_STREAM_START = re.compile(rb"stream[\x00\t\x0c ]*(?:\r\n|\n|\r)")
_STRING_PART = re.compile(rb"(?:[^()\\]+|\\.)*", re.DOTALL)
_LINE_END = re.compile(rb"[\r\n]")
_OBJECT_HEADER = re.compile(rb"\d" + _WS + rb"+\d+" + _WS + rb"*obj(?!" + _REGULAR + rb")")
# A direct length only: "/Length 12 0 R" names another object.
_LENGTH = re.compile(rb"/Length" + _WS + rb"*(\d+)(?!\d)(?!" + _WS + rb"+\d+" + _WS + rb"+R)")
_END_OF_DATA = re.compile(_WS + rb"*endstream")
_FILTER = re.compile(rb"/Filter" + _WS + rb"*(\[[^\]]*\]|/" + _REGULAR + rb"+)")
_FIRST = re.compile(rb"/First" + _WS + rb"*(\d+)")
_PREDICTOR = re.compile(rb"/Predictor" + _WS + rb"*(\d+)")


def check_pdf(data: bytes) -> None:
    """Raises ActiveContent if `data` carries active content, Unverifiable if it cannot
    be checked within the budget or only by guessing."""
    _Walk(data).run()


class _Walk:
    def __init__(self, data):
        self.data = data
        self.steps = 0
        self.inflated = 0

    def step(self):
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Unverifiable("too many parts")

    def run(self):
        visible, skipped = self.tokens(self.data, streams=True)
        for start, end in skipped:
            if _OBJECT_HEADER.search(self.data, start, end):
                raise Unverifiable("an object inside what is not read as objects")
        self.check_names(visible)

    def tokens(self, data, *, streams):
        """(the text a reader parses as objects, joined; the (start, end) spans skipped
        as strings, comments and stream data). Object streams met on the way are read."""
        visible, skipped = [], []
        pos = shown_from = 0
        open_dicts = []
        last_dict = b""  # the last outermost dictionary: a stream's own, when "stream" follows it
        stops = _Stops(data, streams=streams)
        while found := stops.next(pos):
            self.step()
            token, start, pos = found
            if token == b"<<":
                open_dicts.append(start)
            elif token == b">>":
                if open_dicts:
                    opened = open_dicts.pop()
                    if not open_dicts:
                        last_dict = data[opened:pos]
            elif token == b"<":  # hex string: only hex digits until ">"
                end = data.find(b">", pos)
                pos = len(data) if end == -1 else end + 1
            elif token in (b"(", b"%", b"stream"):
                if token == b"(":
                    end = self.string_end(data, pos)
                elif token == b"%":
                    line_end = _LINE_END.search(data, pos)
                    end = line_end.start() if line_end else len(data)
                else:
                    # Each dictionary belongs to one stream at most, so none is decoded twice.
                    dictionary, last_dict = self.decoded_names(last_dict), b""
                    end = self.stream_end(data, pos, dictionary)
                    if _is_object_stream(dictionary):
                        self.read_object_stream(data[pos:end], dictionary)
                visible.append(data[shown_from:start])
                skipped.append((pos, end))
                pos = shown_from = end
        visible.append(data[shown_from:])
        return b" ".join(visible), skipped

    def string_end(self, data, pos):
        """Where a literal string ends: after the bracket closing the one before `pos`."""
        depth = 1
        while True:
            self.step()
            pos = _STRING_PART.match(data, pos).end()
            if pos >= len(data):
                return len(data)
            depth += 1 if data[pos] == ord("(") else -1
            pos += 1
            if depth == 0:
                return pos

    def stream_end(self, data, start, dictionary):
        """Where the data of a stream ends: by its /Length when `endstream` follows it
        there, otherwise at the next `endstream`, as readers recover."""
        length = _LENGTH.search(dictionary)
        if length and start + int(length.group(1)) <= len(data):
            end = start + int(length.group(1))
            if _END_OF_DATA.match(data, end):
                return end
        end = data.find(b"endstream", start)
        return len(data) if end == -1 else end

    def read_object_stream(self, raw, dictionary):
        predictor = _PREDICTOR.search(dictionary)
        if predictor and int(predictor.group(1)) > 1:
            raise Unverifiable("a predictor on an object stream")
        content = raw
        for name in _filters(dictionary):
            content = self.decode(name, content)
        visible, skipped = self.tokens(content, streams=False)
        # Its objects start where the table at its head says: none may start inside a
        # string or comment, where the names were not read.
        starts = [start for start, _end in skipped]
        for offset in _object_offsets(content, dictionary):
            inside = bisect.bisect_right(starts, offset) - 1
            if inside >= 0 and offset < skipped[inside][1]:
                raise Unverifiable("an object inside a string of an object stream")
        self.check_names(visible)

    def check_names(self, text):
        if _PLAIN_ACTIVE.search(text):
            raise ActiveContent
        for match in _ESCAPED_NAME.finditer(text):
            self.step()
            if _decoded_name(match.group())[1:] in ACTIVE_NAMES:
                raise ActiveContent

    def decoded_names(self, text):
        """`text` with the #xx escapes of its names decoded."""

        def decoded(match):
            self.step()
            return _decoded_name(match.group())

        return _ESCAPED_NAME.sub(decoded, text)

    def decode(self, name, content):
        budget = MAX_INFLATED - self.inflated
        if name in (b"FlateDecode", b"Fl"):
            try:
                content = zlib.decompressobj().decompress(content, budget + 1)
            except zlib.error:
                raise Unverifiable("a damaged object stream") from None
        elif name in (b"ASCIIHexDecode", b"AHx"):
            digits = re.sub(_WS, b"", content.split(b">", 1)[0])
            try:
                content = binascii.unhexlify(digits + b"0" * (len(digits) % 2))
            except binascii.Error:
                raise Unverifiable("a damaged object stream") from None
        elif name in (b"ASCII85Decode", b"A85"):
            try:
                content = base64.a85decode(content.split(b"~>", 1)[0].removeprefix(b"<~"), ignorechars=_WHITESPACE)
            except ValueError:
                raise Unverifiable("a damaged object stream") from None
        else:
            raise Unverifiable("an object stream packed in a way not read here")
        self.inflated += len(content)
        if self.inflated > MAX_INFLATED:
            raise Unverifiable("object streams too large when unpacked")
        return content


class _Stops:
    """Finds what the walk stops at: dictionaries, strings, comments and (at the top
    level) the keyword starting stream data. One regular expression for all of them
    is slow over long stretches without any; a character class and bytes.find are not."""

    def __init__(self, data, *, streams):
        self.data = data
        self.streams = streams
        self.stream_at = -1 if streams else len(data)  # the next "stream", once looked for

    def next(self, pos):
        """(token, start, end) of the first stop at or after `pos`, or None."""
        data = self.data
        while True:
            if self.stream_at < pos:
                found = data.find(b"stream", pos)
                self.stream_at = len(data) if found == -1 else found
            delimiter = _DELIMITER.search(data, pos, self.stream_at)
            if delimiter:
                start = delimiter.start()
                token = data[start : start + 2]
                if token in (b"<<", b">>"):
                    return token, start, start + 2
                if token[:1] != b">":
                    return token[:1], start, start + 1
            else:
                start = self.stream_at
                if start == len(data):
                    return None
                keyword = _STREAM_START.match(data, start)
                # A keyword of its own ("endstream" is another), followed by the end of the line.
                if keyword and (start == 0 or not _IS_REGULAR[data[start - 1]]):
                    return b"stream", start, keyword.end()
            pos = start + 1  # a lone ">" or a word ending in "stream": not a stop


def _object_offsets(content, dictionary):
    """Where the objects of an object stream start, from its /First and its table."""
    first = _FIRST.search(dictionary)
    if not first or int(first.group(1)) > len(content):
        raise Unverifiable("an object stream without a readable table")
    first = int(first.group(1))
    numbers = re.findall(rb"\d+", content[:first])
    return [first + int(offset) for offset in numbers[1::2]]


def _decoded_name(name):
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)


def _is_object_stream(dictionary):
    names = {name[1:] for name in _NAME.findall(dictionary)}
    return b"First" in names or b"ObjStm" in names


def _filters(dictionary):
    found = _FILTER.search(dictionary)
    if not found:
        return []
    return [name[1:] for name in _NAME.findall(found.group(1))]
