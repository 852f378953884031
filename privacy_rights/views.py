from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from privacy_rights.forms import DeletionForm
from privacy_rights.services import Refused, communities_only_they_coordinate, deletion_request


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
