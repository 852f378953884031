from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notices.forms import PreferencesForm
from notices.mail import unsubscribe_read
from notices.models import Mute, Notice
from notices.registry import KINDS, Mode
from notices.services import notice_mark_read, notices_mark_all_read, notices_withdraw_invisible, preference_set

PAGE_SIZE = 20


@login_required
def notice_list(request):
    notices = Notice.objects.for_user(request.user).only(
        "uid", "kind", "title", "url", "created_at", "read_at", "about_type_id", "about_id"
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("halaman"))
    # A notice whose object the person may no longer see leaves the list (and the bell).
    shown = notices_withdraw_invisible(user=request.user, notices=list(page.object_list))
    return render(request, "notices/list.html", {"page": page, "notices": shown})


@login_required
@require_POST
def notice_open(request, uid):
    notice = get_object_or_404(Notice.objects.for_user(request.user), uid=uid)
    if not notices_withdraw_invisible(user=request.user, notices=[notice]):
        messages.error(request, _("You can no longer see what this notice was about."))
        return redirect("notices:list")
    notice_mark_read(notice=notice)
    return redirect(notice.url or "notices:list")


@login_required
@require_POST
def read_all(request):
    count = notices_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notice(s) marked as read.") % {"count": count})
    return redirect("notices:list")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notice preferences have been saved."))
        return redirect("notices:preferences")
    mutes = list(Mute.objects.filter(user=request.user).select_related("group_type"))
    for mute in mutes:
        model = mute.group_type.model_class()
        mute.group = model._default_manager.filter(pk=mute.group_id).first() if model else None
    return render(request, "notices/preferences.html", {"form": form, "mutes": mutes})


@login_required
@require_POST
def unmute(request, pk):
    mute = get_object_or_404(Mute, pk=pk, user=request.user)
    mute.delete()
    messages.success(request, _("You will hear from this community again."))
    return redirect("notices:preferences")


# Mail programs post here without a CSRF token (RFC 8058 one-click); the signed token
# is what authorises the change.
@csrf_exempt
def unsubscribe(request, token):
    try:
        user_id, kinds = unsubscribe_read(token)
    except signing.SignatureExpired:
        return _unsubscribe_refused(request, _("This unsubscribe link has expired."))
    except signing.BadSignature:
        return _unsubscribe_refused(request, _("This unsubscribe link is not valid."))
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    kinds = [k for k in kinds if k in KINDS]
    if user is None or not kinds:
        return _unsubscribe_refused(request, _("This unsubscribe link is not valid."))
    labels = [KINDS[k].label for k in kinds]
    if request.method == "POST":
        for kind in kinds:
            preference_set(user=user, kind=kind, mode=Mode.OFF if kind == "digest" else Mode.IN_APP)
        return render(request, "notices/unsubscribed.html", {"labels": labels, "done": True})
    return render(request, "notices/unsubscribed.html", {"labels": labels, "done": False, "token": token})


def _unsubscribe_refused(request, reason):
    return render(request, "notices/unsubscribe_invalid.html", {"reason": reason}, status=400)
