"""The pages that gather from every app: the front page and a person's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from activities.calendar import subscribe_url
from activities.selectors import dashboard_for as activities_dashboard
from communities.selectors import dashboard_for as communities_dashboard
from publishing.selectors import publication_requests_for
from schools.selectors import feedback_for_dashboard
from supervision.selectors import feedback_for_principal


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home/home.html")


@login_required
def dashboard(request):
    context = {
        "school": request.user.school,
        **communities_dashboard(request.user),
        **activities_dashboard(request.user),
        "publication_requests": publication_requests_for(request.user),
        "feedback_to_answer": feedback_for_dashboard(request.user),
        "calendar_url": subscribe_url(request, request.user),
        "supervisor_feedback": feedback_for_principal(request.user),
    }
    return render(request, "home/dashboard.html", context)
