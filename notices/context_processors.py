from django.utils.functional import SimpleLazyObject

from notices.bell import unread_count


def bell(request):
    """The unread count in the navigation, computed only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(user))}
