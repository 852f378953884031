import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


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
