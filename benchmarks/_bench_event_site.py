"""Settings for the event-post benchmark's server: the product's production settings.

The environment set by ``event_post.py`` turns off the rate limit and the HTTPS redirect
(plain HTTP on the loopback); everything else is as deployed. Only the URLs differ: the
product's plus the bare baseline view (``_bench_event_urls``).
"""

from __future__ import annotations

from cx.settings import *  # noqa: F403

ROOT_URLCONF = "_bench_event_urls"
