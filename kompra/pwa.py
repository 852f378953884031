"""Installing Kompra on a phone: the web app manifest, the service worker and the page it
shows offline. None of them holds anything of the person: the worker keeps static files
and the offline page only, never a page someone saw while signed in."""

import hashlib
import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# What a phone needs to draw any page: kept by the worker at install time.
STATIC_FILES = (
    "bootstrap/css/bootstrap.min.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "css/kompra.css",
    "js/drafts.js",
    "js/formatting.js",
    "js/upload.js",
    "js/attendance.js",
    "js/offline.js",
    "img/kompra.svg",
    "img/kompra-192.png",
)


@require_GET
@cache_control(max_age=86400)
def manifest(request):
    data = {
        "name": _("Kompra: communities of practice"),
        "short_name": "Kompra",
        "description": _("Kompra: communities of practice for Indonesian teachers."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0f766e",
        "icons": [
            {"src": static("img/kompra-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any maskable"},
            {"src": static("img/kompra-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
            {"src": static("img/kompra.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """At the site's root, so it may answer for every page. The version changes with the
    static files' (hashed, in production) names, so a release replaces the old cache."""
    files = [static(name) for name in STATIC_FILES]
    offline_url = reverse("offline")
    version = hashlib.sha256("\n".join([offline_url, *files]).encode()).hexdigest()[:12]
    # JSON is a JavaScript literal: the names reach the script exactly as written.
    context = {
        "precache": json.dumps([offline_url, *files]),
        "offline_url": json.dumps(offline_url),
        "static_prefix": json.dumps(settings.STATIC_URL),
        "version": version,
        # Hashed names (production) never change content: no need to ask again. Without
        # them (development), refresh in the background so edits show up.
        "refresh": json.dumps(settings.DEBUG),
    }
    return render(request, "pwa/sw.js", context, content_type="text/javascript")


@require_GET
def offline(request):
    """The same for everyone: the worker stores it, so it must not show who is signed in."""
    return render(request, "pwa/offline.html")
