from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.text import FORMATTING_HELP, WrittenTextarea
from schools.selectors import last_months

REPORT_MAX_YEARS = 3
REPORT_DEFAULT_MONTHS = 6
FEEDBACK_MAX_LENGTH = 5000


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def default_period(today=None):
    """The last six calendar months, this one included: the dashboard chart's months."""
    today = today or timezone.localdate()
    return last_months(today, REPORT_DEFAULT_MONTHS)[0], today


class ReportPeriodForm(forms.Form):
    """The report's period, from the address: ?dari=YYYY-MM-DD&sampai=YYYY-MM-DD."""

    dari = forms.DateField(label=_("From"), input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(label=_("To"), input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}))

    error_messages = {
        "order": _("The end of the period must not be before its start."),
        "too_long": _("A report covers at most %(years)d years. Choose a shorter period."),
        "range": _("Choose dates between the years %(first)d and %(last)d."),
    }
    YEARS = (2000, 2100)

    @classmethod
    def from_query(cls, query):
        """The form bound to the address's dates, or to the last six months if none given."""
        start, end = default_period()
        return cls({"dari": query.get("dari") or start.isoformat(), "sampai": query.get("sampai") or end.isoformat()})

    def clean(self):
        data = super().clean()
        start, end = data.get("dari"), data.get("sampai")
        if start and end:
            first, last = self.YEARS
            if not (first <= start.year <= last and first <= end.year <= last):
                raise ValidationError(self.error_messages["range"], code="range", params={"first": first, "last": last})
            if end < start:
                raise ValidationError(self.error_messages["order"], code="order")
            if end >= add_years(start, REPORT_MAX_YEARS):
                raise ValidationError(
                    self.error_messages["too_long"], code="too_long", params={"years": REPORT_MAX_YEARS}
                )
        return data


class FeedbackForm(forms.Form):
    """A feedback note: its body, and optionally what it is about (hidden fields, set by
    the page the form is on)."""

    body = forms.CharField(
        label=_("Feedback"),
        max_length=FEEDBACK_MAX_LENGTH,
        widget=WrittenTextarea(),
        help_text=FORMATTING_HELP,
    )
    activity = forms.UUIDField(required=False, widget=forms.HiddenInput)
    stage_change = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=FEEDBACK_MAX_LENGTH, widget=WrittenTextarea(rows=2))


def body_error(form):
    """What to tell someone whose feedback or reply was not accepted."""
    if form.data.get("body", "").strip():
        return " ".join(form.errors["body"])  # too long
    return gettext("Write something before sending.")
