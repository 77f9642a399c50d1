"""Settings for the answer-page benchmark's server: the test settings, its own URLs."""

from __future__ import annotations

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "_bench_urls"
DEBUG = False
