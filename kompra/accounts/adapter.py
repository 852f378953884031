from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Closed unless KOMPRA_OPEN_SIGNUP is on: people join by invitation."""
        return settings.KOMPRA_OPEN_SIGNUP


def user_display(user):
    """How allauth names the person in its messages ("Signed in as Sri.")."""
    return user.get_short_name()
