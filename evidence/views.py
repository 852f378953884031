from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Community
from evidence.access import get_own_share, get_share_for
from evidence.models import Certificate, PortfolioShare
from evidence.portfolio import Period, build_personal_portfolio
from reports.forms import PeriodForm


def _period_of(query):
    """(form, period, language): period is None when the form has errors."""
    form = PeriodForm.from_query(query)
    asked = query.get("bahasa")
    language = asked if asked in dict(settings.LANGUAGES) else translation.get_language()
    if not form.is_valid():
        return form, None, language
    return form, Period(form.cleaned_data["dari"], form.cleaned_data["sampai"]), language


def _query(period, language):
    return urlencode({"dari": period.start, "sampai": period.end, "bahasa": language})


def _pdf_response(request, portfolio, language):
    # WeasyPrint (and the Pango it needs) loads only when a PDF is asked for.
    from evidence.pdf import personal_portfolio_pdf

    with translation.override(language):
        pdf = personal_portfolio_pdf(
            portfolio,
            origin=f"{request.scheme}://{request.get_host()}",
            context={"generated_at": timezone.localtime()},
        )
    period = portfolio.period
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"portofolio-pribadi-{period.start.isoformat()}-{period.end.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def my_portfolio(request):
    form, period, language = _period_of(request.GET)
    context = {"form": form, "language": language, "person": request.user}
    with translation.override(language):
        if period is not None:
            context.update(
                portfolio=build_personal_portfolio(request.user, period),
                share=PortfolioShare.objects.active()
                .filter(owner=request.user, start=period.start, end=period.end)
                .first(),
                query=_query(period, language),
                generated_at=timezone.localtime(),
            )
        context["shares"] = list(PortfolioShare.objects.active().filter(owner=request.user))
        context["certificates"] = list(
            Certificate.objects.filter(holder=request.user, state__in=["approved", "revoked"]).select_related(
                "community"
            )
        )
        return render(request, "evidence/portfolio.html", context)


@login_required
def my_portfolio_pdf(request):
    form, period, language = _period_of(request.GET)
    if period is None:
        messages.error(request, _("The PDF was not made: please correct the period."))
        return redirect(reverse("evidence:mine") + "?" + request.GET.urlencode())
    return _pdf_response(request, build_personal_portfolio(request.user, period), language)


@login_required
@require_POST
def share_create(request):
    """Lets the principal of the teacher's school read this period's portfolio."""
    form, period, language = _period_of(request.POST)
    back = reverse("evidence:mine")
    if period is None or "dari" not in request.POST or "sampai" not in request.POST:
        messages.error(request, _("Nothing was shared: please correct the period."))
        return redirect(back)
    if request.user.school_id is None:
        messages.error(request, _("Your account has no school, so there is no principal to share with."))
        return redirect(back + "?" + _query(period, language))
    try:
        with transaction.atomic():
            PortfolioShare.objects.get_or_create(
                owner=request.user, start=period.start, end=period.end, withdrawn_at=None
            )
    except IntegrityError:  # two clicks at once: the other one shared it
        pass
    messages.success(request, _("Your principal can now read your portfolio for this period."))
    return redirect(back + "?" + _query(period, language))


@login_required
@require_POST
def share_withdraw(request, uid):
    share = get_own_share(request, uid)
    if share.withdrawn_at is None:
        share.withdrawn_at = timezone.now()
        share.save(update_fields=["withdrawn_at"])
    messages.success(request, _("The share has been withdrawn: your principal can no longer read it."))
    query = urlencode({"dari": share.start, "sampai": share.end})
    return redirect(reverse("evidence:mine") + "?" + query)


@login_required
def shared_list(request):
    """The portfolios the school's teachers shared with their principal."""
    if not request.user.is_principal:
        raise Http404
    shares = (
        PortfolioShare.objects.for_principal(request.user)
        .select_related("owner")
        .order_by("owner__full_name", "-start")
    )
    return render(request, "evidence/shared_list.html", {"shares": shares})


def shared_portfolio_for(request, share, period, *, for_owner):
    """The shared portfolio as this reader may see it: a principal gets no photo of a
    community they cannot open (its address would not answer them), on the page and in
    the PDF alike."""
    portfolio = build_personal_portfolio(share.owner, period, for_owner=for_owner)
    if not for_owner:
        visible = set(Community.objects.visible_to(request.user).values_list("pk", flat=True))
        for product in portfolio.products:
            if product.community_id not in visible:
                product.thumbnails = []
    return portfolio


@login_required
def shared_portfolio(request, uid):
    share, for_owner = get_share_for(request, uid)
    period = Period(share.start, share.end)
    language = translation.get_language()
    portfolio = shared_portfolio_for(request, share, period, for_owner=for_owner)
    context = {
        "person": share.owner,
        "share": share,
        "portfolio": portfolio,
        "generated_at": timezone.localtime(),
        "language": language,
    }
    return render(request, "evidence/shared.html", context)


@login_required
def shared_portfolio_pdf(request, uid):
    share, for_owner = get_share_for(request, uid)
    portfolio = shared_portfolio_for(request, share, Period(share.start, share.end), for_owner=for_owner)
    return _pdf_response(request, portfolio, translation.get_language())
