from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from kompra.ops.health import run_checks


@never_cache
def health(request):
    """For load balancers and monitors: 200 while every required part answers, 503
    otherwise. With ?strict, any failed part answers 503 (for monitoring that should
    also wake someone when the cache or the worker stops)."""
    report = run_checks()
    failing = report["status"] == "fail" or ("strict" in request.GET and report["status"] != "ok")
    response = JsonResponse(report, status=503 if failing else 200)
    response["X-Robots-Tag"] = "noindex"
    return response
