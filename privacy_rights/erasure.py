"""Erasing a person: their personal data goes, the community's shared history stays
whole but anonymised (README, "Personal data").

The account row itself stays, emptied, so every record that points at it (attendance,
activities proposed, comments, shared reflections, documents uploaded) keeps its
reference and shows "Mantan anggota". What is theirs alone goes: private reflections,
notices, calendar addresses, email addresses, their own data exports. Then every text
column of every model is searched for the name and email address, which are replaced
wherever else they were written (a minutes text, a notice title, an admin log line).
"""

import logging
import re
import uuid

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from activities.models import CalendarToken, Reflection, ReflectionDismissal
from communities.models import Membership
from notices.models import Notice
from privacy_rights.models import DeletionRequest, ExportRequest
from publishing.models import Publication
from search import index as search_index
from search.kinds import SPECS
from search.models import SearchEntry

logger = logging.getLogger(__name__)

# What replaces the name, in every language: the history reads "a former member".
ERASED_NAME = "Mantan anggota"
TEXT_FIELDS = (models.CharField, models.TextField)


def erased_email():
    """A unique address that names no one and can receive nothing (.invalid, RFC 2606)."""
    return f"mantan-anggota-{uuid.uuid4().hex[:12]}@anonim.invalid"


def _blank_value(field):
    if field.null:
        return None
    return "" if isinstance(field, TEXT_FIELDS) else field.get_default()


def anonymise_user(user):
    """Clears every field in User.PERSONAL_FIELDS (the name reads "Mantan anggota",
    the email address becomes a placeholder) and closes the account for good."""
    User = get_user_model()
    for name in User.PERSONAL_FIELDS:
        field = User._meta.get_field(name)
        if name == User.EMAIL_FIELD:
            value = erased_email()
        elif name in ("full_name", "short_name"):
            value = ERASED_NAME
        else:
            value = _blank_value(field)
        setattr(user, name, value)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (*TEXT_FIELDS, models.JSONField)) and not field.primary_key
    ]


def scrub_text(needles, replacements, *, skip=()):
    """Replaces each needle (case-insensitively) by its replacement in every text, char
    and JSON column of every model. Rows are saved one by one (update_fields), so what
    listens to saves (the search index) follows. Returns the number of rows changed."""
    needles = [(n, re.compile(re.escape(n), re.IGNORECASE), r) for n, r in zip(needles, replacements, strict=True) if n]
    changed = 0
    for model in apps.get_models():
        if model in skip or model._meta.proxy or not model._meta.managed:
            continue
        for field in _text_fields(model):
            lookup = field.name if not isinstance(field, models.JSONField) else f"_{field.name}_text"
            queryset = model._default_manager.all()
            if isinstance(field, models.JSONField):
                queryset = queryset.annotate(**{lookup: Cast(field.name, models.TextField())})
            condition = models.Q()
            for needle, _pattern, _replacement in needles:
                condition |= models.Q(**{f"{lookup}__icontains": needle})
            for row in queryset.filter(condition).only("pk", field.attname):
                value = getattr(row, field.attname)
                new = _replace(value, needles, getattr(field, "max_length", None))
                if new != value:
                    setattr(row, field.attname, new)
                    row.save(update_fields=[field.attname])
                    changed += 1
    return changed


def _replace(value, needles, max_length):
    if isinstance(value, str):
        for _needle, pattern, replacement in needles:
            value = pattern.sub(replacement, value)
        return value[:max_length] if max_length else value
    if isinstance(value, list):
        return [_replace(item, needles, None) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, needles, None) for key, item in value.items()}
    return value


@transaction.atomic
def account_erase(*, user, now=None):
    """Erases one person (see the module's docstring). Safe to run twice."""
    now = now or timezone.now()
    name, email = user.full_name, user.email
    addresses = list(EmailAddress.objects.filter(user=user).values_list("email", flat=True))

    # Private reflections go (with any publication record that pointed at them).
    private = Reflection.objects.filter(author=user, in_reports=False)
    Publication.objects.filter(reflection__in=private).delete()
    private.delete()
    ReflectionDismissal.objects.filter(user=user).delete()
    Notice.objects.filter(recipient=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    # Their downloads go, and one still being prepared is never built.
    for export in ExportRequest.objects.filter(user=user).exclude(state=ExportRequest.State.EXPIRED):
        if export.file:
            export.file.delete(save=False)
        export.file = ""
        export.state = ExportRequest.State.EXPIRED
        export.save(update_fields=["file", "state"])
    # A former member: the membership stays in the history, as ended.
    Membership.objects.filter(user=user).exclude(status=Membership.Status.LEFT).update(
        status=Membership.Status.LEFT, left_at=now
    )

    anonymise_user(user)
    User = get_user_model()
    needles = [name if len(name.strip()) >= 3 else "", *{email, *addresses}]
    replacements = [ERASED_NAME, *[user.email] * (len(needles) - 1)]
    entries = set(SearchEntry.objects.filter(_mentions(("title", "body"), needles)).values_list("kind", "object_id"))
    scrub_text(needles, replacements, skip=(User, SearchEntry))
    _reindex(entries)
    scrub_text(needles, replacements, skip=(User,))  # what the index keeps from elsewhere

    DeletionRequest.objects.pending().filter(user=user).update(state=DeletionRequest.State.ERASED, erased_at=now)
    logger.info("account erased: user_id=%s", user.pk)


def _mentions(fields, needles):
    condition = models.Q()
    for field in fields:
        for needle in needles:
            if needle:
                condition |= models.Q(**{f"{field}__icontains": needle})
    return condition


def _reindex(entries):
    by_kind = {}
    for kind, object_id in entries:
        by_kind.setdefault(kind, []).append(object_id)
    for kind, ids in by_kind.items():
        spec = SPECS[kind]
        search_index.write(spec, search_index.queryset_for(spec).filter(pk__in=ids))


def erase_due(now=None):
    """Erases every account whose grace period is over, one transaction each. A request
    another worker is erasing (locked) is skipped. Returns how many."""
    erased = 0
    for pk in DeletionRequest.objects.due(now).values_list("pk", flat=True):
        with transaction.atomic():
            request = DeletionRequest.objects.due(now).select_for_update(skip_locked=True).filter(pk=pk).first()
            if request is not None:
                account_erase(user=request.user, now=now)
                erased += 1
    return erased
