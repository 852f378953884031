"""Certificates of participation: request, approve (rendering and storing the PDF),
decline, revoke. Keyword-only and atomic; refusals raise `Refused`."""

import hashlib
from datetime import timedelta
from decimal import Decimal

import segno
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from activities.models import Activity, Attendance
from communities.models import Membership
from communities.services import Refused
from evidence import notify
from evidence.models import Certificate
from reports.portfolio import Period


def certificate_request(*, community, holder, start, end, by):
    if end < start:
        raise Refused(_("The end of the period must not be before its start."))
    if end > timezone.localdate():
        raise Refused(_("A certificate covers a period that has ended: choose an end no later than today."))
    if not community.memberships.filter(
        user=holder, status__in=[Membership.Status.ACTIVE, Membership.Status.LEFT]
    ).exists():
        raise Refused(_("A certificate is only for a member of the community."))
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                community=community, holder=holder, start=start, end=end, requested_by=by
            )
            notify.certificate_requested(certificate)
    except IntegrityError:
        raise Refused(_("This certificate has already been requested and is waiting for the principal.")) from None
    return certificate


def certificate_facts(certificate):
    """(meetings, hours, roles) of the holder in the community over the period: meetings
    attended (present, not cancelled) and their hours, and the roles they held."""
    period = Period(certificate.start, certificate.end)
    attended = (
        Attendance.objects.filter(
            user=certificate.holder, status=Attendance.Status.PRESENT, activity__community=certificate.community
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .filter(period.q("activity__starts_at"))
        .values_list("activity__starts_at", "activity__ends_at")
    )
    total = sum((ends - starts for starts, ends in attended), timedelta())
    hours = Decimal(round(total.total_seconds() / 900) * 25) / 100  # to the quarter hour
    roles = sorted(
        {
            str(m.get_role_display())
            for m in certificate.community.memberships.filter(
                user=certificate.holder, status__in=[Membership.Status.ACTIVE, Membership.Status.LEFT]
            )
        }
    )
    return len(attended), hours, ", ".join(roles)


def qr_svg(url):
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3, dark="#000"))  # noqa: S308 - our own SVG


def certificate_pdf(certificate):
    # WeasyPrint (and the Pango it needs) loads only when a PDF is made.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    from reports.pdf import FetchRefused, print_css_path

    class RefuseAll(URLFetcher):
        def fetch(self, url, headers=None):
            raise FetchRefused(url)

    fetcher = RefuseAll(allowed_protocols=())

    html = render_to_string(
        "evidence/certificate_pdf.html",
        {
            "certificate": certificate,
            "verify_url": certificate.get_verify_url(),
            "qr": qr_svg(certificate.get_verify_url()),
        },
    )
    # The certificate loads nothing: the QR code is inline SVG, the stylesheet read here.
    stylesheet = CSS(filename=print_css_path(), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])


def _decidable(certificate):
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("community__home_school", "holder")
        .get(pk=certificate.pk)
    )
    if certificate.state != Certificate.State.REQUESTED:
        raise Refused(_("This certificate has already been decided."))
    return certificate


@transaction.atomic
def certificate_approve(*, certificate, by):
    certificate = _decidable(certificate)
    certificate.meetings, certificate.hours, certificate.roles = certificate_facts(certificate)
    certificate.state = Certificate.State.APPROVED
    certificate.decided_by = by
    certificate.decided_at = timezone.now()
    certificate.approver_name = by.full_name
    certificate.approver_nip = by.nip
    pdf = certificate_pdf(certificate)
    certificate.sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.pdf.save(f"{certificate.uid}.pdf", ContentFile(pdf), save=False)
    certificate.save()
    notify.certificate_approved(certificate)
    return certificate


@transaction.atomic
def certificate_decline(*, certificate, by):
    certificate = _decidable(certificate)
    certificate.state = Certificate.State.DECLINED
    certificate.decided_by = by
    certificate.decided_at = timezone.now()
    certificate.save(update_fields=["state", "decided_by", "decided_at"])
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate, by):
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.state != Certificate.State.APPROVED:
        raise Refused(_("Only an approved certificate can be revoked."))
    certificate.state = Certificate.State.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["state", "revoked_at"])
    return certificate
