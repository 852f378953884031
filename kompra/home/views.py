"""The pages that gather from every app: the front page and a person's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from activities.calendar import subscribe_url
from activities.selectors import dashboard_for as activities_dashboard
from communities.freshness import cached_for_many
from communities.models import Community, Membership
from communities.selectors import dashboard_for as communities_dashboard
from publishing.selectors import publication_requests_for
from schools.selectors import feedback_for_dashboard
from supervision.selectors import feedback_for_principal


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home/home.html")


def _community_facts(user):
    """What the dashboard reads from the person's communities (mine, invitations, join
    requests, coming up, reflections to write, actions due, publications waiting for
    them, feedback to answer): every row of it lies in a community the person has a
    membership of, so it is kept while the data version of each of those communities
    (communities/freshness.py), the person's own role and school, and the minute are
    unchanged. One query then, instead of nine."""
    theirs = list(
        Community.objects.filter(pk__in=Membership.objects.filter(user=user).values("community_id"))
        .only("pk", "data_version")
        .order_by("pk")
    )

    def compute():
        return {
            **communities_dashboard(user),
            **activities_dashboard(user),
            "publication_requests": publication_requests_for(user),
            "feedback_to_answer": feedback_for_dashboard(user),
        }

    return cached_for_many(theirs, "dashboard", compute, user.pk, user.role, user.school_id, user.is_staff)


@login_required
def dashboard(request):
    context = {
        "school": request.user.school,
        **_community_facts(request.user),
        "calendar_url": subscribe_url(request, request.user),
        "supervisor_feedback": feedback_for_principal(request.user),
    }
    return render(request, "home/dashboard.html", context)
