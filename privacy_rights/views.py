from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy_rights.forms import DeletionForm
from privacy_rights.models import ExportRequest
from privacy_rights.services import (
    Refused,
    communities_only_they_coordinate,
    deletion_request,
    export_request,
)


def _rules():
    return {
        "operator_name": settings.KOMPRA_OPERATOR_NAME,
        "operator_contact": settings.KOMPRA_OPERATOR_CONTACT,
        "grace_days": settings.KOMPRA_DELETION_GRACE_DAYS,
        "export_days": settings.KOMPRA_EXPORT_DAYS,
    }


def notice(request):
    """The privacy notice (kebijakan privasi): for everyone, signed in or not."""
    return render(request, "privacy_rights/notice.html", _rules())


@login_required
def account_delete(request):
    form = DeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deletion_request(user=request.user, password=form.cleaned_data["password"])
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            logout(request)
            return redirect("privacy:deletion_scheduled")
    blocked = list(communities_only_they_coordinate(request.user))
    return render(request, "privacy_rights/delete.html", {"form": form, "blocked": blocked, **_rules()})


def deletion_scheduled(request):
    """Where a closed account lands, signed out: what happens next and how to undo it."""
    erase_on = timezone.localdate(timezone.now() + timedelta(days=settings.KOMPRA_DELETION_GRACE_DAYS))
    return render(request, "privacy_rights/deletion_scheduled.html", {"erase_on": erase_on, **_rules()})


@login_required
def exports(request):
    """The person's own copies of their data: ask for one, download a ready one."""
    if request.method == "POST":
        try:
            export_request(user=request.user)
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your copy is being prepared. You will get an email when it is ready."))
        return redirect("privacy:exports")
    requests = ExportRequest.objects.filter(user=request.user)[:10]
    return render(request, "privacy_rights/exports.html", {"requests": requests, **_rules()})


@login_required
def export_download(request, uid):
    """Only its owner may fetch a copy (anyone else: 404, its existence not revealed);
    an expired one answers 410 with a page that says so."""
    export = get_object_or_404(ExportRequest, uid=uid, user=request.user)
    if export.is_expired or export.state == ExportRequest.State.EXPIRED:
        return render(request, "privacy_rights/export_expired.html", _rules(), status=410)
    if not export.is_downloadable:
        raise Http404
    name = f"kompra-data-{timezone.localdate(export.ready_at):%Y-%m-%d}.zip"
    response = FileResponse(export.file.open("rb"), as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response
