from ninja import NinjaAPI

from .auth import PartnerTokenAuth

api = NinjaAPI(title="Safeguard API", version="1", urls_namespace="api", auth=PartnerTokenAuth(),
               description="For partner systems. Every call needs a partner token and is logged.")

# The route modules register their operations on `api`.
from . import feed, reads  # noqa: E402,F401,I001
