"""Headers and session limits every response gets."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect


class SecurityHeadersMiddleware:
    """No personal data in browser caches, and an absolute session lifetime.

    Every page may show personal data, so every response that is not a static file is no-store.
    The idle timeout is the session cookie age (refreshed on each request); the absolute limit
    is kept here because Django has no setting for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault("signed_in_at", int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
