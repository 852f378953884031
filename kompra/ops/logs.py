"""Logs for operators: one line per request, and security events, both without secrets
or personal text (no email addresses, names, file names, query strings or tokens).

    2026-11-05 09:14:03,512 INFO kompra.request rid=5e0c…  method=GET path=/dasbor/ status=200 ms=14 user=42
    2026-11-05 09:14:09,001 WARNING kompra.security rid=77ab… event=login_failed user=42 ip=203.0.113.7

`rid` is the request id: nginx's $request_id when the proxy sends X-Request-ID,
otherwise a fresh one; every line logged while a request runs carries it, and the
response returns it in X-Request-ID. README ("Logs") documents every field.
"""

import contextvars
import logging
import re
import time
import uuid
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils.functional import empty

request_logger = logging.getLogger("kompra.request")
security_logger = logging.getLogger("kompra.security")

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
# Ids from the proxy are trusted only in this shape, so nothing can be smuggled into a line.
SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SAFE_VALUE = re.compile(r"[^A-Za-z0-9._:/-]")
# URL parts that stand for a person or open something without signing in.
SECRET_KWARGS = {"token", "key", "uidb36"}
# Load balancers ask every few seconds; a healthy answer is not worth a line.
QUIET_VIEWS = {"ops:health"}
PATH_SAFE = "/-._~!$&'()*+,;=:@"


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being served ("-" outside one)."""

    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True


class RequestLogMiddleware:
    """First in MIDDLEWARE, so it times everything else. `ms` is the time to produce the
    response (for a streamed file: until its first bytes are ready); nginx's own log has
    the full transfer time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request.request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            self.log(request, response, (time.monotonic() - started) * 1000)
        finally:
            REQUEST_ID.reset(token)
        return response

    def log(self, request, response, ms):
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "-"
        status = response.status_code
        if view in QUIET_VIEWS and status == 200:
            return
        user = user_id_of(request)
        request_logger.info(
            "method=%s path=%s status=%d ms=%.0f user=%s view=%s",
            _safe(request.method),
            safe_path(request, match),
            status,
            ms,
            user,
            _safe(view),
        )
        if status == 403:
            security_event("access_refused", request=request, status=403, view=view)
        elif status == 429:
            security_event("rate_limited", request=request, view=view)


def user_id_of(request):
    """The signed-in person's id, "anon", or "-" when the request never looked (so the
    log does not cost a session query of its own)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return "-"
    return user.pk if user.is_authenticated else "anon"


def safe_path(request, match=None):
    """The path without its query string, with tokens and keys blanked out, quoted so
    that no character of it can break a log line."""
    path = request.path
    for name, value in match.kwargs.items() if match else ():
        if name in SECRET_KWARGS and str(value):
            path = path.replace(str(value), "…")
    return quote(path, safe=PATH_SAFE + "…")


def _safe(value):
    return SAFE_VALUE.sub("_", str(value))[:100] or "-"


def security_event(event, *, request=None, level=logging.WARNING, **fields):
    """One line on kompra.security: the event, the fields given (ids and short codes
    only: anything else is replaced), the signed-in person and the client's address."""
    parts = [f"event={_safe(event)}"]
    parts += [f"{name}={_safe(value)}" for name, value in fields.items()]
    if request is not None:
        if "user" not in fields:
            parts.append(f"user={user_id_of(request)}")
        parts.append(f"ip={_safe(client_ip(request))}")
    security_logger.log(level, " ".join(parts))


def client_ip(request):
    """The client's address as allauth's rate limits see it (X-Forwarded-For from as many
    proxies as ALLAUTH_TRUSTED_PROXY_COUNT says, else the connection's address)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:
        return request.META.get("REMOTE_ADDR", "-")


def account_id(email):
    """The id of the account an email address belongs to, or "-": logs name accounts by id."""
    if not email:
        return "-"
    found = get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True).first()
    return found or "-"


def _login_failed(sender, credentials, request=None, **kwargs):
    security_event("login_failed", request=request, user=account_id(credentials.get("email")))


def _logged_in(sender, request, user, **kwargs):
    security_event("login", request=request, level=logging.INFO, user=user.pk)


def connect_signals():
    user_login_failed.connect(_login_failed, dispatch_uid="kompra.ops.login_failed")
    user_logged_in.connect(_logged_in, dispatch_uid="kompra.ops.logged_in")
