"""Secret verification (``confiance scan --verify-secrets``): ask each found key's own vendor,
with one harmless identity call, whether it is live.

Infrastructure layer (it uses the network); the code scanner itself stays pure. The local fake
vendor endpoints the tests run against ship beside it (:mod:`confiance.verification.fake`).
"""

from __future__ import annotations

from confiance.verification.vendors import CHECKS, VendorCheck, check_for
from confiance.verification.verifier import (
    VerifyOptions,
    base_urls_from,
    verify_findings,
    verify_hits,
)

__all__ = [
    "CHECKS",
    "VendorCheck",
    "VerifyOptions",
    "base_urls_from",
    "check_for",
    "verify_findings",
    "verify_hits",
]
