"""The control plane: services that change what the gateway runs (config revisions, API keys).

Layer 2: uses the store and the pure config package; the CLI and the management API call these
services and render their results.
"""

from confiance.control.clock import Clock, system_clock
from confiance.control.keys import CreatedKey, KeyService, generate_secret, key_json
from confiance.control.revisions import ApplyResult, RevisionService, RouteDetail, RouteVersion

__all__ = [
    "ApplyResult",
    "Clock",
    "CreatedKey",
    "KeyService",
    "RevisionService",
    "RouteDetail",
    "RouteVersion",
    "generate_secret",
    "key_json",
    "system_clock",
]
