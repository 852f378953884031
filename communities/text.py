"""Text from members: Markdown rendered and then sanitised with an allowlist, the one
way text is shortened (titles, excerpts), and the text box members write it in."""

import functools
import re
from html import unescape

import markdown as md
import nh3
from django import forms
from django.utils.html import strip_tags
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Teachers do not know the word "Markdown": one line shows the two marks most use.
FORMATTING_HELP = _("Tip: **word** makes it bold; start a line with “- ” for a list.")


class WrittenTextarea(forms.Textarea):
    """A box where members write at length. The browser keeps a draft while they write
    (static/js/drafts.js) and offers bold and list buttons (static/js/formatting.js)."""

    def __init__(self, rows=3, attrs=None):
        super().__init__(attrs={"rows": rows, "data-draft": "", "data-formatting": "", **(attrs or {})})


def with_formatting_help(text=None):
    """A field's help text followed by the formatting tip."""
    return format_lazy("{} {}", text, FORMATTING_HELP) if text else FORMATTING_HELP


ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text):
    """Markdown to safe HTML: raw HTML in the source is escaped by the sanitiser's
    allowlist, links keep only http(s) and mailto, and get rel="nofollow noopener"."""
    if not text:
        return ""
    return _render_markdown(str(text))


# A pure function of the text: the same concern or minutes, shown on every request,
# is converted once per process (a changed text is another key, so never stale).
@functools.lru_cache(maxsize=512)
def _render_markdown(text):
    html = md.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


ELLIPSIS = "…"
# Where a block of rendered Markdown ends: a space there keeps its words apart.
BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|td|th)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)


def shorten(text, limit):
    """`text` on one line in at most `limit` characters. When it is longer, it is cut
    where a word ends and an ellipsis says so; a word that would leave less than half
    the room is cut inside it. Every title or excerpt the pages shorten goes through here."""
    flat = " ".join(str(text or "").split())
    if len(flat) <= limit:
        return flat
    room = limit - len(ELLIPSIS)
    cut = flat[:room]
    if flat[room] != " ":  # the cut falls inside a word: go back to where it starts
        space = cut.rfind(" ")
        if space >= room // 2:
            cut = cut[:space]
    return cut.rstrip(" ,.;:!?-\u2013\u2014") + ELLIPSIS


def plain_excerpt(text, limit):
    """Member-written Markdown as plain text (rendered, then stripped of its tags), for
    listings and link previews; shortened like every excerpt. Not marked safe: the
    template escapes it like any text."""
    html = BLOCK_END.sub(" ", render_markdown(text))
    return shorten(unescape(strip_tags(html)), limit)
