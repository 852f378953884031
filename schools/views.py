import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Activity
from communities.access import get_community_for
from communities.freshness import community_versions, versions_of
from communities.models import Stage
from communities.services import Refused
from kompra.ops.pagecache import kept_page, row
from kompra.shortcuts import community_page, refused
from schools import selectors, services
from schools.access import get_school_for
from schools.forms import FEEDBACK_MAX_LENGTH, FeedbackForm, ReplyForm, ReportPeriodForm, body_error
from schools.selectors import FLAGS

SCHOOLS_PAGE_SIZE = 50


# The school dashboard


@login_required
def mine(request):
    """/sekolah/: a principal's own school; for site admins and supervisors, the list
    of the schools they oversee."""
    user = request.user
    if user.is_staff or user.is_supervisor:
        schools = selectors.schools_overseen_by(user).annotate(
            community_count=Count("communities", filter=Q(communities__archived=False))
        )
        page = Paginator(schools.order_by("name"), SCHOOLS_PAGE_SIZE).get_page(request.GET.get("halaman"))
        return render(request, "schools/school_list.html", {"page": page})
    school = selectors.schools_overseen_by(user).first()
    if school is None:
        raise Http404
    return redirect("schools:dashboard", school.npsn)


@login_required
def dashboard(request, npsn):
    school = get_school_for(request, npsn)
    # Everything the page shows lies in the school's communities, the school's own row
    # and the viewer: it is kept whole while none of them changes (kompra/ops/pagecache.py).
    versions = versions_of(community_versions(school=school.pk))
    return kept_page(request, "school-dashboard", lambda: _dashboard(request, school), versions, row(school))


def _dashboard(request, school):
    show_archived = request.GET.get("arsip") == "1"
    stage = request.GET.get("tahap") if request.GET.get("tahap") in Stage.values else ""
    flag = request.GET.get("tanda") if request.GET.get("tanda") in FLAGS else ""
    rows = selectors.school_overview(school, archived=show_archived)
    shown = selectors.filter_rows(rows, stage=stage, flag=flag)
    return render(
        request,
        "schools/dashboard.html",
        {
            "school": school,
            "rows": shown,
            "total": len(rows),
            "flag_counts": selectors.flag_counts(rows),
            "flags": FLAGS.values(),
            "stages": Stage.choices,
            "stage": stage,
            "flag": flag,
            "show_archived": show_archived,
            "filtered": bool(stage or flag),
            "can_endorse": request.user.is_principal and request.user.school_id == school.pk,
            # Supervisors read the figures; the communities' own pages are not theirs to open.
            "read_only": request.user.is_supervisor,
            "recent_days": selectors.RECENT_DAYS,
            "chart": {
                "width": selectors.CHART_WIDTH,
                "height": selectors.CHART_HEIGHT,
                "baseline": selectors.CHART_BASELINE,
            },
            "now": timezone.now(),
        },
    )


@login_required
def report(request, npsn):
    """The printable report for a period. A bad period is answered with the form and
    its errors (400), and nothing is computed."""
    school = get_school_for(request, npsn)
    form = ReportPeriodForm.from_query(request.GET)
    context = {"school": school, "form": form}
    if not form.is_valid():
        return render(request, "schools/report.html", context, status=400)
    start, end = form.cleaned_data["dari"], form.cleaned_data["sampai"]
    rows, totals, changes = selectors.school_report(school, start, end)
    context.update(start=start, end=end, rows=rows, totals=totals, changes=changes, generated=timezone.now())
    return render(request, "schools/report.html", context)


# Spreadsheet programs run cells that start with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@login_required
def export_activities(request, npsn):
    """Every activity of the school's communities with attendance counts (no names), as
    CSV in UTF-8 with a byte order mark, so spreadsheet programs read it right.
    Supervisors get counts on the dashboard, not what each activity was about."""
    school = get_school_for(request, npsn)
    if request.user.is_supervisor:
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kegiatan-{school.npsn}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [_("Community"), _("Date"), _("Title"), _("Kind"), _("Status"), _("Present"), _("Excused"), _("Absent")]
    )
    for activity in selectors.activities_for_export(school):
        row = [
            activity.community.name,
            timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
            activity.title,
            activity.get_kind_display(),
            activity.get_status_display(),
            activity.present,
            activity.excused,
            activity.absent,
        ]
        writer.writerow([spreadsheet_safe(str(value)) for value in row])
    return response


# Feedback


def _back_to(community, target, *, list_page=False):
    """Where a feedback form returns: the page it was sent from."""
    if list_page or target is None:
        return reverse("schools:feedback", args=[community.slug]) + "#umpan-balik"
    if isinstance(target, Activity):
        return reverse("activities:detail", args=[community.slug, target.uid]) + f"#umpan-balik-{target.uid}"
    return reverse("communities:stage", args=[community.slug]) + f"#umpan-balik-{target.uid}"


@login_required
def feedback_list(request, slug):
    community, access = get_community_for(request, slug, "can_read_feedback")
    live = not community.archived
    return community_page(
        request,
        community,
        access,
        "schools/feedback_list.html",
        threads=selectors.feedback_threads(community),
        form=FeedbackForm() if access.can_give_feedback and live else None,
        can_reply=access.can_reply_feedback and live,
        max_length=FEEDBACK_MAX_LENGTH,
        tab="feedback",
    )


@login_required
@require_POST
def feedback_new(request, slug):
    community, access = get_community_for(request, slug, "can_give_feedback")
    form = FeedbackForm(request.POST)
    if form.has_error("activity") or form.has_error("stage_change"):
        raise Http404  # a target that is not a UUID was not made by our pages
    form.is_valid()
    activity = stage_change = None
    if uid := form.cleaned_data.get("activity"):
        activity = get_object_or_404(community.activities, uid=uid)
    if uid := form.cleaned_data.get("stage_change"):
        stage_change = get_object_or_404(community.stage_changes, uid=uid)
    back = _back_to(community, activity or stage_change, list_page=request.POST.get("back") == "list")
    if form.has_error("body"):
        messages.error(request, body_error(form))
        return redirect(back)
    try:
        services.feedback_leave(
            community=community,
            by=request.user,
            body=form.cleaned_data["body"],
            activity=activity,
            stage_change=stage_change,
        )
    except Refused as exc:
        return refused(request, exc, back)
    messages.success(request, _("Your feedback has been sent to the community."))
    return redirect(back)


@login_required
@require_POST
def feedback_reply(request, slug, uid):
    community, access = get_community_for(request, slug, "can_reply_feedback")
    related = ["community", "activity", "stage_change"]
    thread = get_object_or_404(
        community.feedback.select_related(*related, *(f"reply_to__{name}" for name in related)), uid=uid
    )
    root = thread.reply_to or thread
    back = _back_to(community, root.activity or root.stage_change, list_page=request.POST.get("back") == "list")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, body_error(form))
        return redirect(back)
    try:
        services.feedback_reply(thread=thread, by=request.user, body=form.cleaned_data["body"])
    except Refused as exc:
        return refused(request, exc, back)
    messages.success(request, _("Your reply has been added."))
    return redirect(back)
