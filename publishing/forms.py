from django import forms
from django.utils.translation import gettext_lazy as _

from communities.text import WrittenTextarea, with_formatting_help
from publishing.models import Publication


class PublicationForm(forms.ModelForm):
    class Meta:
        model = Publication
        fields = ["title", "summary"]
        widgets = {"summary": WrittenTextarea(rows=5)}
        help_texts = {
            "summary": with_formatting_help(
                _("Written for readers outside the community: what you did and what you learned.")
            )
        }
