"""WSGI entry point (gunicorn cx.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cx.settings")
application = get_wsgi_application()


def collector_tune() -> None:
    """Keep the cyclic garbage collector off what lives as long as the process.

    What the imports built (~140,000 objects: modules, models, URL patterns) is never
    garbage, yet each full collection walked all of it: a batch of 1,000 events
    allocates enough objects to cause one every two or three batches, some 100 ms each
    on this machine. Frozen, they are left out; and collecting young objects every
    20,000 allocations rather than 700 spares the walks over a batch still being built.
    ``make bench-ingestion`` measures the process tuned like this, as it serves.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


collector_tune()
