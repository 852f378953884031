from django import forms
from django.utils.translation import gettext_lazy as _

from communities.text import WrittenTextarea, with_formatting_help

FEEDBACK_MAX_LENGTH = 5000


class SchoolFeedbackForm(forms.Form):
    body = forms.CharField(
        label=_("Feedback to the principal"),
        max_length=FEEDBACK_MAX_LENGTH,
        widget=WrittenTextarea(),
        help_text=with_formatting_help(_("About the school's communities as a whole.")),
    )


class SchoolReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=FEEDBACK_MAX_LENGTH, widget=WrittenTextarea(rows=2))
