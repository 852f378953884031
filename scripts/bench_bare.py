"""A bare Django view, the yardstick of scripts/bench_throughput.py.

    gunicorn -w 2 -k sync scripts.bench_bare:application

One view returning a small HttpResponse, no database, no middleware beyond Django's
common one: what Django itself costs a request on this machine.
"""

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only-" + "x" * 50,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        INSTALLED_APPS=[],
        USE_I18N=False,
    )

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("<!doctype html><title>ok</title><p>Halo, guru.</p>")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
