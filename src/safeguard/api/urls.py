from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from .auth import PartnerTokenAuth
from .ratelimit import RateLimited

#: answers every authenticated operation may give, whichever module declares the operation
COMMON_RESPONSES = {
    "401": "No valid partner token: send `Authorization: Bearer <token>`.",
    "429": "Too many requests with this token this minute; wait for the seconds in Retry-After.",
}


class SafeguardAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict:
        """The generated document, with the 401 and 429 answers documented on every operation that
        needs a token, so clients (and the fuzzer) know every status they can receive."""
        schema = super().get_openapi_schema(*args, **kwargs)
        problem = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}},
                                                    "required": ["detail"]}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and operation.get("security"):
                    for status, description in COMMON_RESPONSES.items():
                        operation.setdefault("responses", {}).setdefault(
                            status, {"description": description, "content": problem})
        return schema


api = SafeguardAPI(title="Safeguard API", version="1", urls_namespace="api", auth=PartnerTokenAuth(),
                   description="For partner systems. Every call needs a partner token, is logged, and "
                               "counts against the token's rate limit.")


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


# The route modules register their operations on `api`.
from . import feed, reads  # noqa: E402,F401,I001
api.add_router("/", "safeguard.casework.api.router")
