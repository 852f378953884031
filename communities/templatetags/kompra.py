from django import template
from django.utils.safestring import mark_safe

from communities.freshness import cached_fragment
from communities.tabs import tabs_for
from communities.text import plain_excerpt, render_markdown
from communities.text import shorten as shorten_text
from kompra import slots

register = template.Library()


@register.filter
def may_edit(access, author_id):
    """{% if access|may_edit:obj.author_id %}: the one rule of Access.may_edit, in templates."""
    return access.may_edit(author_id)


@register.filter(name="markdown")
def markdown_filter(text):
    """Renders member-written Markdown; the output is sanitised, so it is safe."""
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 allowlist)


@register.filter
def shorten(text, limit=60):
    """{{ title|shorten:60 }}: cut on a word boundary, with an ellipsis."""
    return shorten_text(text, int(limit))


@register.filter
def excerpt(text, limit=200):
    """{{ summary|excerpt:200 }}: Markdown as a plain-text excerpt, for listings and link previews."""
    return plain_excerpt(text, int(limit))


@register.simple_tag(takes_context=True)
def slot(context, name):
    """{% slot "activity.actions" %}: what later apps registered for this place
    (kompra/slots.py), rendered with the page's context."""
    engine = context.template.engine
    parts = [engine.get_template(template_name).render(context) for template_name in slots.templates_for(name)]
    return mark_safe("".join(parts))  # noqa: S308 (templates rendered with autoescape, as includes are)


@register.simple_tag
def community_tabs(access):
    """[(tab, url)] for the community's tab bar, as this person sees it (communities/tabs.py)."""
    return [(tab, tab.url(access.community)) for tab in tabs_for(access)]


@register.simple_tag
def active_extra_tab(tabs, active):
    """The label of the active tab when it is not a main one (it then names the "More"
    menu on a phone, so the active section stays in sight); "" otherwise."""
    return next((tab.label for tab, _url in tabs if tab.key == active and not tab.main), "")


class FragmentNode(template.Node):
    def __init__(self, name, parts, nodelist):
        self.name, self.parts, self.nodelist = name, parts, nodelist

    def render(self, context):
        parts = [part.resolve(context) for part in self.parts]
        return mark_safe(  # noqa: S308 (the nodelist's own output, rendered with autoescape)
            cached_fragment(self.name, parts, lambda: self.nodelist.render(context))
        )


@register.tag
def fragment(parser, token):
    """{% fragment "name" community.pk community.data_version access.sees_private %}...
    {% endfragment %}: the enclosed HTML, cached under the name and the values given
    (communities/freshness.py adds language, time zone and minute). Pass every version
    the content depends on and everything about the viewer that changes what it shows.
    Never around a form: a fragment holding a CSRF token is not stored."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% fragment %} takes a name and at least one value to key on")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FragmentNode(name, [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
