from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Closed unless KOMPRA_OPEN_SIGNUP is on: people join by invitation."""
        return settings.KOMPRA_OPEN_SIGNUP
