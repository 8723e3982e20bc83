from ninja import NinjaAPI

api = NinjaAPI(title="Safeguard API", version="1", urls_namespace="api")
