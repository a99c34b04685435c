"""Public tracking of a dossier by its code and the last four digits of the applicant's phone,
rate-limited per client address — shared by the API and the portal page so both behave alike.

A wrong phone and an unknown code give the same answer. Failed lookups count against a tighter
limit of their own, which slows guessing the four digits (10,000 possibilities)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from motcua.core import ratelimit
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier


@dataclass(frozen=True)
class TrackingResult:
    dossier: Dossier | None
    retry_after: int | None = None  # seconds; set when the client must wait

    @property
    def limited(self) -> bool:
        return self.retry_after is not None


def _rates() -> tuple[ratelimit.Rate, ratelimit.Rate]:
    return (
        ratelimit.parse_rate(getattr(settings, "MOTCUA_PUBLIC_LOOKUP_RATE", "30/m")),
        ratelimit.parse_rate(getattr(settings, "MOTCUA_PUBLIC_LOOKUP_FAIL_RATE", "10/m")),
    )


def public_track(*, client: str, code: str, phone_last4: str) -> TrackingResult:
    rate, fail_rate = _rates()
    decision = ratelimit.hit(f"public-lookup:{client}", rate)
    if not decision.allowed:
        return TrackingResult(None, retry_after=decision.retry_after)
    # Count the lookup as a failure before it runs and give it back if it succeeds, so that
    # concurrent guesses cannot all slip under the limit together.
    fail_key = f"public-lookup-fail:{client}"
    decision = ratelimit.hit(fail_key, fail_rate)
    if not decision.allowed:
        return TrackingResult(None, retry_after=decision.retry_after)
    dossier = selectors.public_dossier_lookup(code.strip(), phone_last4)
    if dossier is not None:
        ratelimit.hit(fail_key, fail_rate, cost=-1)
    return TrackingResult(dossier)
