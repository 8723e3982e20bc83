"""Headers and session limits every response gets."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url

# Set at sign-in (safeguard.accounts.sessions) and on each request.
SIGNED_IN_AT_KEY = "signed_in_at"
LAST_SEEN_AT_KEY = "last_seen_at"
# Why a session ended, as the sign-in page explains it (?ended=...).
ENDED_MESSAGES = {
    "idle": "You were signed out because you did nothing for 15 minutes. Sign in again to carry on",
    "absolute": "You were signed out because you had been signed in for 12 hours. Sign in again to carry on",
    "reauth": "You were signed out after too many wrong tries to confirm it was you. Sign in again",
}


class SecurityHeadersMiddleware:
    """No personal data in browser caches, and the session's idle and absolute limits.

    Every page may show personal data, so every response that is not a static file is no-store.
    A session ends after SESSION_IDLE_SECONDS without a request and SESSION_ABSOLUTE_SECONDS
    after signing in, whatever the activity; both are measured from timestamps in the session,
    so they hold even if a cookie is kept past its age.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._ended(request)
            if ended:
                logout(request)
                return self._to_sign_in(request, ended)
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response

    @staticmethod
    def _ended(request) -> str:
        moment = time.time()
        session = request.session
        started = session.setdefault(SIGNED_IN_AT_KEY, int(moment))
        last_seen = session.get(LAST_SEEN_AT_KEY, int(moment))
        if moment - started > settings.SESSION_ABSOLUTE_SECONDS:
            return "absolute"
        if moment - last_seen > settings.SESSION_IDLE_SECONDS:
            return "idle"
        session[LAST_SEEN_AT_KEY] = int(moment)
        return ""

    @staticmethod
    def _to_sign_in(request, ended: str):
        next_path = request.get_full_path() if request.method == "GET" else resolve_url(settings.LOGIN_REDIRECT_URL)
        url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'ended': ended, 'next': next_path})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            response["Cache-Control"] = "no-store"
            return response
        response = redirect(url)
        response["Cache-Control"] = "no-store"
        return response
