from django.contrib import messages
from django.utils.translation import gettext as _

from kompra.accounts.adapter import AccountAdapter as BaseAdapter
from privacy_rights.models import DeletionRequest
from privacy_rights.services import deletion_cancel


class AccountAdapter(BaseAdapter):
    def pre_login(self, request, user, **kwargs):
        """A closed account waiting to be erased opens again when its owner signs in
        with the right password: the deletion is cancelled, and they are told so."""
        if not user.is_active and DeletionRequest.objects.pending().filter(user=user).exists():
            deletion_cancel(user=user)
            messages.success(request, _("Welcome back. Your account will not be deleted: the request is cancelled."))
        return super().pre_login(request, user, **kwargs)
