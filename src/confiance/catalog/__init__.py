"""confiance.catalog: model facts (retirement dates, replacements) with their sources.

Pure package: the data ships as ``models.csv`` next to this module; :meth:`Catalog.load` reads it.
"""

from confiance.catalog.catalog import DEFAULT_WINDOW_DAYS, Catalog, Lifecycle, ModelStatus
from confiance.catalog.facts import CatalogFormatError, ModelFact, Platform

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "Catalog",
    "CatalogFormatError",
    "Lifecycle",
    "ModelFact",
    "ModelStatus",
    "Platform",
]
