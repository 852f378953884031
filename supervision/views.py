import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Stage
from communities.services import Refused
from kompra.shortcuts import refused
from schools.access import get_school_for
from schools.forms import body_error
from schools.selectors import FLAGS
from schools.views import spreadsheet_safe
from supervision import selectors, services
from supervision.access import may_reply_feedback, may_start_feedback
from supervision.forms import FEEDBACK_MAX_LENGTH, SchoolFeedbackForm, SchoolReplyForm

SCHOOLS_PAGE_SIZE = 50


def _overseer(request):
    """Supervisors and site admins; for everyone else the page does not exist."""
    if not (request.user.is_supervisor or request.user.is_staff):
        raise Http404


def _overview(request):
    rows = selectors.oversight_rows(request.user)
    totals = selectors.totals_of(rows)
    return rows, totals, selectors.stage_chart(totals.by_stage)


def _scope(user):
    """How the page names what the person oversees."""
    if user.is_staff and not user.is_supervisor:
        return _("Every school on Kompra")
    if user.role == user.Role.DINAS:
        if user.office_district:
            return _("Dinas pendidikan of %(district)s, %(province)s: its PAUD, SD and SMP schools") % {
                "district": user.office_district,
                "province": user.office_province,
            }
        return _("Dinas pendidikan of the province of %(province)s: its SMA, SMK and SLB schools") % {
            "province": user.office_province
        }
    return _("The schools assigned to you")


@login_required
def dashboard(request):
    _overseer(request)
    rows, totals, chart = _overview(request)
    key, descending = selectors.parse_sort(request.GET.get("urut"))
    sort = f"-{key}" if descending else key
    # Sorted whole, then shown a page at a time: a province has thousands of schools.
    page = Paginator(selectors.sort_rows(rows, key, descending), SCHOOLS_PAGE_SIZE).get_page(request.GET.get("halaman"))
    for row in page.object_list:
        row.mini_bar = selectors.mini_bar(row)
    columns = [
        {
            "key": name,
            "label": label,
            "active": name == key,
            "descending": descending,
            # A second click on the sorted column reverses it; numbers start with the largest.
            "next": (name if descending else f"-{name}")
            if name == key
            else (name if name == "sekolah" else f"-{name}"),
        }
        for name, (label, _measure) in selectors.SORTS.items()
    ]
    return render(
        request,
        "supervision/dashboard.html",
        {
            "rows": page.object_list,
            "page": page,
            "page_query": "" if (key, descending) == (selectors.DEFAULT_SORT, False) else f"urut={sort}",
            "totals": totals,
            "chart": chart,
            "columns": columns,
            "scope": _scope(request.user),
            "flags": FLAGS.values(),
            "active_days": selectors.ACTIVE_DAYS,
            "mini": {"width": selectors.MINI_WIDTH, "height": selectors.MINI_HEIGHT},
        },
    )


@login_required
def report(request):
    """The printable district report: every school's figures, the totals and the chart."""
    _overseer(request)
    rows, totals, chart = _overview(request)
    return render(
        request,
        "supervision/report.html",
        {
            "rows": rows,
            "totals": totals,
            "chart": chart,
            "scope": _scope(request.user),
            "flags": FLAGS.values(),
            "stages": Stage.choices,
            "active_days": selectors.ACTIVE_DAYS,
            "generated": timezone.now(),
        },
    )


@login_required
def export(request):
    """Every overseen school's figures as CSV (UTF-8 with a byte order mark), one row each."""
    _overseer(request)
    rows = selectors.oversight_rows(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sekolah-binaan.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    stage_labels = [label for _value, label in Stage.choices]
    writer.writerow(
        [
            _("NPSN"),
            _("School"),
            _("Level"),
            _("District"),
            _("Province"),
            _("Communities"),
            *stage_labels,
            _("With a health flag"),
            *[flag.label for flag in FLAGS.values()],
            _("Activities held, last %(days)d days") % {"days": selectors.ACTIVE_DAYS},
            _("Communities that met, last %(days)d days") % {"days": selectors.ACTIVE_DAYS},
            _("Readiness indicators met"),
            _("Readiness indicators"),
            _("Stage advances, last year"),
            _("Stage slips, last year"),
        ]
    )
    for row in rows:
        school = row.school
        values = [
            school.npsn,
            school.name,
            school.get_level_display(),
            school.district,
            school.province,
            row.communities,
            *[count for _value, _label, count in row.stages],
            row.flagged,
            *row.flag_counts.values(),
            row.held_recent,
            row.active_communities,
            row.readiness_met,
            row.readiness_total,
            row.advances,
            row.slips,
        ]
        writer.writerow([spreadsheet_safe(str(value)) for value in values])
    return response


# Feedback between supervisors and the principal


def _feedback_url(school, thread=None):
    url = reverse("supervision:feedback", args=[school.npsn])
    return url + (f"#umpan-balik-{thread.uid}" if thread is not None else "#umpan-balik")


@login_required
def feedback(request, npsn):
    school = get_school_for(request, npsn)
    return render(
        request,
        "supervision/feedback.html",
        {
            "school": school,
            "threads": selectors.feedback_threads(school),
            "form": SchoolFeedbackForm() if may_start_feedback(request.user, school) else None,
            "can_reply": may_reply_feedback(request.user, school),
            "max_length": FEEDBACK_MAX_LENGTH,
        },
    )


@login_required
@require_POST
def feedback_new(request, npsn):
    school = get_school_for(request, npsn)
    if not may_start_feedback(request.user, school):
        raise PermissionDenied
    form = SchoolFeedbackForm(request.POST)
    back = _feedback_url(school)
    if not form.is_valid():
        messages.error(request, body_error(form))
        return redirect(back)
    try:
        note = services.school_feedback_leave(
            school=school,
            by=request.user,
            body=form.cleaned_data["body"],
            link=request.build_absolute_uri(back),
        )
    except Refused as exc:
        return refused(request, exc, back)
    messages.success(request, _("Your feedback has been sent to the principal."))
    return redirect(_feedback_url(school, note))


@login_required
@require_POST
def feedback_reply(request, npsn, uid):
    school = get_school_for(request, npsn)
    if not may_reply_feedback(request.user, school):
        raise PermissionDenied
    thread = get_object_or_404(school.supervisor_feedback.select_related("reply_to", "school"), uid=uid)
    root = thread.reply_to or thread
    back = _feedback_url(school, root)
    form = SchoolReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, body_error(form))
        return redirect(back)
    try:
        services.school_feedback_reply(
            thread=thread, by=request.user, body=form.cleaned_data["body"], link=request.build_absolute_uri(back)
        )
    except Refused as exc:
        return refused(request, exc, back)
    messages.success(request, _("Your reply has been added."))
    return redirect(back)
