"""What the other apps tell the notices app, in their AppConfig.ready().

The notices app knows no community. Each app registers:
- the kinds of notice it sends (`kind`), with a label for the preferences page;
- how to tell whether a person may still see what a notice is about (`visibility`),
  so a notice never outlives the right to see its object;
- the reminders the periodic tick looks for (`reminders`);
- what it adds to the weekly digest (`digest_section`);
- other time-based work the tick should start (`periodic`), e.g. erasing accounts
  whose grace period is over.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    IN_APP = "in_app", _("in Kompra only")
    EMAIL = "email", _("by email at once")
    DIGEST = "digest", _("in the weekly digest")
    OFF = "off", _("off")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    audience: str  # who receives it, for the preferences page
    default: str = Mode.EMAIL
    # Urgent notices (a meeting soon, a cancellation) skip the email batching.
    urgent: bool = False
    order: int = 100


KINDS: dict[str, Kind] = {}
# model label ("activities.activity") -> check(user, pks) -> set of pks the user may still see
VISIBILITY: dict[str, Callable] = {}
REMINDERS: list[Callable] = []
DIGEST_SECTIONS: list[Callable] = []
PERIODIC: list[Callable] = []

DIGEST = "digest"


def kind(key, *, label, audience, default=Mode.EMAIL, urgent=False, order=100):
    KINDS[key] = Kind(key=key, label=label, audience=audience, default=default, urgent=urgent, order=order)


def visibility(model):
    """Registers check(user, pks) -> the pks of `model` the user may still see. It must
    call the owning app's own access rules, so notices follow them as they change."""

    def register(check):
        VISIBILITY[model._meta.label_lower] = check
        return check

    return register


def reminders(find):
    """Registers find(now, since) -> iterable of `Reminder`: everything whose moment
    falls in (since, now]. The tick sends each once, by its key."""
    REMINDERS.append(find)
    return find


def periodic(start):
    """Registers start(now), called by every tick; it should only enqueue a task (the
    work is done by the workers), and be harmless when called twice."""
    PERIODIC.append(start)
    return start


def digest_section(build):
    """Registers build(users, since, until) -> {user_id: [DigestLine]}, in a fixed
    number of queries whatever the number of users."""
    DIGEST_SECTIONS.append(build)
    return build


@dataclass(frozen=True)
class Reminder:
    kind: str
    to: object  # a user
    about: models.Model
    key: str
    title: object  # a lazy message with %(name)s placeholders
    params: dict
    group: models.Model | None = None


@dataclass(frozen=True)
class DigestLine:
    section: str  # the section's heading, in the recipient's language ("": not shown)
    text: str
    url: str
    order: int = 100  # sections sort by it
    # Lines that are not news (where the community stands) ride along but never make
    # a digest worth sending on their own.
    news: bool = True
    notice_id: int | None = None  # a notice read in the digest, marked as sent with it


# Kinds every installation has: the weekly digest itself.
kind(
    DIGEST,
    label=_("Weekly digest (Monday morning)"),
    audience=_("everyone"),
    default=Mode.EMAIL,
    order=1000,
)


def kinds_sorted():
    return sorted(KINDS.values(), key=lambda k: (k.order, k.key))
