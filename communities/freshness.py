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
"""

from django.apps import apps as global_apps
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from communities.models import Community, Membership

MISSING = object()
# Parents through which a row belongs to a community, by field name: an attendance
# through its activity, a comment through its problem, and so on.
PARENTS = ("activity", "problem", "action_plan", "product", "publication", "reflection", "stage_change")


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
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(key, value, seconds)
    return value


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


# What cached facts show of a person.
PERSON_FIELDS = {"full_name", "short_name", "email", "is_active"}


def person_renamed(sender, instance, raw=False, update_fields=None, **kwargs):
    """Cached facts name people: a person's new name (or their erasure) makes the facts of
    every community they belonged to out of date. A sign-in, which saves only the time of
    the last login, changes nothing shown."""
    if raw or (update_fields is not None and not PERSON_FIELDS & set(update_fields)):
        return
    joined = Membership.objects.filter(user_id=instance.pk).values("community_id")
    Community.objects.filter(pk__in=joined).update(data_version=F("data_version") + 1)


def m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and _ours(type(instance)):
        bump(community_of(instance))


# The apps whose rows belong to communities.
APPS = {"communities", "activities", "publishing", "schools", "reports"}
