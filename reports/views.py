from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.access import get_community_for
from reports import exports
from reports.forms import PeriodForm
from reports.portfolio import Period, build_portfolio

# Portfolio


def _period_of(request):
    """(form, period, language): period is None when the form has errors."""
    form = PeriodForm.from_query(request.GET)
    asked = request.GET.get("bahasa")
    language = asked if asked in dict(settings.LANGUAGES) else translation.get_language()
    if not form.is_valid():
        return form, None, language
    return form, Period(form.cleaned_data["dari"], form.cleaned_data["sampai"]), language


@login_required
def portfolio(request, slug):
    community, access = get_community_for(request, slug, "can_read_reports")
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
    community, access = get_community_for(request, slug, "can_read_reports")
    form, period, language = _period_of(request)
    if period is None:
        # Back to the page, which shows the period's error next to its fields.
        with translation.override(language):
            messages.error(request, _("The PDF was not made: please correct the period."))
        return redirect(reverse("reports:portfolio", args=[slug]) + "?" + request.GET.urlencode())
    # WeasyPrint (and the Pango it needs) loads only when a PDF is asked for.
    from reports.pdf import portfolio_pdf

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
    community, access = get_community_for(request, slug, "can_export_activities")
    response = HttpResponse(exports.activities_csv(community), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kegiatan-{community.slug}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def archive_zip(request, slug):
    community, access = get_community_for(request, slug, "can_export_archive")
    archive = exports.write_export(community)
    stamp = timezone.localdate().isoformat()
    response = FileResponse(
        archive, as_attachment=True, filename=f"kompra-{community.slug}-{stamp}.zip", content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
