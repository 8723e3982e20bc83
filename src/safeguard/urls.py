from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from safeguard.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("cases/", include("safeguard.casework.urls")),
    path("inspections/", include("safeguard.inspections.urls")),
    path("oversight/", include("safeguard.oversight.urls")),
    path("information-security/", include("safeguard.infosec.urls")),
    path("linkage/", include("safeguard.linkage.urls")),
    path("account/", include("safeguard.accounts.urls")),
    path("", include("safeguard.web.urls")),
]
if settings.OIDC_ENABLED:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))
