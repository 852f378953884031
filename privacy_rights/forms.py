from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class DeletionForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("delete", _("Delete my account"), css_class="btn-danger"))


class PurgeForm(forms.Form):
    """Which student photos to delete: those older than a period the coordinator picks."""

    PERIODS = [
        (180, _("older than 6 months")),
        (365, _("older than 1 year")),
        (730, _("older than 2 years")),
        (1095, _("older than 3 years")),
    ]

    days = forms.TypedChoiceField(label=_("Delete photos showing students"), choices=PERIODS, coerce=int)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
