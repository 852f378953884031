"""Certificates of participation: the coordinator's requests, the principal's
decisions, the holder's PDF and the public verification page."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from communities.access import get_community_for
from communities.models import Membership
from communities.services import Refused
from evidence import certificates as services
from evidence.models import Certificate
from kompra.ops.storage import serve_stored
from kompra.shortcuts import community_page

User = get_user_model()


class CertificateRequestForm(forms.Form):
    holder = forms.ModelChoiceField(label=gettext_lazy("Member"), queryset=None)
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = User.objects.filter(
            memberships__community=community,
            memberships__status__in=[Membership.Status.ACTIVE, Membership.Status.LEFT],
        ).order_by("full_name")


@login_required
def community_certificates(request, slug):
    """The coordinator asks for a certificate for a member, and follows the requests."""
    community, access = get_community_for(request, slug, "can_manage")
    form = CertificateRequestForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.certificate_request(
                community=community, holder=data["holder"], start=data["start"], end=data["end"], by=request.user
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The certificate has been requested from the principal."))
            return redirect("evidence:certificates", slug)
    items = community.certificates.select_related("holder").order_by("-requested_at")
    return community_page(
        request, community, access, "evidence/certificates.html", form=form, certificates=items, tab="members"
    )


@login_required
def approvals(request):
    """The principal's certificates to decide, and those decided, of their school's communities."""
    if not request.user.is_principal or not request.user.school_id:
        raise Http404
    items = list(Certificate.objects.for_home_principal(request.user).select_related("holder", "community"))
    return render(
        request,
        "evidence/approvals.html",
        {
            "waiting": [c for c in items if c.state == Certificate.State.REQUESTED],
            "decided": [c for c in items if c.state != Certificate.State.REQUESTED],
        },
    )


def _for_principal(request, uid):
    """A certificate of the communities whose home school this principal leads; else 404."""
    return get_object_or_404(Certificate.objects.for_home_principal(request.user), uid=uid)


def _decide(request, uid, service, done):
    certificate = _for_principal(request, uid)
    try:
        service(certificate=certificate, by=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("evidence:approvals")


@login_required
@require_POST
def approve(request, uid):
    return _decide(request, uid, services.certificate_approve, _("The certificate has been approved."))


@login_required
@require_POST
def decline(request, uid):
    return _decide(request, uid, services.certificate_decline, _("The certificate has been declined."))


@login_required
@require_POST
def revoke(request, uid):
    return _decide(request, uid, services.certificate_revoke, _("The certificate has been revoked."))


@login_required
def certificate_pdf(request, uid):
    """The stored PDF, for its holder and the principal who approves it; 404 for anyone
    else (it carries the holder's NIP, which coordinators do not read) and before approval."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("community"), uid=uid, state__in=["approved", "revoked"]
    )
    user = request.user
    allowed = (
        certificate.holder_id == user.pk
        or Certificate.objects.for_home_principal(user).filter(pk=certificate.pk).exists()
    )
    if not allowed:
        raise Http404
    response = serve_stored(
        request,
        certificate.pdf,
        content_type="application/pdf",
        filename=f"sertifikat-{certificate.code}.pdf",
        as_attachment=True,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def verify(request, code):
    """Public: that the certificate exists, for whom, its period, its state and the
    SHA-256 of its PDF; nothing else. An unknown or altered code is 404, as is a
    certificate not (yet) approved."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("holder", "community"), code=code.upper(), state__in=["approved", "revoked"]
    )
    return render(request, "evidence/verify.html", {"certificate": certificate})
