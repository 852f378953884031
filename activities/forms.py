from datetime import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import REFLECTION_TEMPLATES, ActionPlan, Activity, Attendance, Product, Reflection
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


class TimeInput(forms.TimeInput):
    input_type = "time"


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


class HeldMeetingForm(DocumentForm):
    """A meeting recorded as held in one step: when it really took place (read in the
    person's time zone), who came, the minutes and photos. `activity` is the planned
    activity being recorded, or None for a meeting recorded after the fact, which also
    says what it was. `members` are the community's active members."""

    date = forms.DateField(
        label=_("Date it took place"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    starts = forms.TimeField(
        label=_("Started at"), input_formats=["%H:%M", "%H:%M:%S"], widget=TimeInput(format="%H:%M")
    )
    ends = forms.TimeField(label=_("Ended at"), input_formats=["%H:%M", "%H:%M:%S"], widget=TimeInput(format="%H:%M"))

    def __init__(self, *args, community, members, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].required = False
        what = ["kind", "title", "problem", "place"] if activity is None else []
        self.fields.update(
            forms.fields_for_model(
                Activity,
                fields=[*what, "minutes"],
                widgets=MinutesForm.Meta.widgets,
                help_texts=MinutesForm.Meta.help_texts,
            )
        )
        if "problem" in self.fields:
            self.fields["problem"].queryset = community.problems.order_by("-is_focus", "title")
        self.order_fields(["date", "starts", "ends", *what, "minutes", "files", "caption", "shows_students"])
        self.members = members
        recorded = dict(activity.attendances.values_list("user_id", "status")) if activity else {}
        for person in members:
            self.fields[f"hadir-{person.pk}"] = forms.ChoiceField(
                label=person.full_name,
                choices=[*Attendance.Status.choices, ("", _("not recorded"))],
                required=False,
                initial=recorded.get(person.pk, ""),
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        if activity is not None:
            self._start_from(activity)
        else:
            self.initial.setdefault("date", timezone.localdate())

    def _start_from(self, activity):
        """The planned date and times, or today at the planned times if still to come."""
        starts, ends = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
        day = starts.date() if activity.starts_at <= timezone.now() else timezone.localdate()
        self.initial.setdefault("date", day)
        self.initial.setdefault("starts", starts.time())
        self.initial.setdefault("ends", ends.time())
        self.initial.setdefault("minutes", activity.minutes)

    @property
    def attendance_fields(self):
        return [self[f"hadir-{person.pk}"] for person in self.members]

    def clean(self):
        cleaned = super().clean()
        day, starts, ends = cleaned.get("date"), cleaned.get("starts"), cleaned.get("ends")
        if day and starts and ends:
            zone = timezone.get_current_timezone()
            cleaned["starts_at"] = datetime.combine(day, starts, tzinfo=zone)
            cleaned["ends_at"] = datetime.combine(day, ends, tzinfo=zone)
            if ends <= starts:
                self.add_error("ends", _("The end time must be after the start time."))
            if cleaned["starts_at"] > timezone.now():
                self.add_error(
                    "date",
                    _(
                        "That date and time are still to come. A meeting can be recorded as held only once it has "
                        "taken place; to plan one, use Plan an activity."
                    ),
                )
        return cleaned

    @property
    def statuses(self):
        """{user id: attendance status or ""}, for activities.services.attendance_record."""
        return {person.pk: self.cleaned_data.get(f"hadir-{person.pk}", "") for person in self.members}

    def fill(self, activity):
        """Writes what the form says about the activity onto it (unsaved)."""
        for name in ("kind", "title", "problem", "place", "minutes", "starts_at", "ends_at"):
            if name in self.cleaned_data:
                setattr(activity, name, self.cleaned_data[name])
        return activity


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


class ProductForm(DocumentForm, forms.ModelForm):
    """A product with its files in one step, optionally linked to the activity it came
    from. The files are optional, and verified and re-encoded as any upload."""

    class Meta:
        model = Product
        fields = ["title", "description", "authors", "problem", "activity"]
        widgets = {"description": WrittenTextarea(rows=4), "authors": forms.CheckboxSelectMultiple}
        help_texts = {"description": FORMATTING_HELP}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authors"].queryset = _members_of(community)
        self.fields["problem"].queryset = community.problems.order_by("title")
        self.fields["activity"].queryset = community.activities.exclude(status=Activity.Status.CANCELLED).order_by(
            "-starts_at"
        )
        self.fields["files"].required = False
        self.order_fields(["title", "description", "authors", "problem", "activity", "files", "caption"])
        self.helper = _helper(_("Save product"))
