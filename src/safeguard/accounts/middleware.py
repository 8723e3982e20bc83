"""No page without the second factor: a signed-in user who has not yet entered a TOTP code (or
come through single sign-on with the identity provider's own second factor) reaches only the
sign-in steps."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .otp import confirmed_device, second_factor_passed

# Paths reachable between the password and the code. Everything else, the admin included, waits.
# /api/ takes bearer tokens only, never the session, so a half-signed-in session gets nothing there.
ALLOWED_URL_NAMES = ("web:sign-in", "web:sign-out", "accounts:enrol", "accounts:verify")
ALLOWED_PREFIXES = ("/api/", "/oidc/")


def _allowed(path: str) -> bool:
    if path.startswith((settings.STATIC_URL, *ALLOWED_PREFIXES)):
        return True
    return path in {reverse(name) for name in ALLOWED_URL_NAMES}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not _allowed(request.path) and not second_factor_passed(request):
            return self._to_second_step(request)
        return self.get_response(request)

    @staticmethod
    def _to_second_step(request: HttpRequest) -> HttpResponse:
        step = "accounts:verify" if confirmed_device(request.user) else "accounts:enrol"
        if request.headers.get("HX-Request"):
            next_url = request.headers.get("HX-Current-URL", "") or request.get_full_path()
            url = f"{reverse(step)}?{urlencode({'next': _path_of(next_url)})}"
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        next_url = request.get_full_path() if request.method == "GET" else reverse(settings.LOGIN_REDIRECT_URL)
        return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
