"""Who reads a personal portfolio: the teacher themself, always; the principal of their
school, only for a period the teacher shared and has not withdrawn. Everyone else,
site staff included, gets 404 (existence is not revealed)."""

from django.http import Http404

from evidence.models import PortfolioShare


def get_share_for(request, uid):
    """(share, for_owner) if the user may read the shared portfolio; otherwise 404."""
    user = request.user
    share = PortfolioShare.objects.select_related("owner__school").filter(uid=uid).first()
    if share is None:
        raise Http404
    if share.owner_id == user.pk:
        return share, True
    if share.is_active and PortfolioShare.objects.for_principal(user).filter(pk=share.pk).exists():
        return share, False
    raise Http404


def get_own_share(request, uid):
    share = PortfolioShare.objects.filter(uid=uid, owner=request.user).first()
    if share is None:
        raise Http404
    return share
