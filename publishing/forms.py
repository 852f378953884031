from django import forms
from django.utils.translation import gettext_lazy as _

from publishing.models import Publication


class PublicationForm(forms.ModelForm):
    class Meta:
        model = Publication
        fields = ["title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"summary": _("Written for readers outside the community: what you did and what you learned.")}
