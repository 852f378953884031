from django import forms

from notices.registry import DIGEST, KINDS, Mode, kinds_sorted
from notices.services import modes_for, preference_set


class PreferencesForm(forms.Form):
    """One choice per kind of notice: in Kompra only, email at once, weekly digest, off."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for kind in kinds_sorted():
            choices = Mode.choices
            if kind.key == DIGEST:
                choices = [(Mode.EMAIL, Mode.EMAIL.label), (Mode.OFF, Mode.OFF.label)]
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.audience,
                choices=choices,
                initial=modes_for([user], kind.key)[user.pk],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def save(self):
        for key, mode in self.cleaned_data.items():
            if key in KINDS:
                preference_set(user=self.user, kind=key, mode=mode)
