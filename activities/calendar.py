"""Calendar feeds (iCalendar) behind a private address per person, which can be reset.

Calendar apps cannot sign in, so the token in the address stands for the person: a feed
shows exactly what that person may see, and resetting the token cuts off old copies.
"""

from datetime import timedelta

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Activity, CalendarToken
from communities.models import Community
from kompra.ops.rows import one_row

# How far back a feed reaches; older activities are history, not schedule.
FEED_DAYS_BACK = 90


def _token_for(user):
    return CalendarToken.objects.get_or_create(user=user)[0]


def subscribe_url(request, user, community=None):
    """The webcal:// address that subscribes a calendar app to the person's activities
    (or one community's); until the person has a calendar address, the page that makes
    one. One query, and no write on a page that only shows the link."""
    # Read on every dashboard: one row, without a queryset to build (kompra/ops/rows.py).
    row = one_row(CalendarToken, user=user.pk)
    if row is None:
        return reverse("activities:calendar")
    token = row.token
    if community is None:
        path = reverse("activities:calendar_person", args=[token])
    else:
        path = reverse("activities:calendar_community", args=[token, community.slug])
    return "webcal://" + request.build_absolute_uri(path).split("://", 1)[1]


@login_required
def settings_page(request):
    token = _token_for(request.user)
    communities = Community.objects.of_member(request.user).filter(archived=False).order_by("name")
    feeds = [
        (c, request.build_absolute_uri(reverse("activities:calendar_community", args=[token.token, c.slug])))
        for c in communities
    ]
    person_url = request.build_absolute_uri(reverse("activities:calendar_person", args=[token.token]))
    return render(request, "activities/calendar.html", {"person_url": person_url, "feeds": feeds})


@login_required
@require_POST
def reset(request):
    _token_for(request.user).reset()
    messages.success(request, _("New calendar addresses made. The old ones no longer work."))
    return redirect("activities:calendar")


def _user_for(token):
    calendar_token = get_object_or_404(CalendarToken.objects.select_related("user"), token=token)
    if not calendar_token.user.is_active:
        raise Http404
    return calendar_token.user


def person_feed(request, token):
    user = _user_for(token)
    communities = Community.objects.of_member(user)
    return _feed(request, _("Kompra: my activities"), Activity.objects.filter(community__in=communities))


def community_feed(request, token, slug):
    user = _user_for(token)
    community = get_object_or_404(Community.objects.visible_to(user), slug=slug)
    return _feed(request, f"Kompra: {community.name}", community.activities.all())


def _feed(request, name, activities):
    since = timezone.now() - timedelta(days=FEED_DAYS_BACK)
    activities = activities.filter(starts_at__gte=since).select_related("community").order_by("starts_at")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Kompra//komunitas praktisi//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_default_timezone_name())
    for activity in activities:
        calendar.add_component(_event(request, activity))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = 'inline; filename="kompra.ics"'
    return response


def _event(request, activity):
    """Times go out in UTC, which every calendar app turns into its own zone (WIB, WITA, WIT)."""
    event = icalendar.Event()
    event.add("uid", f"{activity.uid}@kompra")
    event.add("summary", f"{activity.title} ({activity.community.name})")
    event.add("dtstart", activity.starts_at)
    event.add("dtend", activity.ends_at)
    event.add("dtstamp", activity.created_at)
    link = request.build_absolute_uri(activity.get_absolute_url())
    event.add("url", activity.online_url or link)
    location = ", ".join(part for part in (activity.place, activity.online_url) if part)
    if location:
        event.add("location", location)
    description = "\n\n".join(part for part in (activity.agenda, link) if part)
    event.add("description", description)
    cancelled = activity.status == Activity.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        for before in ALARMS:
            event.add_component(_alarm(activity, before))
    return event


# Calendar apps remind too, even offline: the day before and an hour before.
ALARMS = (timedelta(days=1), timedelta(hours=1))


def _alarm(activity, before):
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", activity.title)
    alarm.add("trigger", -before)
    return alarm
