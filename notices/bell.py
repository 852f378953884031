"""The bell's unread count, shown on every page: cached per person (one indexed COUNT
when the cache is cold), forgotten whenever their notices change. The cache is a
helper: when it is down (Redis outage), the count is read from the database and
nothing breaks."""

import logging

from django.core.cache import cache

from notices.models import Notice

logger = logging.getLogger(__name__)

# A forgotten key that could not be deleted (cache down) is wrong for at most this long.
TTL_SECONDS = 120


def _key(user_id):
    return f"notices:unread:{user_id}"


def unread_count(user):
    try:
        count = cache.get(_key(user.pk))
    except Exception:
        logger.warning("Cache unavailable; counting notices in the database", exc_info=True)
        return Notice.objects.for_user(user).unread().count()
    if count is None:
        count = Notice.objects.for_user(user).unread().count()
        try:
            cache.set(_key(user.pk), count, TTL_SECONDS)
        except Exception:
            logger.warning("Cache unavailable; the unread count is not kept", exc_info=True)
    return count


def forget(user_ids):
    try:
        cache.delete_many([_key(pk) for pk in set(user_ids)])
    except Exception:
        logger.warning("Cache unavailable; unread counts expire on their own", exc_info=True)
