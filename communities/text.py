"""Markdown from members, rendered and then sanitised with an allowlist; and the text
box members write it in."""

import markdown as md
import nh3
from django import forms
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
    html = md.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
