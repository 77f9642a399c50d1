"""Settings for the test suite: the product's settings with test-friendly defaults.

``DATABASE_URL`` and ``CELERY_BROKER_URL`` still come from the environment, so the same
suite runs on the embedded default and against real PostgreSQL and Redis in CI.
"""

import os

os.environ.setdefault("CX_TESTING", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("EMAIL_URL", "memory")

from cx.settings import *  # noqa: F403
from cx.settings import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = None  # whitenoise serves from the finders in tests
WHITENOISE_USE_FINDERS = True

# A test database of its own per run, so that parallel runs on one PostgreSQL server
# (several developers, CI beside a benchmark) never drop each other's database.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_cx_{os.getpid()}"}
# A mutation run (make mutation) starts one pytest session per mutant; with
# CX_TEST_DB_KEEP=1 the test database has a fixed name and each session reuses it
# (--reuse-db) instead of migrating a new one (8 s a session on the shared machine).
if os.environ.get("CX_TEST_DB_KEEP") == "1":
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-kept.sqlite3")}
    else:
        DATABASES["default"]["TEST"] = {
            "NAME": f"test_{DATABASES['default']['NAME']}_kept"
        }
RATE_LIMITS = {"api": 0, "public": 0}  # off, except in the tests of the limits
