"""Recording a meeting as held, in one form: a planned one that took place (earlier
than planned, its date and times corrected in the same step), or one recorded after
the fact. The coordinator's to do, as attendance is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from activities import services
from activities.forms import HeldMeetingForm
from activities.models import Activity
from communities.access import get_community_for
from communities.models import Membership
from communities.services import Refused
from kompra.shortcuts import community_page


@login_required
def record_held(request, slug, uid):
    community, access = get_community_for(request, slug, "can_manage")
    activity = get_object_or_404(community.activities.select_related("community"), uid=uid)
    return _record(request, community, access, activity)


@login_required
def record_past(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    return _record(request, community, access, None)


def _record(request, community, access, activity):
    members = [
        m.user
        for m in community.memberships.filter(status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__full_name")
    ]
    form = HeldMeetingForm(
        request.POST or None, request.FILES or None, community=community, members=members, activity=activity
    )
    if request.method == "POST" and form.is_valid():
        target = activity or Activity(community=community, proposed_by=request.user)
        try:
            services.activity_record_held(
                activity=form.fill(target),
                by=request.user,
                statuses=form.statuses,
                files=form.cleaned_data["files"],
                caption=form.cleaned_data["caption"],
                shows_students=form.cleaned_data["shows_students"],
                consent_confirmed=form.cleaned_data["consent_confirmed"],
            )
        except Refused as exc:
            # Nothing was saved; the form shows again with what was typed (files aside).
            messages.error(request, str(exc))
            if activity is not None:
                activity.refresh_from_db()
        else:
            messages.success(request, _("The meeting has been recorded as held."))
            return redirect(target)
    return community_page(
        request, community, access, "activities/held_form.html", form=form, activity=activity, tab="activities"
    )
