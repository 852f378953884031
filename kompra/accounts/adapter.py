from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError

from kompra.ops.logs import account_id, security_event


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


def user_display(user):
    """How allauth names the person in its messages ("Signed in as Sri.")."""
    return user.get_short_name()
