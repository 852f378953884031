from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_MONTHS = 6
MAX_YEARS = 3


def months_before(day, months):
    """The same day `months` earlier, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_period(today=None):
    today = today or timezone.localdate()
    return months_before(today, DEFAULT_MONTHS), today


class PeriodForm(forms.Form):
    """The period (and language) of a portfolio, read from the query string."""

    dari = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    bahasa = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)

    @classmethod
    def from_query(cls, query):
        """A bound form: missing values take the defaults (the last six months, the
        current language), so a bare address shows a portfolio straight away."""
        start, end = default_period()
        data = {"dari": start.isoformat(), "sampai": end.isoformat()}
        data.update({key: query[key] for key in ("dari", "sampai", "bahasa") if key in query})
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end of the period must not be before its start."), code="order")
            if end > years_after(start, MAX_YEARS):
                raise forms.ValidationError(
                    _("A portfolio covers at most %(years)d years: choose a shorter period."),
                    code="too_long",
                    params={"years": MAX_YEARS},
                )
        return cleaned
