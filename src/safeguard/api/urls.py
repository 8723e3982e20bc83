from ninja import NinjaAPI

from .auth import PartnerTokenAuth

api = NinjaAPI(title="Safeguard API", version="1", urls_namespace="api", auth=PartnerTokenAuth(),
               description="For partner systems. Every call needs a partner token and is logged.")

from . import feed  # noqa: E402,F401 - registers its routes on `api`
