from django.utils.functional import SimpleLazyObject

from notices.models import Notice


def bell(request):
    """The unread count in the navigation: one indexed COUNT, and only when a page
    shows the bell (lazy), so pages without it pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: Notice.objects.for_user(user).unread().count())}
