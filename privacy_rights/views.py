from datetime import timedelta

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.access import get_community_for
from kompra.ops.storage import serve_stored
from kompra.shortcuts import community_page
from privacy_rights.forms import DeletionForm, PurgeForm
from privacy_rights.models import ExportRequest, PhotoConsentEvent
from privacy_rights.photos import photo_consent_withdraw, purge_candidates
from privacy_rights.photos import student_photos as student_photos_of
from privacy_rights.photos import student_photos_purge as photos_purge
from privacy_rights.services import (
    Refused,
    WrongPassword,
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
    # Wrong passwords count as failed logins of the account (allauth's limit, 5 in 5 minutes).
    attempts = {"action": "login_failed", "key": request.user.email.lower()}
    if request.method == "POST" and form.is_valid():
        try:
            if not ratelimit.consume(request, dry_run=True, **attempts):
                raise Refused(_("Too many wrong passwords. Wait a few minutes and try again. Nothing was changed."))
            deletion_request(user=request.user, password=form.cleaned_data["password"])
        except WrongPassword as exc:
            ratelimit.consume(request, **attempts)
            form.add_error(None, str(exc))
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
    response = serve_stored(request, export.file, content_type="application/zip", filename=name, as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response


# Photos showing students (coordinators)


@login_required
def student_photos(request, slug):
    community, access = get_community_for(request, slug, need="can_manage")
    photos = student_photos_of(community).select_related("activity", "product").order_by("-created_at")
    events = PhotoConsentEvent.objects.filter(community=community).select_related("by")[:20]
    return community_page(
        request,
        community,
        access,
        "privacy_rights/student_photos.html",
        photos=photos,
        events=events,
        purge_form=PurgeForm(),
    )


@login_required
@require_POST
def photo_withdraw(request, slug, uid):
    community, access = get_community_for(request, slug, need="can_manage")
    photo = get_object_or_404(student_photos_of(community), uid=uid)
    photo_consent_withdraw(document=photo, by=request.user)
    messages.success(request, _("Consent withdrawn: the photo has left every publication and is deleted."))
    return redirect("privacy:student_photos", community.slug)


@login_required
@require_POST
def student_photos_purge(request, slug):
    """Two steps: the first POST shows how many photos would go; the second, with
    `confirm`, deletes them."""
    community, access = get_community_for(request, slug, need="can_manage")
    form = PurgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a period. Nothing was deleted."))
        return redirect("privacy:student_photos", community.slug)
    days = form.cleaned_data["days"]
    if not form.cleaned_data["confirm"]:
        count = purge_candidates(community, days=days).count()
        confirm = PurgeForm(initial={"days": days, "confirm": True})
        return community_page(
            request,
            community,
            access,
            "privacy_rights/student_photos_purge.html",
            count=count,
            period=dict(PurgeForm.PERIODS)[days],
            form=confirm,
        )
    removed = photos_purge(community=community, days=days, by=request.user)
    messages.success(request, _("%(count)s photos showing students were deleted.") % {"count": removed})
    return redirect("privacy:student_photos", community.slug)
