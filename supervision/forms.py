from django import forms
from django.utils.translation import gettext_lazy as _

FEEDBACK_MAX_LENGTH = 5000


class SchoolFeedbackForm(forms.Form):
    body = forms.CharField(
        label=_("Feedback to the principal"),
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("About the school's communities as a whole. Markdown is allowed."),
    )


class SchoolReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=FEEDBACK_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
