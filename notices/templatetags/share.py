from django import template

from notices.mail import site_url
from notices.share import whatsapp_link, whatsapp_text

register = template.Library()

register.filter("whatsapp_link", whatsapp_link)
register.filter("whatsapp_text", whatsapp_text)


@register.simple_tag
def whatsapp_share(title, *parts):
    """A wa.me link whose message is the title in bold, then each part on its own line;
    a part that is a path (/…) becomes an address on the site."""
    lines = [f"*{title}*"] + [site_url(p) if str(p).startswith("/") else str(p) for p in parts if p]
    return whatsapp_link("\n".join(lines))
