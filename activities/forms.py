from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from activities.models import REFLECTION_TEMPLATES, ActionPlan, Activity, Product, Reflection
from communities.models import Membership
from communities.text import FORMATTING_HELP, WrittenTextarea, with_formatting_help

User = get_user_model()

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _helper(label):
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


def _members_of(community):
    return User.objects.filter(memberships__community=community, memberships__status=Membership.Status.ACTIVE).order_by(
        "full_name"
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class ActivityForm(forms.ModelForm):
    """Times are read in the person's own time zone (WIB, WITA or WIT)."""

    class Meta:
        model = Activity
        fields = ["kind", "title", "problem", "starts_at", "ends_at", "place", "online_url", "agenda", "speaker"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "agenda": WrittenTextarea(rows=4),
        }
        help_texts = {"agenda": FORMATTING_HELP}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = community.problems.order_by("-is_focus", "title")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        self.helper = _helper(_("Save activity"))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["minutes"]
        widgets = {"minutes": WrittenTextarea(rows=10)}
        help_texts = {"minutes": with_formatting_help(_("What was discussed, what was agreed, who does what next."))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save minutes"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class DocumentForm(forms.Form):
    files = MultipleFileField(
        label=_("Photos or files"),
        help_text=_("Photos (JPEG, PNG, WEBP), PDF or office documents. Location data is removed from photos."),
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,.pdf,.docx,.xlsx,.pptx,.doc,.xls,.ppt,.odt,.ods,.odp"}
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
    shows_students = forms.BooleanField(label=_("The photos show students"), required=False)
    consent_confirmed = forms.BooleanField(
        label=_("I confirm the parents have agreed that these photos may be published"),
        required=False,
        help_text=_("Without consent, photos of students stay inside the community and are never published."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The template draws the form tag and its one Upload button, beside the progress bar.
        self.helper = FormHelper()
        self.helper.form_tag = False


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["what", "owner", "due"]
        widgets = {"what": forms.Textarea(attrs={"rows": 3}), "due": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members_of(community)
        self.helper = _helper(_("Save action plan"))


class ActionPlanStatusForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["status", "outcome"]
        widgets = {"outcome": WrittenTextarea()}
        help_texts = {"outcome": with_formatting_help(_("What came of it?"))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Update"))


class ReflectionForm(forms.Form):
    """One text box per question of the chosen template, plus the optional value tag."""

    value = forms.ChoiceField(
        label=_("What did it give you? (optional)"),
        choices=[("", "—"), *Reflection.Value.choices],
        required=False,
    )

    in_reports = forms.BooleanField(
        label=_("This reflection may appear in the community's portfolio and reports"),
        required=False,
    )

    def __init__(self, *args, template, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        answers = instance.answers if instance else {}
        fields = {}
        for key, label in REFLECTION_TEMPLATES[template]:
            fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=5000,
                initial=answers.get(key, ""),
                widget=WrittenTextarea(),
                help_text=FORMATTING_HELP if not fields else "",
            )
        fields["value"] = self.fields["value"]
        fields["in_reports"] = self.fields["in_reports"]
        if instance:
            fields["value"].initial = instance.value
            fields["in_reports"].initial = instance.in_reports
        self.fields = fields
        self.helper = _helper(_("Save reflection"))

    def clean(self):
        cleaned = super().clean()
        keys = [key for key, _label in REFLECTION_TEMPLATES[self.template]]
        if not any((cleaned.get(key) or "").strip() for key in keys):
            raise forms.ValidationError(_("Write at least one answer."))
        return cleaned

    @property
    def answers(self):
        return {key: self.cleaned_data.get(key, "") for key, _label in REFLECTION_TEMPLATES[self.template]}


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["title", "description", "authors", "problem"]
        widgets = {"description": WrittenTextarea(rows=4), "authors": forms.CheckboxSelectMultiple}
        help_texts = {"description": FORMATTING_HELP}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authors"].queryset = _members_of(community)
        self.fields["problem"].queryset = community.problems.order_by("title")
        self.helper = _helper(_("Save product"))
