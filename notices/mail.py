"""Emails as Kompra sends them: named after the site, linking to its configured
address (never to whatever host a request came in on), in the recipient's language,
plain text with a simple HTML part, and one-click unsubscribe (RFC 8058)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

UNSUBSCRIBE_SALT = "notices.unsubscribe"
# An unsubscribe link keeps working this long after the email was sent.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90


def site_url(path=""):
    """An absolute address on the configured site (KOMPRA_BASE_URL)."""
    return f"{settings.KOMPRA_BASE_URL}{path}"


def site_context():
    return {"site_name": settings.KOMPRA_SITE_NAME, "site_url": settings.KOMPRA_BASE_URL}


def unsubscribe_token(*, user, kinds):
    return signing.dumps({"u": user.pk, "k": sorted(kinds)}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token):
    """(user_id, kinds) from a token; raises signing.BadSignature (or its subclass
    SignatureExpired) when it was tampered with or is too old."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), list):
        raise signing.BadSignature("Malformed unsubscribe token")
    return data["u"], [str(k) for k in data["k"]]


def build_message(*, user, subject, template, context, kinds):
    """An email to one person, rendered in their language, with unsubscribe headers
    for `kinds` (the kinds of notice it carries)."""
    token = unsubscribe_token(user=user, kinds=kinds)
    unsubscribe = site_url(reverse("notices:unsubscribe", args=[token]))
    with translation.override(user.language or "id"):
        context = {
            **site_context(),
            **context,
            "user": user,
            "unsubscribe_url": unsubscribe,
            "preferences_url": site_url(reverse("notices:preferences")),
        }
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        subject = f"[{settings.KOMPRA_SITE_NAME}] {subject}"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
