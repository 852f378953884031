"""Whole signed-in pages kept in the cache: never stale, never another person's.

A page is rendered once and kept under a key made of everything it shows:
- the address (path and query string) and the view;
- the person: their id and every field of theirs but the last sign-in, so a new name,
  role, school, language or password is a new key;
- the language, the time zone and the current minute (what is "coming up", what is
  "today"), so nothing outlives its minute;
- the parts registered by apps for every page (the notice bell's unread count);
- the parts the view gives: the data versions of the communities it reads
  (communities/freshness.py raises them in the transaction of every write), the
  viewer's membership, and anything else the page reads that is not a community's.

What must differ on every answer is not kept: the CSRF token and the CSP nonce are
stored as markers and filled in afresh each time (a new masked token of the person's own
CSRF secret, the request's own nonce). A page with a message waiting (messages
framework) is neither served from the cache nor kept, so the message is shown once.

The cache is a helper: while it cannot answer, every page is simply rendered.
"""

import contextlib
import functools
import hashlib
import hmac
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

# Pages live at most this long; their keys change with every write anyway.
SECONDS = 600
# Apps add parts every page's key needs (a callable of the request), see register().
_PARTS = []
# A CSRF token as Django writes it: 64 letters and digits, the mask then the cipher.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def register(part):
    """Adds `part(request)` to every kept page's key (notices: the unread count)."""
    if part not in _PARTS:
        _PARTS.append(part)


def _marker(name):
    return _marker_for(settings.SECRET_KEY, name)


@functools.cache
def _marker_for(secret, name):
    # Unguessable and the same in every process: derived from the secret key, once.
    digest = hmac.new(secret.encode(), f"kompra-page-{name}".encode(), hashlib.sha256)
    return f"kompra-{name}-{digest.hexdigest()[:24]}"


def _person(user):
    values = [
        f"{field.attname}={getattr(user, field.attname)!r}"
        for field in user._meta.concrete_fields
        if field.name != "last_login"
    ]
    return hashlib.sha256("|".join(values).encode()).hexdigest()


def row(instance):
    """A part for a row the page shows that no data version covers (a school): all its
    values, so any change to it is a new key."""
    if instance is None:
        return None
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


def page_key(request, name, parts):
    text = "\x1f".join(
        str(part)
        for part in [
            name,
            request.get_full_path(),
            request.user.pk,
            _person(request.user),
            get_language() or "",
            timezone.get_current_timezone_name(),
            timezone.now().strftime("%Y%m%d%H%M"),
            *(part(request) for part in _PARTS),
            *parts,
        ]
    )
    return f"page:{name}:{hashlib.sha256(text.encode()).hexdigest()}"


def _has_messages(request):
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _unmask(token):
    """The CSRF secret a masked token carries (django.middleware.csrf's cipher)."""
    from django.middleware.csrf import CSRF_ALLOWED_CHARS

    mask, cipher = token[:32], token[32:]
    pairs = zip(map(CSRF_ALLOWED_CHARS.index, cipher), map(CSRF_ALLOWED_CHARS.index, mask), strict=True)
    return "".join(CSRF_ALLOWED_CHARS[x - y] for x, y in pairs)


def _to_keep(request, html):
    """The rendered page with this answer's own CSRF tokens and nonce made markers."""
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        html = _TOKEN.sub(lambda m: _marker("csrf") if _unmask(m.group()) == secret else m.group(), html)
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # a LazyNonce is true once the page has used it
        html = html.replace(str(nonce), _marker("nonce"))
    return html


def _from_kept(request, html):
    if (csrf := _marker("csrf")) in html:
        html = html.replace(csrf, get_token(request))
    if (marker := _marker("nonce")) in html:
        html = html.replace(marker, str(request._csp_nonce))
    return html


def kept_page(request, name, render, *parts):
    """render() (a view's HttpResponse), or the same page kept from an earlier answer to
    this person under the same key. Only successful HTML answers to GET are kept."""
    if request.method not in ("GET", "HEAD") or not request.user.is_authenticated or _has_messages(request):
        return render()
    key = page_key(request, name, parts)
    try:
        kept = cache.get(key)
    except Exception:  # any cache backend's outage: render as if nothing was kept
        kept = None
    if kept is not None:
        content_type, html = kept
        return HttpResponse(_from_kept(request, html), content_type=content_type)
    response = render()
    content_type = response.get("Content-Type", "")
    if (
        response.status_code == 200
        and content_type.startswith("text/html")
        and not response.streaming
        and not response.cookies
        and not _has_messages(request)
    ):
        html = response.content.decode(response.charset)
        with contextlib.suppress(Exception):
            cache.set(key, (content_type, _to_keep(request, html)), SECONDS)
    return response
