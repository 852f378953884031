"""Words, stems and highlighted excerpts.

Both databases see the same words: the Snowball stemmer for Indonesian, which is what
PostgreSQL's `indonesian` text search configuration runs, here in Python for SQLite's
FTS5 index and for marking the words that matched ("membaca" and "bacaan" both stem
to "baca"). Markdown is indexed as the text a reader sees.
"""

import functools
import html
import re
import threading

import markdown as md
import nh3
import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Letters and digits in any script; "_" separates words, as it does for FTS5 and PostgreSQL.
WORD = re.compile(r"[^\W_]+")

_local = threading.local()

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8


def words(text):
    return WORD.findall((text or "").casefold())


def _stemmer():
    # A stemmer keeps state while it works: one per thread.
    if not hasattr(_local, "stemmer"):
        _local.stemmer = snowballstemmer.stemmer("indonesian")
    return _local.stemmer


@functools.lru_cache(maxsize=100_000)
def stem(word):
    """The Indonesian stem of one lower-case word (teachers use a few thousand words:
    each is stemmed once per process)."""
    return _stemmer().stemWord(word)


def stems(word_list):
    """The Indonesian stems of `word_list`, in order."""
    return [stem(word) for word in word_list]


def stemmed(text):
    """The text as stems separated by spaces: what the SQLite index stores."""
    return " ".join(stems(words(text)))


# Characters that may make Markdown (or HTML) of plain words; text without any is read as is.
MARKUP = re.compile(r"[*_#\[\]>`|<&\\]")


def plain(markdown_text):
    """Member-written Markdown as the words a reader sees: no markup, no links' addresses."""
    if not markdown_text:
        return ""
    if not MARKUP.search(markdown_text):
        return markdown_text.strip()
    # One converter per thread, reset between texts: building one costs more than converting.
    if not hasattr(_local, "converter"):
        _local.converter = md.Markdown(extensions=["sane_lists", "tables"])
    rendered = _local.converter.reset().convert(markdown_text)
    return html.unescape(nh3.clean(rendered, tags=set())).strip()


def query_terms(query):
    """The distinct words of a query, at most MAX_TERMS, and whether some were left out.
    Operators, quotes and symbols are not words, so they are simply not searched for."""
    seen = []
    for word in words(query):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS], len(seen) > MAX_TERMS


def highlight(text, wanted):
    """`text` escaped, with each word whose stem is in `wanted` inside <mark>: escaped
    first, then marked, so nothing a member wrote becomes markup."""
    parts, position = [], 0
    for match in WORD.finditer(text):
        word = match.group()
        if stem(word.casefold()) in wanted:
            parts.append(escape(text[position : match.start()]))
            parts.append(f"<mark>{escape(word)}</mark>")
            position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece escaped above)


def excerpt(text, wanted, *, width=220, before=70):
    """A window of `text` around the first word that matched, highlighted; the start of
    the text when none did (a match in the title only)."""
    text = " ".join((text or "").split())
    start = 0
    for match in WORD.finditer(text):
        if stem(match.group().casefold()) in wanted:
            start = max(0, match.start() - before)
            break
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    window = highlight(text[start:end], wanted)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(escape(prefix) + window + escape(suffix))  # noqa: S308 (escaped pieces)
