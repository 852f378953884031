"""What certificates tell people (through the notices app): the principal of the
community's home school that one waits for approval, the holder that theirs is ready."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from evidence.models import Certificate
from notices import registry
from notices.services import notice_send

User = get_user_model()

registry.kind(
    "certificate_requested",
    label=gettext_lazy("A certificate of participation waits for your approval"),
    audience=gettext_lazy("principals"),
    order=60,
)
registry.kind(
    "certificate_approved",
    label=gettext_lazy("Your certificate of participation was approved"),
    audience=gettext_lazy("you"),
    order=61,
)


@registry.visibility(Certificate)
def _certificate_visible(user, pks):
    mine = Q(holder=user) | Q(pk__in=Certificate.objects.for_home_principal(user).values("pk"))
    return Certificate.objects.filter(pk__in=pks).filter(mine).values_list("pk", flat=True)


def certificate_requested(certificate):
    community = certificate.community
    principals = User.objects.filter(
        role=User.Role.PRINCIPAL, school_id=community.home_school_id, is_active=True
    ).exclude(pk=certificate.requested_by_id)
    notice_send(
        kind="certificate_requested",
        to=principals,
        about=certificate,
        group=community,
        title=gettext_lazy("Certificate to approve: %(holder)s (%(community)s)"),
        params={"holder": certificate.holder.full_name, "community": community.name},
        url=reverse("evidence:approvals"),
    )


def certificate_approved(certificate):
    notice_send(
        kind="certificate_approved",
        to=certificate.holder,
        about=certificate,
        group=certificate.community,
        title=gettext_lazy("Your certificate of participation in %(community)s is ready"),
        params={"community": certificate.community.name},
        url=reverse("evidence:mine"),
    )
