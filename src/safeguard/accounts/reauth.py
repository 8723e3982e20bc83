"""Re-authentication ("confirm it's you") before the most sensitive actions.

Usage, on any function view (or a class-based view through ``method_decorator``)::

    from safeguard.accounts.reauth import require_recent_auth

    @login_required
    @require_recent_auth()            # settings.REAUTH_MAX_AGE, 5 minutes
    def export(request): ...

When the user has not entered their password and a second-factor code in the last ``max_age``
seconds (default settings.REAUTH_MAX_AGE), the view does not run: the user is sent to the re-authentication page
(``accounts:reauth``), which asks for both and returns them to ``next``. A GET is sent back to
the same address; a POST is sent back to the page it came from (the browser's Referer, when it is
on this site) or to the same address as a GET, because the form data cannot survive the detour:
apply the decorator to the view that shows the form too, so that people confirm before they
fill it in. An htmx request gets an ``HX-Redirect`` header, so the whole page moves.

Completing a full sign-in (password and code) counts as a re-authentication, so the first
``max_age`` seconds after signing in need no second prompt. The time is recorded in the
session under ``REAUTH_SESSION_KEY`` (seconds since the epoch); a new session (sign-out,
expiry) forgets it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

REAUTH_SESSION_KEY = "safeguard_reauth_at"


def mark_recent_auth(request: HttpRequest) -> None:
    """Record that the user has just proved who they are (password and second factor)."""
    request.session[REAUTH_SESSION_KEY] = int(time.time())


def has_recent_auth(request: HttpRequest, max_age: int | None = None) -> bool:
    max_age = settings.REAUTH_MAX_AGE if max_age is None else max_age
    at = request.session.get(REAUTH_SESSION_KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= max_age


def _return_to(request: HttpRequest) -> str:
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def reauth_url(next_url: str) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}"


def require_recent_auth(max_age: int | None = None) -> Callable:
    """View decorator: run the view only if the user re-authenticated in the last ``max_age``
    seconds; otherwise send them to the re-authentication page and back. Put it after (inside)
    ``login_required``: it assumes a signed-in user."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if has_recent_auth(request, max_age):
                return view(request, *args, **kwargs)
            url = reauth_url(_return_to(request))
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=200)
                response["HX-Redirect"] = url
                return response
            return redirect(url)

        return guarded

    return decorator
