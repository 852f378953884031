from allauth.account.forms import LoginForm as AllauthLoginForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from kompra.accounts.models import User


class ProfileForm(forms.ModelForm):
    """What a person may change about themselves; school and role are set by admins."""

    # Typed as on the SK, with spaces between the groups: the model strips them, then
    # validates (User.clean_fields), so the form field itself only bounds the length.
    nip = forms.CharField(
        label=_("NIP"), required=False, max_length=30, help_text=User._meta.get_field("nip").help_text
    )
    nuptk = forms.CharField(
        label=_("NUPTK"), required=False, max_length=30, help_text=User._meta.get_field("nuptk").help_text
    )

    class Meta:
        model = User
        fields = ["full_name", "short_name", "nip", "nuptk", "language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))
        for name in ("nip", "nuptk"):
            self.fields[name].widget.attrs.update(inputmode="numeric", autocomplete="off")


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            # allauth's "Remember Me" reads "Ingat Saya" in Indonesian: capitals no one writes.
            self.fields["remember"].label = _("Remember me")
