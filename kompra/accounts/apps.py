from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class AccountsConfig(AppConfig):
    name = "kompra.accounts"
    label = "accounts"
    verbose_name = _("People and schools")


# Django 6.1 labels the empty choice of select fields with this text, and its own
# Indonesian catalog does not translate it yet; marking it here keeps it in ours.
gettext_noop("- Select an option -")
