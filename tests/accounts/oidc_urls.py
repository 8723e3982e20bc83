"""The project's URLs with single sign-on switched on, as safeguard/urls.py adds them when
SAFEGUARD_OIDC_CLIENT_ID is set (settings are read once, at start-up, so tests swap the urlconf)."""

from django.urls import include, path

from safeguard.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("oidc/", include("mozilla_django_oidc.urls")), *project_urlpatterns]
