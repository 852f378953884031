import zoneinfo

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject

from kompra.accounts.sessions import checking


class PersonalPreferencesMiddleware:
    """Applies a signed-in person's own time zone, and their saved language when the
    browser has not chosen one through the language switcher (which saves it too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        timezone.deactivate()
        return response


class PrivatePagesMiddleware:
    """A page answered to a signed-in person may hold what only they should see, so no
    browser history or cache on the way keeps it: private, no-store. A view that chose
    its own caching keeps it (public showcase pages, files, exports)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the person read in the same statement as the session (sessions.py)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


def get_user(request):
    if not hasattr(request, "_cached_user"):
        with checking(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user
