"""Production settings for `make bench`, plus the reference page (bench.urls).

The benchmark must measure what production serves (DEBUG off, Redis cache,
WhiteNoise's manifest, the full middleware stack), so this is the production
module with only the URLconf swapped: the reference page then runs in the
same server, process and middleware as the pages it is compared with.
"""

from aouad.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# wrk sends every search from one address, thousands a minute: the per-address
# limit (accounts.limits) would answer nearly all of them with 429, not search.
RATE_LIMITS = {**RATE_LIMITS, "search": "1000000/m"}  # noqa: F405
