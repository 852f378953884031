from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.access import get_community_for
from reports import exports
from reports.forms import PeriodForm
from reports.pdf import portfolio_pdf
from reports.portfolio import Period, build_portfolio

# Fetch and authorise. The portfolio is the community's record for its members and the
# school: members, the home school's principal and site admins read it; the CSV is the
# coordinator's and the principal's; the whole archive is the coordinator's alone.


def _get_community(request, slug, allowed):
    community, access = get_community_for(request, slug)
    if not (request.user.is_staff or allowed(access)):
        raise PermissionDenied
    return community, access


def _reads_portfolio(access):
    return access.is_member or access.is_home_principal


def _reads_activity_export(access):
    return access.can_manage or access.is_home_principal


def _takes_archive(access):
    return access.can_manage


# Portfolio


def _period_of(request):
    """(form, period, language): period is None when the form has errors."""
    form = PeriodForm.from_query(request.GET)
    if not form.is_valid():
        return form, None, request.GET.get("bahasa") or translation.get_language()
    data = form.cleaned_data
    language = data["bahasa"] or translation.get_language()
    return form, Period(data["dari"], data["sampai"]), language


@login_required
def portfolio(request, slug):
    community, access = _get_community(request, slug, _reads_portfolio)
    form, period, language = _period_of(request)
    with translation.override(language):
        context = {"community": community, "access": access, "form": form, "language": language}
        if period is not None:
            context.update(
                portfolio=build_portfolio(community, period),
                generated_at=timezone.localtime(),
                query=urlencode({"dari": period.start, "sampai": period.end, "bahasa": language}),
            )
        return render(request, "reports/portfolio.html", context)


@login_required
def portfolio_pdf_download(request, slug):
    community, access = _get_community(request, slug, _reads_portfolio)
    form, period, language = _period_of(request)
    if period is None:
        # Back to the page, which shows the period's error next to its fields.
        messages.error(request, _("The PDF was not made: please correct the period."))
        return redirect(reverse("reports:portfolio", args=[slug]) + "?" + request.GET.urlencode())
    with translation.override(language):
        pdf = portfolio_pdf(
            build_portfolio(community, period),
            origin=f"{request.scheme}://{request.get_host()}",
            context={"generated_at": timezone.localtime()},
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"portofolio-{community.slug}-{period.start.isoformat()}-{period.end.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Exports


@login_required
def activities_csv(request, slug):
    community, access = _get_community(request, slug, _reads_activity_export)
    response = HttpResponse(exports.activities_csv(community), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kegiatan-{community.slug}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def archive_zip(request, slug):
    community, access = _get_community(request, slug, _takes_archive)
    archive = exports.write_export(community)
    stamp = timezone.localdate().isoformat()
    response = FileResponse(
        archive, as_attachment=True, filename=f"kompra-{community.slug}-{stamp}.zip", content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
