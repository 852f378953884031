"""The pages that gather from every app: the front page and a person's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from activities.calendar import subscribe_url
from activities.selectors import dashboard_for as activities_dashboard
from communities.freshness import cached_for_many, community_versions, versions_of
from communities.selectors import dashboard_for as communities_dashboard
from kompra.accounts.models import School
from kompra.ops.pagecache import kept_page, row
from kompra.ops.rows import one_row
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
    unchanged. One query then, instead of nine. Returns those communities (their
    versions key the whole page too) and a callable that reads the facts."""
    theirs = community_versions(member=user.pk)

    def compute():
        return {
            **communities_dashboard(user),
            **activities_dashboard(user),
            "publication_requests": publication_requests_for(user),
            "feedback_to_answer": feedback_for_dashboard(user),
        }

    return theirs, lambda: cached_for_many(
        theirs, "dashboard", compute, user.pk, user.role, user.school_id, user.is_staff
    )


@login_required
def dashboard(request):
    user = request.user
    theirs, facts = _community_facts(user)
    school = one_row(School, pk=user.school_id) if user.school_id else None
    calendar_url = subscribe_url(request, user)
    supervisor_feedback = feedback_for_principal(user)

    def page():
        context = {
            "school": school,
            **facts(),
            "calendar_url": calendar_url,
            "supervisor_feedback": supervisor_feedback,
        }
        return render(request, "home/dashboard.html", context)

    # The whole page is kept while none of what it shows changes: the person's
    # communities, their school, their calendar address, the supervisors' feedback
    # waiting for them (kompra/ops/pagecache.py adds the person, the minute and the bell).
    return kept_page(
        request,
        "dashboard",
        page,
        versions_of(theirs),
        row(school),
        calendar_url,
        [(row(note), row(note.author)) for note in supervisor_feedback],
    )
