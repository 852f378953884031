from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError

from kompra.ops.logs import account_id, security_event


def _on_site(url):
    """The same page on the configured site address, whatever host the request used."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{settings.KOMPRA_BASE_URL}{parts.path}{query}"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Closed unless KOMPRA_OPEN_SIGNUP is on: people join by invitation."""
        return settings.KOMPRA_OPEN_SIGNUP

    def pre_authenticate(self, request, **credentials):
        """allauth refuses to even check the password after too many failures: a lockout."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            security_event("login_locked", request=request, user=account_id(credentials.get("email")))
            raise

    def send_mail(self, template_prefix, email, context):
        """Account emails (password reset, address confirmation) greet from the site's
        configured name and point at its configured address (KOMPRA_SITE_NAME,
        KOMPRA_BASE_URL), not at the host name a request happened to carry."""
        site = SimpleNamespace(name=settings.KOMPRA_SITE_NAME, domain=urlsplit(settings.KOMPRA_BASE_URL).netloc)
        super().send_mail(template_prefix, email, {**context, "current_site": site})

    def get_reset_password_from_key_url(self, key):
        return _on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation):
        return _on_site(super().get_email_confirmation_url(request, emailconfirmation))


def user_display(user):
    """How allauth names the person in its messages ("Signed in as Sri.")."""
    return user.get_short_name()
