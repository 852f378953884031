from django.conf import settings


def site(request):
    return {"KOMPRA_OPEN_SIGNUP": settings.KOMPRA_OPEN_SIGNUP}
