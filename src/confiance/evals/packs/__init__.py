"""Probe packs: versioned directories of probe files (eval suites with categories).

Built-in packs live next to this module (``security``); users add packs as directories holding
a ``pack.yaml``, or publish them under the entry-point group ``confiance.evals.packs`` (the entry
point names a directory path, or a callable returning one).
"""

from confiance.evals.packs.registry import (
    PACK_ENTRY_POINT_GROUP,
    PackInfo,
    find_pack,
    list_packs,
    load_pack,
)

__all__ = ["PACK_ENTRY_POINT_GROUP", "PackInfo", "find_pack", "list_packs", "load_pack"]
