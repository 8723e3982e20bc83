"""Per-request state of the access layer."""

from __future__ import annotations

from .policy import request_scope


class AccessScopeMiddleware:
    """Reads each organisation's sharing agreements once per request instead of on every check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.get_response(request)
