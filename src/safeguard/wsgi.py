import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
application = get_wsgi_application()
# Import every view and URL pattern now, in the server process's start-up, not in the first
# request it answers (about 350 ms of CPU for that person's page otherwise).
get_resolver().url_patterns  # noqa: B018 - the import is the point
