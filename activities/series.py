"""Recurring meetings: from the community's rhythm, a coordinator plans the next few
meetings in one step (weekday, time, place, every so many weeks), skipping dates such as
holidays by hand. Each meeting is then an activity of its own: changing or cancelling
one leaves the others as they were. Times are those of the community's home school
(WIB, WITA or WIT), whoever plans them."""

import zoneinfo
from datetime import datetime, timedelta

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import notify
from activities.forms import TimeInput
from activities.models import Activity
from communities.access import get_community_for
from communities.services import Refused, require_live
from kompra.shortcuts import community_page

MAX_MEETINGS = 26  # half a year of weekly meetings


class SeriesForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=160, initial=gettext_lazy("Regular meeting"))
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day of the week"), coerce=int, choices=[(n, WEEKDAYS[n]) for n in range(7)]
    )
    starts = forms.TimeField(label=gettext_lazy("Starts at"), input_formats=["%H:%M"], widget=TimeInput(format="%H:%M"))
    ends = forms.TimeField(label=gettext_lazy("Ends at"), input_formats=["%H:%M"], widget=TimeInput(format="%H:%M"))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    every_weeks = forms.IntegerField(label=gettext_lazy("Every … weeks"), min_value=1, max_value=12)
    count = forms.IntegerField(label=gettext_lazy("Number of meetings"), min_value=1, max_value=MAX_MEETINGS, initial=6)
    first_day = forms.DateField(
        label=gettext_lazy("From"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The first meeting is on the chosen weekday on or after this date."),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_first_day(self):
        first = self.cleaned_data["first_day"]
        if first < self.today:
            raise forms.ValidationError(_("Choose today or a later date."))
        return first

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("The end must be after the start."))
        return cleaned

    @property
    def dates(self):
        """The meeting days of the plan, before any is skipped."""
        data = self.cleaned_data
        first = data["first_day"] + timedelta(days=(data["weekday"] - data["first_day"].weekday()) % 7)
        return [first + timedelta(weeks=data["every_weeks"] * n) for n in range(data["count"])]


def series_dates_chosen(form, post):
    """The plan's days minus those ticked to skip (anything else posted is ignored)."""
    skipped = set(post.getlist("skip"))
    return [day for day in form.dates if day.isoformat() not in skipped]


@transaction.atomic
def activity_plan_series(*, community, by, title, days, starts, ends, place=""):
    """Plans one meeting on each of `days`, from `starts` to `ends` in the local time of
    the community's home school. Returns the new activities; the members are told once,
    of the first, rather than once per meeting."""
    require_live(community)
    if not days:
        raise Refused(_("Every date was skipped: there is nothing to plan."))
    if ends <= starts:
        raise Refused(_("The end must be after the start."))
    zone = zoneinfo.ZoneInfo(community.home_school.time_zone)
    activities = [
        Activity.objects.create(
            community=community,
            kind=Activity.Kind.MEETING,
            title=title,
            starts_at=datetime.combine(day, starts, tzinfo=zone),
            ends_at=datetime.combine(day, ends, tzinfo=zone),
            place=place,
            proposed_by=by,
        )
        for day in sorted(days)
    ]
    notify.activity_planned(activities[0], by)
    return activities


def _school_today(community):
    return timezone.now().astimezone(zoneinfo.ZoneInfo(community.home_school.time_zone)).date()


@login_required
def plan_series(request, slug):
    """First the plan (day, time, place, rhythm, how many), then its dates, each with a
    box to skip it; a second post with "create" plans the meetings not skipped."""
    community, access = get_community_for(request, slug, "can_manage")
    today = _school_today(community)
    initial = {"every_weeks": community.rhythm_weeks or 2, "first_day": today + timedelta(days=1)}
    form = SeriesForm(request.POST or None, today=today, initial=initial)
    dates = None
    if request.method == "POST" and form.is_valid():
        if "create" in request.POST:
            data = form.cleaned_data
            try:
                planned = activity_plan_series(
                    community=community,
                    by=request.user,
                    title=data["title"],
                    days=series_dates_chosen(form, request.POST),
                    starts=data["starts"],
                    ends=data["ends"],
                    place=data["place"],
                )
            except Refused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(n)d meetings have been planned.") % {"n": len(planned)})
                return redirect("activities:list", slug)
        dates = form.dates
    return community_page(
        request,
        community,
        access,
        "activities/series_form.html",
        form=form,
        dates=dates,
        skipped=set(request.POST.getlist("skip")),
        time_zone=community.home_school.get_time_zone_display(),
        tab="activities",
    )
