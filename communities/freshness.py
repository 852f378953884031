"""Facts about a community cached across requests, never stale after a write.

Every community carries `data_version`, raised in the same transaction by every save,
delete or many-to-many change of anything that belongs to it (the receivers below, for
every model with a `community` or with a parent that has one) and by the few bulk
updates that bypass signals (they call `bump` themselves). A cached fact's key holds the
version read with the community at the start of the request, before the fact's own
rows are read, so a write lands in a new key: the next request computes it afresh.

The cache is a helper: when it is unreachable (kompra/ops/cache.py) every fact is
simply computed. Keys also carry the language and, for facts that depend on the clock
(what is "coming up"), the current minute.

People's names are shown inside communities (a reflection's author, a plan's owner), and
a person's row belongs to no community: saving a person (anything but the last sign-in)
raises the version of every community they have a membership of (and of their school's
communities, where a principal writes feedback), so a renamed person is never shown under
their old name.

Pages cache rendered fragments through `{% fragment %}` (communities/templatetags/
kompra.py), keyed on `fragment_key`: the versions it is given, everything about the
viewer that changes what the fragment shows (passed by the template), the language, the
time zone and the minute. A fragment holding a CSRF token is never stored.
"""

import contextlib
import hashlib
from typing import NamedTuple

from django.apps import apps as global_apps
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language

from communities.models import Community, Membership
from kompra.ops.pagecache import kept_page, row

MISSING = object()
# Parents through which a row belongs to a community, by field name: an attendance
# through its activity, a comment through its problem, and so on.
PARENTS = ("activity", "problem", "action_plan", "product", "publication", "reflection", "stage_change")


def _get(key, default=None):
    """The cached value, or `default` while the cache cannot answer (it is a helper)."""
    try:
        return cache.get(key, default)
    except Exception:  # any cache backend's outage
        return default


def _set(key, value, seconds):
    # While the cache is down the value is simply computed again next time.
    with contextlib.suppress(Exception):
        cache.set(key, value, seconds)


def bump(community_id):
    """Every cached fact about the community is out of date from now on."""
    if community_id is not None:
        Community.objects.filter(pk=community_id).update(data_version=F("data_version") + 1)


def cached(community, name, compute, *parts, clock=False, seconds=600):
    """compute(), kept in the cache under the community's current data version."""
    key = ["community", str(community.pk), str(community.data_version), name, get_language() or ""]
    key += [str(part) for part in parts]
    if clock:
        key.append(timezone.now().strftime("%Y%m%d%H%M"))
    key = ":".join(key)
    value = _get(key, MISSING)
    if value is MISSING:
        value = compute()
        _set(key, value, seconds)
    return value


def clock_parts():
    """What every cached rendering depends on besides its data: language, time zone, minute."""
    return [get_language() or "", timezone.get_current_timezone_name(), timezone.now().strftime("%Y%m%d%H%M")]


class Version(NamedTuple):
    pk: int
    data_version: int


def community_versions(*, school=None, member=None):
    """(pk, data_version) of a school's communities (`school`: its id) or of those a
    person has any membership of (`member`: their id), in id order: what keys the school's
    and the person's pages. A fixed statement, no queryset to build on every request."""
    community, membership = Community._meta, Membership._meta
    if school is not None:
        join, where, value = "", "c.home_school_id = %s", school
    else:
        join = f"INNER JOIN {membership.db_table} m ON m.community_id = c.id"
        where, value = "m.user_id = %s", member
    sql = f"SELECT c.id, c.data_version FROM {community.db_table} c {join} WHERE {where} ORDER BY c.id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return [Version(*values) for values in cursor.fetchall()]


def versions_of(communities):
    """A short, stable fingerprint of the data versions of many communities."""
    text = ",".join(f"{c.pk}.{c.data_version}" for c in communities)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def fragment_key(name, parts):
    text = ":".join(str(part) for part in [*parts, *clock_parts()])
    return f"fragment:{name}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached_fragment(name, parts, render, seconds=600):
    """render() (HTML), kept under `fragment_key`; never stored if it holds a CSRF token."""
    key = fragment_key(name, parts)
    html = _get(key)
    if html is None:
        html = render()
        if "csrfmiddlewaretoken" not in html:
            _set(key, html, seconds)
    return html


def cached_for_many(communities, name, compute, *parts, seconds=600):
    """compute(), kept under the data versions of all `communities` (for a school's or a
    person's pages), with the language, time zone and minute."""
    key = ":".join(["communities", name, versions_of(communities), *map(str, parts), *clock_parts()])
    value = _get(key, MISSING)
    if value is MISSING:
        value = compute()
        _set(key, value, seconds)
    return value


def kept_community_page(request, name, community, access, render, *parts):
    """A community's page kept whole (kompra/ops/pagecache.py) under the community's data
    version, its home school and the viewer's membership; `parts` add what else the page
    reads that is not the community's (whether the viewer muted it, say)."""
    membership = access.membership
    return kept_page(
        request,
        name,
        render,
        community.pk,
        community.data_version,
        row(community.home_school),
        (membership.pk, membership.role, membership.status) if membership else None,
        *parts,
    )


def community_of(instance):
    """The community a saved or deleted row belongs to (its pk), or None."""
    if isinstance(instance, Community):
        return instance.pk
    if (community_id := getattr(instance, "community_id", None)) is not None:
        return community_id
    for name in PARENTS:
        if getattr(instance, f"{name}_id", None) is not None:
            parent = getattr(type(instance), name).field.related_model
            if hasattr(parent, "community_id") or any(f.name == "community" for f in parent._meta.fields):
                return (
                    parent.objects.filter(pk=getattr(instance, f"{name}_id"))
                    .values_list("community_id", flat=True)
                    .first()
                )
    return None


def _ours(model):
    """A model of the apps whose rows belong to communities; not a migration's
    historical copy, which writes to tables as they were."""
    return model._meta.app_label in APPS and model._meta.apps is global_apps


def changed(sender, instance, raw=False, **kwargs):
    if not raw and _ours(sender):
        bump(community_of(instance))


def person_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """A person's name (or anything else of theirs) changed: every community that may show
    it is out of date. Signing in (only `last_login`) changes nothing shown."""
    if raw or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    if instance.pk is None:
        return
    # Their communities, and those of their school, whose principal writes feedback there.
    theirs = Q(pk__in=Membership.objects.filter(user=instance).values("community_id"))
    if instance.school_id is not None:
        theirs |= Q(home_school_id=instance.school_id)
    Community.objects.filter(theirs).update(data_version=F("data_version") + 1)


def m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and _ours(type(instance)):
        bump(community_of(instance))


# The apps whose rows belong to communities.
APPS = {"communities", "activities", "publishing", "schools", "reports"}
