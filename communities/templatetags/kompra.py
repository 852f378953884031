from django import template
from django.utils.safestring import mark_safe

from communities.text import render_markdown

register = template.Library()


@register.filter
def may_edit(access, author_id):
    """{% if access|may_edit:obj.author_id %}: the one rule of Access.may_edit, in templates."""
    return access.may_edit(author_id)


@register.filter(name="markdown")
def markdown_filter(text):
    """Renders member-written Markdown; the output is sanitised, so it is safe."""
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 allowlist)
