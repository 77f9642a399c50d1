"""WSGI entry point (gunicorn cx.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cx.settings")
application = get_wsgi_application()
