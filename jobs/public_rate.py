"""Rate limits for the public, unauthenticated endpoints (share links, leaderboard).

Per client address with DRF's cache-backed throttle (Redis in production, so every web
worker shares one count). A share link's reads also count against its owner's plan rate,
in the owner's own per-account budget (see jobs.sharing.api and billing.throttling), so
one popular link cannot be polled without bound however many addresses it is read from,
and links are no way around the account's limit.
"""

from rest_framework.throttling import AnonRateThrottle

PUBLIC_REQUESTS_PER_MINUTE = 120


class PublicAddressThrottle(AnonRateThrottle):
    scope = "public"
    rate = f"{PUBLIC_REQUESTS_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        # Counted for every caller: these endpoints ignore who is signed in.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
